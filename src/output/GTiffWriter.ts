import gdal from 'gdal-async';
import path from 'node:path';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { isDataCube } from '../raster/cube/DataCube';
import { OUTPUT_DATA_TYPES } from './dataTypes';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';
import { removeQuietly, scratchPath } from './tempFiles';
import { TiledGeoTiffResult, writeTiledGeoTiff } from './tiledGeoTiff';
import { RetryWithNodata, declaredNodata, firstCandidate, nodataRequest } from './nodataPolicy';
import { driverSupports, scratchCompression } from '../gdal/capabilities';
import { describedVrt } from './describedVrt';
import { spatialReference } from '../gdal/srs';
import { threadCount } from '../raster/fused/pool';

/** Lossless compressions offered when the COG driver of this GDAL build supports them. */
const COMPRESSIONS = (['DEFLATE', 'LZW', 'ZSTD', 'NONE'] as const).filter((c) => c === 'NONE' || driverSupports('COG', c));
const RESAMPLINGS = ['nearest', 'average', 'bilinear', 'cubic', 'mode'] as const;

const PARAMETERS: Record<string, Record<string, unknown>> = {
  compression: { type: 'string', enum: [...COMPRESSIONS], default: 'DEFLATE', description: 'Lossless compression of the tiles.' },
  datatype: {
    type: 'string',
    enum: Object.keys(OUTPUT_DATA_TYPES),
    default: 'float32',
    description: 'Data type of the stored values; integers are rounded and clamped.',
  },
  nodata: {
    type: ['number', 'null'],
    description:
      'No-data value to declare (always, even if the cube has no missing pixels), or null to declare none. ' +
      'Left out, no-data is declared only when the cube has missing pixels: NaN for floating point types, ' +
      "else the type's largest value (smallest for signed types) or, if valid data uses it, the other end of the range; " +
      'when valid data uses both, the request is refused.',
  },
  tile_size: { type: 'integer', enum: [256, 512, 1024], default: 512, description: 'Edge length of the internal TIFF tiles.' },
  overviews: {
    type: 'boolean',
    default: false,
    description: 'Add reduced-resolution overviews for fast display of large images (costs one more pass over the result).',
  },
  overview_resampling: { type: 'string', enum: [...RESAMPLINGS], default: 'nearest', description: 'How overview pixels are computed.' },
};

/** Scratch files up to this size are written uncompressed (fastest); larger ones compressed to save disk. */
const UNCOMPRESSED_SCRATCH_BYTES = 4 * 1024 ** 3;

function scratchOptions(bytes: number): string[] {
  return bytes <= UNCOMPRESSED_SCRATCH_BYTES ? [] : scratchCompression();
}

/** The levels the COG driver's AUTO mode would build: halving until the image fits in one block. */
export function overviewFactors(width: number, height: number, blockSize: number): number[] {
  const factors: number[] = [];
  for (let f = 2; Math.max(width, height) / (f / 2) > blockSize; f *= 2) factors.push(f);
  return factors;
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
    parameters: PARAMETERS,
  },
  aliases: ['GeoTIFF', 'COG', 'tif', 'tiff'],

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    const options = new FormatOptions('GTiff', rawOptions, PARAMETERS);
    const dataType = OUTPUT_DATA_TYPES[options.enumValue('datatype', Object.keys(OUTPUT_DATA_TYPES), 'float32')];
    const nodataRequested = nodataRequest(options, dataType);
    const compression = options.enumValue('compression', COMPRESSIONS, 'DEFLATE');
    const blockSize = options.integer('tile_size', 512, 256, 1024);
    if (![256, 512, 1024].includes(blockSize)) throw options.invalid("option 'tile_size' must be 256, 512 or 1024");
    const overviews = options.boolean('overviews', false);
    const resampling = options.enumValue('overview_resampling', RESAMPLINGS, 'nearest');
    if (!isDataCube(data) || !data.grid) {
      throw new ProcessException('FormatUnsuitable', 'GTiff can only store raster data cubes with x and y dimensions.');
    }
    if (data.isEmpty) throw new ProcessException('DataCubeEmpty', 'The data cube is empty; GTiff cannot store it.');

    const scratch = scratchPath(ctx.workDir, 'tif');
    const target = path.join(ctx.workDir, `${basename}.tif`);
    const grid = data.grid;
    const factors = overviews ? overviewFactors(grid.width, grid.height, blockSize) : [];
    try {
      const write = (stored: number, mayRetry: boolean) =>
        writeTiledGeoTiff(data, ctx, {
          path: scratch,
          dataType,
          nodata: stored,
          excludeNodata: nodataRequested.kind === 'value',
          declareNodata: (statistics) => declaredNodata(statistics, { request: nodataRequested, type: dataType, stored, mayRetry, options, logger: ctx.logger }),
          tileSize: ctx.config.processing.tileSize,
          creationOptions: scratchOptions(data.size * dataType.create(0).BYTES_PER_ELEMENT),
          // Built on the uncompressed scratch file, then copied: much cheaper than the COG driver computing them.
          overviews: overviews ? { factors, resampling } : undefined,
        });
      let written: TiledGeoTiffResult;
      try {
        written = await write(firstCandidate(nodataRequested, dataType), true);
      } catch (error) {
        if (!(error instanceof RetryWithNodata)) throw error;
        ctx.logger.info(`valid data uses ${dataType.name} value ${dataType.defaultNodata}; writing again with no-data ${error.value}`);
        written = await write(error.value, false);
      }
      ctx.signal.throwIfAborted();
      const vrt = describedVrt(
        {
          path: scratch,
          width: grid.width,
          height: grid.height,
          dataType: dataType.gdal,
          nodata: written.nodata,
          metadata: written.metadata,
          overviews: factors.length,
        },
        written.bands,
        { transform: grid.transform, srsWkt: grid.crs ? spatialReference(grid.crs).toWKT() : null },
      );
      const src = await gdal.openAsync(vrt);
      try {
        const cog = await gdal.drivers.get('COG').createCopyAsync(target, src, {
          COMPRESS: compression,
          BLOCKSIZE: String(blockSize),
          OVERVIEWS: overviews ? 'FORCE_USE_EXISTING' : 'NONE',
          BIGTIFF: 'IF_SAFER',
          NUM_THREADS: String(threadCount(ctx.config.processing.threads)),
          ...(compression !== 'NONE' && !dataType.integer ? { PREDICTOR: 'YES' } : {}),
        });
        cog.close();
      } finally {
        src.close();
      }
    } finally {
      await removeQuietly(scratch);
    }
    return {
      path: target,
      filename: `${basename}.tif`,
      mediaType: 'image/tiff; application=geotiff; profile=cloud-optimized',
      format: 'GTiff',
    };
  },
};
