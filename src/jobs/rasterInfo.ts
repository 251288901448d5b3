import gdal from 'gdal-async';
import { bboxToWgs84, describeCrs, nativeBbox } from '../catalog/geo';
import type { BandInfo, RasterInfo } from './types';

/**
 * Reads georeferencing and band statistics of a written file for the STAC result document.
 * Returns undefined for files GDAL cannot open as a georeferenced raster (e.g. JSON outputs).
 */
export async function readRasterInfo(file: string): Promise<RasterInfo | undefined> {
  let ds: gdal.Dataset;
  try {
    ds = await gdal.openAsync(file);
  } catch {
    return undefined;
  }
  try {
    if (ds.srs && ds.geoTransform && ds.rasterSize.x > 0) return describeRaster(ds, bandsOf(ds));
    // A netCDF file with several variables opens as a container of subdatasets, one per
    // variable: the grid is theirs (they share it), and the bands are all of theirs in order.
    const parts = subdatasetNames(ds);
    if (parts.length === 0) return undefined;
    const opened = parts.map((name) => gdal.open(name));
    try {
      const first = opened[0];
      if (!first.srs || !first.geoTransform || first.rasterSize.x === 0) return undefined;
      const bands = opened.flatMap((part, i) => bandsOf(part, variableName(parts[i])));
      return describeRaster(first, bands);
    } finally {
      for (const part of opened) part.close();
    }
  } catch {
    return undefined;
  } finally {
    ds.close();
  }
}

/** The subdataset names GDAL lists for a container file (e.g. `NETCDF:"r.nc":B04`), in order. */
function subdatasetNames(ds: gdal.Dataset): string[] {
  const metadata = ds.getMetadata('SUBDATASETS') as Record<string, string>;
  const names: string[] = [];
  for (let i = 1; metadata[`SUBDATASET_${i}_NAME`] !== undefined; i++) names.push(metadata[`SUBDATASET_${i}_NAME`]);
  return names;
}

/** The variable of a subdataset name: what follows the last colon. */
function variableName(subdataset: string): string {
  return subdataset.slice(subdataset.lastIndexOf(':') + 1);
}

/** Grid, footprint and projection of `ds` (which has a CRS and a geotransform) with the given bands. */
function describeRaster(ds: gdal.Dataset, bands: BandInfo[]): RasterInfo {
  const srs = ds.srs!;
  const geoTransform = ds.geoTransform!;
  const { crs, epsg } = describeCrs(srs);
  const grid = { crs, epsg, geoTransform: geoTransform as RasterInfo['transform'] & [number, number, number, number, number, number], width: ds.rasterSize.x, height: ds.rasterSize.y };
  const [w, s, e, n] = bboxToWgs84(nativeBbox(grid), crs);
  const [ox, px, rx, oy, ry, py] = geoTransform;
  return {
    bbox: [w, s, e, n],
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
    epsg,
    ...(epsg === null ? { wkt2: srs.toWKT() } : {}),
    shape: [ds.rasterSize.y, ds.rasterSize.x],
    // STAC proj:transform is the affine row-major form, not GDAL's order.
    transform: [px, rx, ox, ry, py, oy, 0, 0, 1],
    bands,
  };
}

/**
 * Data type, no-data and statistics of every band. `variable` (a netCDF variable) names the
 * bands when GDAL gives them no description of their own.
 */
function bandsOf(ds: gdal.Dataset, variable?: string): BandInfo[] {
  const bands: BandInfo[] = [];
  const count = ds.bands.count();
  for (let i = 1; i <= count; i++) {
    const band = ds.bands.get(i);
    const noData = band.noDataValue;
    // The raster extension spells a NaN no-data value "nan"; JSON would turn NaN into null.
    const info: BandInfo = { data_type: stacDataType(band.dataType), ...(noData === null ? {} : { nodata: Number.isNaN(noData) ? 'nan' : noData }) };
    const name = variable === undefined ? band.description : count === 1 ? variable : `${variable}/${i}`;
    if (name) info.name = name;
    try {
      // Exact statistics: results are usually small, and approximate ones can miss extremes.
      const stats = band.computeStatistics(false);
      if ([stats.min, stats.max, stats.mean, stats.std_dev].every(Number.isFinite)) {
        info.statistics = { minimum: stats.min, maximum: stats.max, mean: stats.mean, stddev: stats.std_dev };
      }
    } catch {
      // A band of only no-data has no statistics; leave them out.
    }
    bands.push(info);
  }
  return bands;
}

/** GDAL data type names to the STAC raster extension's vocabulary. */
function stacDataType(gdalType: string | null): string | undefined {
  const map: Record<string, string> = {
    Byte: 'uint8', Int8: 'int8', UInt16: 'uint16', Int16: 'int16', UInt32: 'uint32', Int32: 'int32',
    UInt64: 'uint64', Int64: 'int64', Float32: 'float32', Float64: 'float64', CInt16: 'cint16', CInt32: 'cint32',
    CFloat32: 'cfloat32', CFloat64: 'cfloat64',
  };
  return gdalType ? map[gdalType] : undefined;
}
