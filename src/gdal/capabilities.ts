import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';

/** Whether this GDAL build has a driver (e.g. `COG`, `netCDF`). */
export function hasDriver(name: string): boolean {
  try {
    return gdal.drivers.get(name) !== null;
  } catch {
    return false;
  }
}

/** Whether a driver's creation options list `value` (e.g. compression `ZSTD` for `GTiff`). */
export function driverSupports(driver: string, value: string): boolean {
  if (!hasDriver(driver)) return false;
  const list = gdal.drivers.get(driver).getMetadata().DMD_CREATIONOPTIONLIST ?? '';
  return list.includes(`<Value>${value}</Value>`);
}

/** Whether a GDAL command-line program is on the PATH. */
export function hasProgram(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Creation options for temporary GeoTIFFs: fast lossless compression (ZSTD where the GDAL
 * build has it) keeps scratch files small without slowing writes much.
 */
export function scratchCompression(): string[] {
  return driverSupports('GTiff', 'ZSTD') ? ['COMPRESS=ZSTD', 'ZSTD_LEVEL=1'] : ['COMPRESS=DEFLATE', 'ZLEVEL=1'];
}
