import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { gdalBuffer } from '../../src/gdal/typedArrays';

export interface RasterSpec {
  width?: number;
  height?: number;
  bands?: number;
  epsg?: number;
  /** GDAL geotransform; default: 10 m pixels at 500000/5300000 (UTM). */
  geoTransform?: number[];
  dataType?: string;
  nodata?: number;
  /** Value of band b (1-based) at every pixel; default b * 100. */
  fill?: (band: number) => number;
  /** Set to false for a raster without CRS and geotransform. */
  georeferenced?: boolean;
  /** Dataset metadata (default domain). */
  metadata?: Record<string, string>;
}

export function tempDir(prefix = 'catalog-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A maker of temporary folders that are removed after each test of the calling file, once
 * `beforeRemoval` (e.g. closing the server that scans them) has run.
 */
export function foldersPerTest(beforeRemoval: () => void): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    beforeRemoval();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
}

/** Writes a small GeoTIFF with GDAL. */
export async function writeGeoTiff(file: string, spec: RasterSpec = {}): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const width = spec.width ?? 20, height = spec.height ?? 10, count = spec.bands ?? 1;
  const ds = await gdal.openAsync(file, 'w', 'GTiff', width, height, count, spec.dataType ?? gdal.GDT_UInt16, ['TILED=YES', 'COMPRESS=DEFLATE']);
  await fillDataset(ds, width, height, count, spec);
  ds.close();
}

async function fillDataset(ds: gdal.Dataset, width: number, height: number, count: number, spec: RasterSpec): Promise<void> {
  if (spec.georeferenced !== false) {
    ds.srs = gdal.SpatialReference.fromEPSG(spec.epsg ?? 32632);
    ds.geoTransform = spec.geoTransform ?? [500000, 10, 0, 5300000, 0, -10];
  }
  if (spec.metadata) ds.setMetadata(spec.metadata);
  for (let b = 1; b <= count; b++) {
    const band = ds.bands.get(b);
    if (spec.nodata !== undefined) band.noDataValue = spec.nodata;
    const values = new Float64Array(width * height).fill(spec.fill ? spec.fill(b) : b * 100);
    await band.pixels.writeAsync(0, 0, width, height, gdalBuffer(values));
  }
}

/**
 * Writes a NetCDF file with a CF time axis: GDAL's netCDF driver turns the
 * NETCDF_DIM_* metadata of the source into a `time` dimension with units and calendar.
 */
export async function writeNetcdfTimeSeries(file: string, days: number[], spec: RasterSpec = {}): Promise<void> {
  const width = spec.width ?? 8, height = spec.height ?? 6;
  const mem = gdal.open('nc-source', 'w', 'MEM', width, height, days.length, gdal.GDT_Float32);
  await fillDataset(mem, width, height, days.length, {
    epsg: 4326,
    geoTransform: [8, 0.05, 0, 48, 0, -0.05],
    ...spec,
    metadata: {
      NETCDF_DIM_EXTRA: '{time}',
      NETCDF_DIM_time_DEF: `{${days.length},6}`,
      NETCDF_DIM_time_VALUES: `{${days.join(',')}}`,
      'time#units': 'days since 2020-01-01 00:00:00',
      'time#standard_name': 'time',
      'time#calendar': 'standard',
      ...spec.metadata,
    },
  });
  const out = await gdal.drivers.get('netCDF').createCopyAsync(file, mem);
  out.close();
  mem.close();
}

/** Reads one pixel of a band through the asset reference the catalogue hands out. */
export async function readPixel(href: string, band: number, x = 0, y = 0): Promise<number> {
  const ds = await gdal.openAsync(href);
  try {
    return (await ds.bands.get(band).pixels.readAsync(x, y, 1, 1, gdalBuffer(new Float64Array(1))))[0];
  } finally {
    ds.close();
  }
}
