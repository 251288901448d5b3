/**
 * The tile renderer of map services: runs a service's process graph through the run service for
 * one tile only (load_collection reads just the tile's area at about its resolution, save_result
 * writes nothing), warps the result onto the tile's Web Mercator grid and colours it as a PNG.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/types';
import { createWorkDir, removeWorkDir } from '../../processes/runContext';
import { OpenEOError } from '../../errors/OpenEOError';
import type { RunCaller, RunService, ProcessDocument } from '../../processes/run';
import type { LoadView } from '../../run/context';
import { DataCube, isDataCube } from '../../raster/cube/DataCube';
import { WarpCube } from '../../raster/cube/WarpCube';
import { fullWindow, gridBounds } from '../../raster/cube/model';
import { OutsideViewError } from '../../raster/read/viewGrid';
import type { RenderableService, TileRenderer, TileView } from '../types';
import { colormapTable } from './colormaps';
import { encodePng } from './png';
import { Selection, selectPicture } from './select';
import { SharedWork } from './sharedWork';
import { Range, percentileRange, stretchToBytes } from './stretch';
import { viewGridOf } from './tileGrid';

export interface TileRendererDeps {
  /** The run service (`ctx.processing.runs`). */
  run: RunService;
  /** The user a service belongs to, with their stored processes (`processing.caller(user)`). */
  caller(userId: string): RunCaller;
  logger: Logger;
  /** The server's configuration: tile runs get their private work folders where every run does. */
  config: Config;
  /** Told after each rendered tile what it cost (for logs and metrics). */
  onTile?(info: { inputPixels: number; milliseconds: number; empty: boolean }): void;
}

/** Pixels per side of the coarse read of the whole result the data-derived stretch comes from. */
const STATISTICS_SIZE = 256;
/** Stretches remembered (service + graph + bands); the oldest is forgotten first. */
const STRETCHES_KEPT = 256;

interface Evaluated {
  cube: DataCube;
  stats: { inputPixels: number };
}

export function createTileRenderer(deps: TileRendererDeps): TileRenderer {
  const stretches = new Map<string, SharedWork<Range[]>>();

  /** Runs the graph, read through `view` when given; null when the view shows no data or the cube is empty. */
  async function evaluate(service: RenderableService, view: LoadView | undefined, signal: AbortSignal, stats = { inputPixels: 0 }): Promise<Evaluated | null> {
    signal.throwIfAborted();
    const workDir = createWorkDir(deps.config);
    try {
      const { value } = await deps.run.run(service.process as unknown as ProcessDocument, {
        ...deps.caller(service.userId),
        logger: deps.logger,
        signal,
        workDir,
        stats,
        defaultOutput: false,
        saveFiles: false,
        ...(view ? { view } : {}),
      });
      if (!isDataCube(value) || !value.grid) {
        throw new OpenEOError('ProcessGraphInvalid', { reason: 'a map service needs a raster data cube (with x and y) as the result' });
      }
      return value.isEmpty ? null : { cube: value, stats };
    } catch (error) {
      if (error instanceof OutsideViewError) return null;
      throw error;
    } finally {
      await removeWorkDir(workDir);
    }
  }

  /** Reads all cells of a selection over its whole (small) grid. */
  async function readAll(selection: Selection, signal: AbortSignal, stats: { inputPixels: number }): Promise<Float64Array> {
    return selection.cube.tile(fullWindow(selection.cube.grid), { signal, stats });
  }

  /** The data-derived stretch per shown band: percentiles of a coarse read of the whole result, at the latest date. */
  async function dataStretch(service: RenderableService, signal: AbortSignal): Promise<Range[]> {
    const whole = await evaluate(service, undefined, signal);
    if (!whole) return [[0, 1]];
    const grid = whole.cube.grid!;
    const bounds = gridBounds(grid);
    const aspect = (bounds[2] - bounds[0]) / Math.max(1e-300, bounds[3] - bounds[1]);
    const view: LoadView = {
      bounds,
      crs: grid.crs,
      width: Math.max(1, Math.round(aspect >= 1 ? STATISTICS_SIZE : STATISTICS_SIZE * aspect)),
      height: Math.max(1, Math.round(aspect >= 1 ? STATISTICS_SIZE / aspect : STATISTICS_SIZE)),
    };
    const coarse = await evaluate(service, view, signal);
    const selection = coarse && selectPicture(coarse.cube, service.configuration.bands, undefined);
    if (!selection) return [[0, 1]];
    const values = await readAll(selection, signal, coarse.stats);
    const pixels = selection.cube.grid!.width * selection.cube.grid!.height;
    const ranges: Range[] = [];
    for (let k = 0; k < selection.cube.cellsPerPixel; k++) ranges.push(percentileRange(values.subarray(k * pixels, (k + 1) * pixels)));
    return ranges;
  }

  function stretchFor(service: RenderableService, signal: AbortSignal): Promise<Range[]> {
    const rescale = service.configuration.rescale;
    if (rescale) return Promise.resolve([rescale, rescale, rescale]);
    const key = JSON.stringify([service.id, service.process, service.configuration.bands ?? null]);
    let shared = stretches.get(key);
    if (!shared?.usable) {
      const work: SharedWork<Range[]> = new SharedWork(
        (s) => dataStretch(service, s),
        () => stretches.get(key) === work && stretches.delete(key),
      );
      shared = work;
      stretches.set(key, work);
      if (stretches.size > STRETCHES_KEPT) stretches.delete(stretches.keys().next().value as string);
    }
    const ranges = shared.join(signal);
    // A failed computation is not remembered: the next tile tries again.
    const entry = shared;
    ranges.catch(() => {
      if (!signal.aborted && stretches.get(key) === entry) stretches.delete(key);
    });
    return ranges;
  }

  async function renderTile(service: RenderableService, view: TileView, signal: AbortSignal): Promise<Buffer | null> {
    const started = Date.now();
    const stats = { inputPixels: 0 };
    const png = await drawTile(service, view, signal, stats);
    const info = { inputPixels: stats.inputPixels, milliseconds: Date.now() - started, empty: png === null };
    deps.logger.debug({ service: service.id, ...info }, 'map tile rendered');
    deps.onTile?.(info);
    return png;
  }

  async function drawTile(service: RenderableService, view: TileView, signal: AbortSignal, stats: { inputPixels: number }): Promise<Buffer | null> {
    const size = view.size;
    const evaluated = await evaluate(service, { bounds: view.bounds, crs: 'EPSG:3857', width: size, height: size }, signal, stats);
    if (!evaluated) return null;
    const selection = selectPicture(evaluated.cube, service.configuration.bands, view.time);
    if (!selection) return null;
    const target = viewGridOf(view.bounds, size);
    const warped = new WarpCube(selection.cube, target, selection.classes ? 'near' : 'bilinear');
    const values = await warped.tile(fullWindow(target), { signal, stats: evaluated.stats });
    const pixels = size * size;
    let anyValue = false;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === values[i]) {
        anyValue = true;
        break;
      }
    }
    if (!anyValue) return null;
    const ranges = await stretchFor(service, signal);
    signal.throwIfAborted();
    const alpha = new Uint8Array(pixels).fill(255);
    const planes = [0, 1, 2].map(() => new Uint8Array(pixels)) as [Uint8Array, Uint8Array, Uint8Array];
    if (warped.cellsPerPixel === 3) {
      for (let k = 0; k < 3; k++) stretchToBytes(values.subarray(k * pixels, (k + 1) * pixels), ranges[k] ?? ranges[0], planes[k], alpha);
    } else {
      const grey = new Uint8Array(pixels);
      stretchToBytes(values.subarray(0, pixels), ranges[0], grey, alpha);
      const lut = colormapTable(service.configuration.colormap);
      const [r, g, b] = planes;
      for (let i = 0; i < pixels; i++) {
        const j = grey[i] * 3;
        r[i] = lut[j];
        g[i] = lut[j + 1];
        b[i] = lut[j + 2];
      }
    }
    for (let i = 0; i < pixels; i++) {
      if (alpha[i] === 0) planes[0][i] = planes[1][i] = planes[2][i] = 0;
    }
    return encodePng([planes[0], planes[1], planes[2], alpha], size, size);
  }

  return {
    render: renderTile,
    async dates(service, signal) {
      const evaluated = await evaluate(service, undefined, signal);
      const time = evaluated?.cube.dims.find((d) => d.type === 'temporal');
      return time ? time.labels.map(String) : [];
    },
  };
}
