import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ProcessContext, SavedOutput } from '../../run/context';
import { ProcessException } from '../../errors/ProcessException';
import { isDataCube } from '../cube/DataCube';
import { OUTPUT_DATA_TYPES } from './dataTypes';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';
import { removeQuietly, scratchPath } from './tempFiles';
import { writeTiledGeoTiff } from './tiledGeoTiff';
import { scratchCompression } from '../../gdal/capabilities';
import { netcdfVrt } from './netcdfLayout';

const run = promisify(execFile);

const PARAMETERS: Record<string, Record<string, unknown>> = {
  datatype: { type: 'string', enum: ['float32', 'float64'], default: 'float32', description: 'Data type of the band variables.' },
};

/**
 * NetCDF-4 following CF: dimensions (t,) y, x with coordinate variables, time as seconds since
 * 1970-01-01 (standard calendar), one variable per band and the CRS as a grid mapping.
 * The cube is written tile by tile to a scratch GeoTIFF that GDAL's multidimensional
 * translator (gdalmdimtranslate) reorganises into variables.
 */
export const netcdfWriter: OutputWriter = {
  info: {
    name: 'netCDF',
    title: 'Network Common Data Form (NetCDF-4, CF)',
    description: 'One variable per band over the dimensions t, y and x, with CF time and grid mapping.',
    gis_data_types: ['raster'],
    parameters: PARAMETERS,
  },
  aliases: ['NetCDF', 'nc'],

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    const options = new FormatOptions('netCDF', rawOptions, PARAMETERS);
    const dataType = OUTPUT_DATA_TYPES[options.enumValue('datatype', ['float32', 'float64'], 'float32')];
    if (!isDataCube(data) || !data.grid) throw new ProcessException('FormatUnsuitable', 'NetCDF output needs a data cube with x and y dimensions.');
    const temporal = data.dims.filter((d) => d.type === 'temporal').length;
    const others = data.dims.length - temporal;
    if (temporal > 1 || others > 1) {
      throw new ProcessException('FormatUnsuitable', 'NetCDF output supports at most one temporal and one other (bands) dimension besides x and y.');
    }
    if (data.isEmpty) throw new ProcessException('DataCubeEmpty', 'The data cube is empty; NetCDF output cannot store it.');
    const scratchTif = scratchPath(ctx.workDir, 'tif');
    const scratchVrt = scratchPath(ctx.workDir, 'vrt');
    const filename = `${basename}.nc`;
    const target = path.join(ctx.workDir, filename);
    try {
      await writeTiledGeoTiff(data, ctx, {
        path: scratchTif,
        dataType,
        nodata: NaN,
        tileSize: ctx.config.processing.tileSize,
        creationOptions: scratchCompression(),
      });
      await fs.writeFile(scratchVrt, netcdfVrt(data, scratchTif, dataType.gdal, NaN));
      ctx.signal.throwIfAborted();
      await removeQuietly(target);
      await run('gdalmdimtranslate', ['-q', '-of', 'netCDF', '-co', 'FORMAT=NC4', scratchVrt, target], { signal: ctx.signal });
    } finally {
      await removeQuietly(scratchTif, scratchVrt);
    }
    return { path: target, filename, mediaType: 'application/netcdf', format: 'netCDF' };
  },
};
