/**
 * GeoTIFF results written in horizontal strips (parts) and assembled into one Cloud-Optimized
 * GeoTIFF. A run on one machine writes a single part; a batch job split into blocks writes one
 * part per block, possibly on different hosts, and a last step assembles them. Both go through
 * the same code, and the statistics of the parts are added tile by tile in the image's order,
 * so the file is the same byte for byte however the image was split.
 */
import gdal from 'gdal-async';
import type { ProcessContext } from '../run/context';
import type { DataCube } from '../raster/cube/DataCube';
import { WindowCube } from '../raster/cube/WindowCube';
import { spatialReference } from '../gdal/srs';
import { scratchCompression } from '../gdal/capabilities';
import { threadCount } from '../raster/fused/pool';
import { type OutputBand, outputBands } from './bandLayout';
import { describedVrt, type VrtSource } from './describedVrt';
import { declaredNodata } from './nodataPolicy';
import { BandStatistics, type TileTally } from './statistics';
import { writeTiledGeoTiff } from './tiledGeoTiff';
import { removeQuietly, scratchPath } from './tempFiles';
import type { GTiffSettings } from './gtiffSettings';

/** What every part of one image shares: the whole grid and its bands. Plain JSON. */
export interface GTiffLayout {
  width: number;
  height: number;
  transform: number[];
  srsWkt: string | null;
  bands: OutputBand[];
}

/** One strip of rows, written to its own GeoTIFF. Plain JSON, so a worker on another host can report it. */
export interface GTiffPart {
  path: string;
  /** First row of the strip in the whole grid, and its number of rows. */
  y: number;
  height: number;
  /** The value missing pixels were stored as ('nan' for NaN, which JSON cannot hold). */
  stored: number | 'nan';
  /** What each tile of the strip added to each band's statistics, in row-major tile order. */
  tallies: TileTally[][];
}

/** What assembling needs of a run: no catalogue, no user, only where to put scratch files and the settings. */
export type AssembleContext = Pick<ProcessContext, 'config' | 'logger' | 'signal' | 'workDir'>;

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

export function gtiffLayout(cube: DataCube): GTiffLayout {
  const grid = cube.grid!;
  return {
    width: grid.width,
    height: grid.height,
    transform: [...grid.transform],
    srsWkt: grid.crs ? spatialReference(grid.crs).toWKT() : null,
    bands: outputBands(cube),
  };
}

function storedValue(part: GTiffPart): number {
  return part.stored === 'nan' ? NaN : part.stored;
}

/**
 * Computes rows [y, y + height) of the cube and writes them to `path`, missing pixels stored as
 * `stored`. `y` and `height` must be multiples of the evaluation tile size (but for the last strip),
 * so the strip's tiles are the image's own tiles.
 */
export async function writeGeoTiffPart(
  cube: DataCube,
  settings: GTiffSettings,
  rows: { y: number; height: number },
  stored: number,
  path: string,
  ctx: ProcessContext,
): Promise<GTiffPart> {
  const grid = cube.grid!;
  const whole = rows.y === 0 && rows.height === grid.height;
  const strip = whole ? cube : new WindowCube(cube, { x: 0, y: rows.y, width: grid.width, height: rows.height });
  const written = await writeTiledGeoTiff(strip, ctx, {
    path,
    dataType: settings.dataType,
    nodata: stored,
    excludeNodata: settings.nodata.kind === 'value',
    tileSize: ctx.config.processing.tileSize,
    creationOptions: scratchOptions(strip.size * settings.dataType.create(0).BYTES_PER_ELEMENT),
  });
  return { path, y: rows.y, height: rows.height, stored: Number.isNaN(stored) ? 'nan' : stored, tallies: written.tallies };
}

/**
 * Declares no-data and statistics from the parts' tallies and copies the parts into the final
 * COG at `target`, compressing on all cores. Throws RetryWithNodata (from the no-data policy)
 * when the parts must be written again with another stored value; `mayRetry` false refuses instead.
 */
export async function assembleGeoTiff(
  parts: GTiffPart[],
  layout: GTiffLayout,
  settings: GTiffSettings,
  target: string,
  ctx: AssembleContext,
  mayRetry: boolean,
): Promise<void> {
  const ordered = [...parts].sort((a, b) => a.y - b.y);
  const statistics = layout.bands.map(() => new BandStatistics());
  for (const part of ordered) for (const tile of part.tallies) tile.forEach((t, c) => statistics[c].addTally(t));
  const stored = storedValue(ordered[0]);
  const nodata = declaredNodata(statistics, {
    request: settings.nodata,
    type: settings.dataType,
    stored,
    mayRetry,
    options: settings.options,
    logger: ctx.logger,
  });
  const metadata = layout.bands.map((band, c) => {
    const items: Record<string, string> = {};
    for (const [k, v] of Object.entries(band.labels)) items[k] = String(v);
    return Object.assign(items, statistics[c].metadata());
  });
  const factors = settings.overviews ? overviewFactors(layout.width, layout.height, settings.blockSize) : [];
  const georef = { transform: layout.transform, srsWkt: layout.srsWkt };
  const base = { width: layout.width, height: layout.height, dataType: settings.dataType.gdal, nodata, metadata };
  const strips = ordered.map((p) => ({ path: p.path, y: p.y, height: p.height }));
  let joined: string | undefined;
  try {
    let source: VrtSource;
    if (factors.length === 0) {
      source = { ...base, path: ordered[0].path, ...(ordered.length > 1 ? { strips } : {}) };
    } else {
      // Overviews are built on one uncompressed file (much cheaper than the COG driver computing them).
      let single = ordered[0].path;
      if (ordered.length > 1) {
        joined = scratchPath(ctx.workDir, 'tif');
        single = await joinStrips(describedVrt({ ...base, path: single, strips }, layout.bands, georef), joined, ctx);
      }
      await buildOverviews(single, nodata, settings.resampling, factors);
      source = { ...base, path: single, overviews: factors.length };
    }
    ctx.signal.throwIfAborted();
    const src = await gdal.openAsync(describedVrt(source, layout.bands, georef));
    try {
      const cog = await gdal.drivers.get('COG').createCopyAsync(target, src, {
        COMPRESS: settings.compression,
        BLOCKSIZE: String(settings.blockSize),
        OVERVIEWS: factors.length > 0 ? 'FORCE_USE_EXISTING' : 'NONE',
        BIGTIFF: 'IF_SAFER',
        NUM_THREADS: String(threadCount(ctx.config.processing.threads)),
        ...(settings.compression !== 'NONE' && !settings.dataType.integer ? { PREDICTOR: 'YES' } : {}),
      });
      cog.close();
    } finally {
      src.close();
    }
  } finally {
    if (joined) await removeQuietly(joined);
  }
}

/** Copies the strips (a VRT mosaic) into one tiled GeoTIFF laid out like a one-part result. */
async function joinStrips(vrt: string, target: string, ctx: AssembleContext): Promise<string> {
  const src = await gdal.openAsync(vrt);
  try {
    const tile = String(ctx.config.processing.tileSize);
    const copy = await gdal.drivers.get('GTiff').createCopyAsync(target, src, {
      TILED: 'YES',
      BLOCKXSIZE: tile,
      BLOCKYSIZE: tile,
      BIGTIFF: 'IF_SAFER',
    });
    copy.close();
  } finally {
    src.close();
  }
  return target;
}

async function buildOverviews(file: string, nodata: number | null, resampling: string, factors: number[]): Promise<void> {
  const ds = await gdal.openAsync(file, 'r+');
  try {
    // Declared first, so overviews average valid pixels and skip only real no-data.
    for (let i = 1; i <= ds.bands.count(); i++) (await ds.bands.getAsync(i)).noDataValue = nodata;
    await ds.buildOverviewsAsync(resampling.toUpperCase(), factors);
    await ds.flushAsync();
  } finally {
    ds.close();
  }
}
