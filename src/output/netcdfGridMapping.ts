/**
 * The CF grid mapping of a CRS as GDAL's netCDF driver writes it (grid_mapping_name and its
 * parameters, crs_wkt, spatial_ref): GDAL knows the CF names of the projections, we do not.
 * A 1×1 probe file is written in the CRS and its grid mapping variable read back.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import gdal from 'gdal-async';
import { spatialReference } from '../gdal/srs';
import type { NcAttribute } from './netcdfClassic';
import { removeQuietly, scratchPath } from './tempFiles';

const run = promisify(execFile);
const cache = new Map<string, Record<string, NcAttribute>>();

function ncAttribute(value: unknown): NcAttribute | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
  return null;
}

export async function gridMappingAttributes(crs: string, workDir: string): Promise<Record<string, NcAttribute>> {
  const known = cache.get(crs);
  if (known) return known;
  const probe = scratchPath(workDir, 'nc');
  try {
    const ds = await gdal.openAsync(probe, 'w', 'netCDF', 1, 1, 1, gdal.GDT_Byte);
    ds.srs = spatialReference(crs);
    ds.geoTransform = [0, 1, 0, 1, 0, -1];
    ds.close();
    const check = await gdal.openAsync(probe);
    const name = check.getMetadata()['Band1#grid_mapping'];
    check.close();
    if (!name) throw new Error(`GDAL wrote no grid mapping for ${crs}`);
    const { stdout } = await run('gdalmdiminfo', ['-array', name, probe], { maxBuffer: 16 * 1024 * 1024 });
    const info = JSON.parse(stdout) as { attributes?: Record<string, unknown> };
    const attributes: Record<string, NcAttribute> = {};
    for (const [key, value] of Object.entries(info.attributes ?? {})) {
      const converted = ncAttribute(value);
      // The probe's own geotransform would contradict the real grid.
      if (converted !== null && key !== 'GeoTransform') attributes[key] = converted;
    }
    cache.set(crs, attributes);
    return attributes;
  } finally {
    await removeQuietly(probe);
  }
}
