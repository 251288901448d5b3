import path from 'node:path';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { type DataCube, isDataCube } from '../raster/cube/DataCube';
import { OutputWriter } from './registry';
import { removeQuietly, scratchPath } from './tempFiles';
import { RetryWithNodata, firstCandidate } from './nodataPolicy';
import { GTIFF_PARAMETERS, type GTiffSettings, gtiffSettings } from './gtiffSettings';
import { type GTiffPart, assembleGeoTiff, gtiffLayout, writeGeoTiffPart } from './gtiffParts';

export const GTIFF_MEDIA_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

/** The cube GTiff can store, or the error that says why this one cannot be stored. */
export function gtiffCube(data: unknown): DataCube {
  if (!isDataCube(data) || !data.grid) {
    throw new ProcessException('FormatUnsuitable', 'GTiff can only store raster data cubes with x and y dimensions.');
  }
  if (data.isEmpty) throw new ProcessException('DataCubeEmpty', 'The data cube is empty; GTiff cannot store it.');
  return data;
}

/** Writes the whole cube as one part and assembles it, writing once more when the no-data policy asks. */
async function writeWhole(cube: DataCube, settings: GTiffSettings, target: string, ctx: ProcessContext): Promise<void> {
  const layout = gtiffLayout(cube);
  const rows = { y: 0, height: layout.height };
  const scratch = scratchPath(ctx.workDir, 'tif');
  try {
    let part: GTiffPart = await writeGeoTiffPart(cube, settings, rows, firstCandidate(settings.nodata, settings.dataType), scratch, ctx);
    try {
      await assembleGeoTiff([part], layout, settings, target, ctx, true);
    } catch (error) {
      if (!(error instanceof RetryWithNodata)) throw error;
      ctx.logger.info(`valid data uses ${settings.dataType.name} value ${settings.dataType.defaultNodata}; writing again with no-data ${error.value}`);
      part = await writeGeoTiffPart(cube, settings, rows, error.value, scratch, ctx);
      await assembleGeoTiff([part], layout, settings, target, ctx, false);
    }
  } finally {
    await removeQuietly(scratch);
  }
}

/**
 * Cloud-Optimized GeoTIFF: the cube is written tile by tile into a scratch GeoTIFF, overviews
 * are built on it, and GDAL's COG driver then copies it into the final layout, compressing on
 * all cores. All non-spatial labels (dates × bands) become bands, described as `label/label`.
 */
export const gtiffWriter: OutputWriter = {
  info: {
    name: 'GTiff',
    title: 'GeoTIFF (Cloud-Optimized)',
    description: 'Cloud-Optimized GeoTIFF with one band per date and band, per-band statistics and, on request, overviews.',
    gis_data_types: ['raster'],
    parameters: GTIFF_PARAMETERS,
  },
  aliases: ['GeoTIFF', 'COG', 'tif', 'tiff'],

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    const settings = gtiffSettings(rawOptions);
    const cube = gtiffCube(data);
    const target = path.join(ctx.workDir, `${basename}.tif`);
    await writeWhole(cube, settings, target, ctx);
    ctx.signal.throwIfAborted();
    return { path: target, filename: `${basename}.tif`, mediaType: GTIFF_MEDIA_TYPE, format: 'GTiff' };
  },
};
