import gdal from 'gdal-async';
import type { GridInfo } from './types';
import { Bbox, bboxToWgs84, describeCrs, nativeBbox } from './geo';
import { cfTimeConverter } from './cfTime';

/**
 * One 2-D layer of a file: a band of a GeoTIFF, or one time step of a NetCDF variable.
 * Everything the catalogue needs, read from GDAL metadata without touching pixels.
 */
export interface RasterSlot {
  /** Band name: the band description, the NetCDF variable name, or `B<n>`. */
  name: string;
  /** GDAL dataset name to open, e.g. the file path or `NETCDF:"/path/f.nc":var`. */
  href: string;
  /** 1-based band number within `href`. */
  band: number;
  /** RFC 3339 time of this slot from CF metadata, or null. */
  time: string | null;
  grid: GridInfo;
  /** WGS84 footprint. */
  bbox: Bbox;
  dataType: string;
  nodata: number | null;
  scale?: number;
  offset?: number;
  unit?: string;
}

export interface RasterDescription {
  driver: string;
  slots: RasterSlot[];
}

type Metadata = Record<string, string>;

/** The name of the time dimension among GDAL's `NETCDF_DIM_EXTRA`, with its converter. */
function timeAxis(md: Metadata): { dim: string; convert: (v: number) => string } | undefined {
  const extra = md.NETCDF_DIM_EXTRA?.replace(/[{}]/g, '').split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  for (const dim of extra) {
    const units = md[`${dim}#units`];
    if (!units) continue;
    const isTime = md[`${dim}#standard_name`] === 'time' || md[`${dim}#axis`] === 'T' || /since/i.test(units);
    const convert = isTime ? cfTimeConverter(units, md[`${dim}#calendar`]) : undefined;
    if (convert) return { dim, convert };
  }
  return undefined;
}

/**
 * CF files often leave out the grid mapping when the axes are plain latitude and longitude;
 * CF then means geographic coordinates, taken here as WGS84.
 */
function impliedCrs(md: Metadata): { crs: string; epsg: number | null } {
  const units = Object.entries(md).filter(([k]) => /#units$/.test(k)).map(([, v]) => v.toLowerCase());
  const geographic = units.some((u) => /^degrees?_?n(orth)?$/.test(u)) && units.some((u) => /^degrees?_?e(ast)?$/.test(u));
  return geographic ? { crs: 'EPSG:4326', epsg: 4326 } : { crs: '', epsg: null };
}

function variableName(datasetName: string): string | undefined {
  // NETCDF:"file":var, HDF5:"file"://group/var, HDF4_EOS:...:field
  const last = datasetName.split(':').pop() ?? '';
  const name = last.split('/').filter(Boolean).pop();
  return name && !name.includes('"') ? name : undefined;
}

async function describeDataset(ds: gdal.Dataset, href: string, fallbackName?: string): Promise<RasterSlot[]> {
  // Reading the CRS consults the PROJ database, the slow part: it runs on GDAL's worker threads.
  const srs = await ds.srsAsync;
  const geoTransform = ds.geoTransform;
  const size = ds.rasterSize;
  if (!geoTransform) throw new Error('the raster has no georeferencing (geotransform)');
  const datasetMetadata = (ds.getMetadata() ?? {}) as Metadata;
  const { crs, epsg } = srs ? describeCrs(srs) : impliedCrs(datasetMetadata);
  if (!crs) throw new Error('the raster has no coordinate reference system');
  const grid: GridInfo = {
    crs,
    epsg,
    geoTransform: geoTransform.slice(0, 6) as GridInfo['geoTransform'],
    width: size.x,
    height: size.y,
  };
  const bbox = bboxToWgs84(nativeBbox(grid), crs);
  const time = timeAxis(datasetMetadata);
  const count = ds.bands.count();
  if (count === 0) throw new Error('the raster has no bands');
  const slots: RasterSlot[] = [];
  const used = new Set<string>();
  for (let i = 1; i <= count; i++) {
    const band = ds.bands.get(i);
    const md = (band.getMetadata() ?? {}) as Metadata;
    const timeValue = time ? Number(md[`NETCDF_DIM_${time.dim}`]) : NaN;
    let name = md.NETCDF_VARNAME ?? fallbackName;
    if (!name || (!time && used.has(name))) {
      const description = band.description?.trim();
      name = description && !used.has(description) ? description : `B${i}`;
    }
    if (!time) used.add(name);
    slots.push({
      name,
      // A NetCDF file with one variable opens directly, but naming the variable keeps hrefs uniform.
      href: md.NETCDF_VARNAME && ds.driver.description === 'netCDF' && !href.startsWith('NETCDF:') ? `NETCDF:"${href}":${md.NETCDF_VARNAME}` : href,
      band: i,
      time: time && Number.isFinite(timeValue) ? time.convert(timeValue) : null,
      grid,
      bbox,
      dataType: band.dataType ?? 'Unknown',
      nodata: band.noDataValue,
      ...(band.scale !== null && band.scale !== 1 ? { scale: band.scale } : {}),
      ...(band.offset !== null && band.offset !== 0 ? { offset: band.offset } : {}),
      ...(band.unitType ? { unit: band.unitType } : {}),
    });
  }
  return slots;
}

/** Subdatasets of containers (NetCDF, HDF5): every variable on the most common grid size. */
async function describeSubdatasets(names: string[]): Promise<RasterSlot[]> {
  const described: RasterSlot[][] = [];
  for (const name of names) {
    let sub: gdal.Dataset | undefined;
    try {
      sub = await gdal.openAsync(name);
      described.push(await describeDataset(sub, name, variableName(name)));
    } catch {
      // Auxiliary arrays (bounds, coordinates) have no georeferencing; they are not bands.
    } finally {
      sub?.close();
    }
  }
  if (described.length === 0) throw new Error('none of the variables is a georeferenced raster');
  const sizeKey = (s: RasterSlot[]) => `${s[0].grid.width}x${s[0].grid.height}`;
  const counts = new Map<string, number>();
  for (const slots of described) counts.set(sizeKey(slots), (counts.get(sizeKey(slots)) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  return described.filter((slots) => sizeKey(slots) === common).flat();
}

/** Reads a raster's structure from GDAL metadata. Throws with the reason when it cannot be used. */
export async function describeRaster(path: string): Promise<RasterDescription> {
  const ds = await gdal.openAsync(path);
  try {
    const driver = ds.driver.description;
    const subdatasets = (ds.getMetadata('SUBDATASETS') ?? {}) as Metadata;
    const names = Object.keys(subdatasets)
      .filter((k) => /^SUBDATASET_\d+_NAME$/.test(k))
      .sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]))
      .map((k) => subdatasets[k]);
    const slots = names.length > 0 && ds.bands.count() === 0 ? await describeSubdatasets(names) : await describeDataset(ds, path);

    return { driver, slots };
  } finally {
    ds.close();
  }
}
