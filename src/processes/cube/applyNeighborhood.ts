import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import type { Callback } from '../types';
import { DataCube, isDataCube } from '../../raster/cube/DataCube';
import { MemoryCube } from '../../raster/cube/MemoryCube';
import { readWithHalo } from '../../raster/cube/halo';
import { TileContext, TileWindow, fullWindow, subGrid, windowPixels } from '../../raster/cube/model';
import { parameterInvalid, requireCallback, requireCube } from './common';

/** The largest neighbourhood (with overlap) handed to the child process at once, in pixels. */
const MAX_CHUNK_PIXELS = 4096 * 4096;
/** …and at most this many values over all its dates, bands, etc. */
const MAX_CHUNK_VALUES = 32_000_000;
/** Chunk results kept for neighbouring tiles (a chunk may serve up to four tiles). */
const CACHE_SIZE = 8;

interface Extent {
  dimension: string;
  value: number | null;
}

/** Reads `size` / `overlap` entries: pixels per dimension (metres converted with the grid resolution), null for "all". */
function readExtents(value: unknown, parameter: string, cube: DataCube): Map<string, number | null> {
  const out = new Map<string, number | null>();
  if (value === null || value === undefined) return out;
  if (!Array.isArray(value)) throw parameterInvalid('apply_neighborhood', parameter, 'expected an array of {dimension, value, unit}');
  const grid = cube.grid!;
  for (const entry of value as Array<Record<string, unknown>>) {
    const name = String(entry?.dimension);
    const spatial = name === grid.xName || name === grid.yName;
    if (!spatial && !cube.dims.some((d) => d.name === name)) {
      throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
    }
    const raw = entry.value ?? null;
    if (raw === null) {
      out.set(name, null);
      continue;
    }
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
      throw parameterInvalid('apply_neighborhood', parameter, `the ${name} extent must be a non-negative number of pixels or metres, or null`);
    }
    let pixels = raw;
    if (entry.unit === 'm') {
      if (!spatial) throw parameterInvalid('apply_neighborhood', parameter, `metres only apply to x and y, not '${name}'`);
      pixels = raw / Math.abs(name === grid.xName ? grid.transform[1] : grid.transform[5]);
    }
    out.set(name, Math.round(pixels) as Extent['value']);
  }
  return out;
}

/**
 * Runs the child process on chunks of `size` pixels plus `overlap` on each side (no-data beyond
 * the grid) and keeps the centre of what it returns. Tiles are assembled from the chunks they
 * touch; recent chunk results are cached for neighbouring tiles.
 */
class NeighborhoodCube extends DataCube {
  private readonly cache = new Map<string, Promise<Float64Array>>();

  constructor(
    private readonly parent: DataCube,
    private readonly process: Callback,
    private readonly context: unknown,
    private readonly sx: number,
    private readonly sy: number,
    private readonly ox: number,
    private readonly oy: number,
  ) {
    super({ dims: parent.dims, grid: parent.grid, order: parent.order });
  }

  private chunk(cx: number, cy: number, ctx: TileContext): Promise<Float64Array> {
    const key = `${cx},${cy}`;
    let result = this.cache.get(key);
    if (!result) {
      result = this.computeChunk(cx, cy, ctx);
      this.cache.set(key, result);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      result.catch(() => this.cache.delete(key));
    }
    return result;
  }

  /** The chunk's own window (without overlap) in the tile layout. */
  private async computeChunk(cx: number, cy: number, ctx: TileContext): Promise<Float64Array> {
    const grid = this.grid!;
    const win = { x: cx * this.sx, y: cy * this.sy, width: Math.min(this.sx, grid.width - cx * this.sx), height: Math.min(this.sy, grid.height - cy * this.sy) };
    const values = await readWithHalo(this.parent, win, this.ox, this.oy, NaN, ctx);
    const outer = { x: win.x - this.ox, y: win.y - this.oy, width: win.width + 2 * this.ox, height: win.height + 2 * this.oy };
    const input = new MemoryCube({ dims: this.dims, grid: subGrid(grid, outer), order: this.order }, values);
    const result = await this.process.run({ data: input, context: this.context });
    if (!isDataCube(result)) throw parameterInvalid('apply_neighborhood', 'process', 'the child process must return a data cube');
    const same =
      result.grid !== null && result.grid.width === outer.width && result.grid.height === outer.height &&
      result.dims.length === this.dims.length && result.dims.every((d, i) => d.name === this.dims[i].name && d.labels.length === this.dims[i].labels.length);
    if (!same) {
      throw new ProcessException('DataCubePropertiesImmutable', 'The child process of apply_neighborhood must return a cube with the dimensions and size it received.');
    }
    const all = await result.tile(fullWindow(result.grid), ctx);
    // Keep the centre: the chunk without its overlap.
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * windowPixels(win));
    for (let c = 0; c < cells; c++) {
      for (let r = 0; r < win.height; r++) {
        const from = c * outer.width * outer.height + (r + this.oy) * outer.width + this.ox;
        out.set(all.subarray(from, from + win.width), c * win.width * win.height + r * win.width);
      }
    }
    return out;
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * windowPixels(win));
    const grid = this.grid!;
    for (let cy = Math.floor(win.y / this.sy); cy * this.sy < win.y + win.height; cy++) {
      for (let cx = Math.floor(win.x / this.sx); cx * this.sx < win.x + win.width; cx++) {
        const chunk = await this.chunk(cx, cy, ctx);
        const x0 = cx * this.sx, y0 = cy * this.sy;
        const cw = Math.min(this.sx, grid.width - x0), ch = Math.min(this.sy, grid.height - y0);
        const xa = Math.max(x0, win.x), xb = Math.min(x0 + cw, win.x + win.width);
        const ya = Math.max(y0, win.y), yb = Math.min(y0 + ch, win.y + win.height);
        for (let c = 0; c < cells; c++) {
          for (let y = ya; y < yb; y++) {
            const from = c * cw * ch + (y - y0) * cw + (xa - x0);
            out.set(chunk.subarray(from, from + xb - xa), c * windowPixels(win) + (y - win.y) * win.width + (xa - win.x));
          }
        }
      }
    }
    return out;
  }
}

export const applyNeighborhood = defineProcess(
  'apply_neighborhood',
  {
    summary: 'Apply a process to spatial neighbourhoods',
    description:
      'Cuts the x/y grid into chunks of `size` (pixels or metres) and runs the child process on each chunk, enlarged by `overlap` on ' +
      'every side (no-data beyond the edge of the cube). The child process receives the chunk as a data cube with all other ' +
      'dimensions and must return a cube of the same shape; only the centre (without overlap) is kept. Along dimensions other than ' +
      'x and y the neighbourhood is always the whole dimension (size `null` or at least the number of labels, no overlap).',
    parameters: {
      data: 'A raster data cube.',
      process: 'The child process: receives one neighbourhood as `data` (a data cube) and returns a cube of the same shape.',
      size: 'Neighbourhood size per dimension: `{dimension, value, unit}` with unit `px` or `m`; `null` value means the whole dimension.',
      overlap: 'Extra pixels (or metres) added on both sides of each neighbourhood along x and y; none by default.',
      context: 'Extra data handed unchanged to the child process.',
    },
    returns: 'The data cube with the values the child process computed, same dimensions as the input.',
    exceptions: {
      DimensionNotAvailable: 'A size or overlap names a dimension the cube does not have.',
      DataCubePropertiesImmutable: 'The child process changed the dimensions, labels or size of the neighbourhood.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'apply_neighborhood');
    const process = requireCallback(args.process, 'apply_neighborhood', 'process');
    if (!cube.grid) throw parameterInvalid('apply_neighborhood', 'data', 'the data cube has no x/y dimensions');
    const grid = cube.grid;
    const size = readExtents(args.size, 'size', cube);
    const overlap = readExtents(args.overlap, 'overlap', cube);
    for (const d of cube.dims) {
      const s = size.get(d.name);
      if (s !== undefined && s !== null && s < d.labels.length) {
        throw parameterInvalid('apply_neighborhood', 'size', `neighbourhoods along '${d.name}' must cover all its ${d.labels.length} labels`);
      }
      if (overlap.get(d.name)) throw parameterInvalid('apply_neighborhood', 'overlap', `overlap is only supported along x and y, not '${d.name}'`);
    }
    const sx = size.get(grid.xName) ?? grid.width;
    const sy = size.get(grid.yName) ?? grid.height;
    const ox = overlap.get(grid.xName) ?? 0;
    const oy = overlap.get(grid.yName) ?? 0;
    if (sx < 1 || sy < 1) throw parameterInvalid('apply_neighborhood', 'size', 'x and y sizes must be at least one pixel');
    const chunkPixels = (Math.min(sx, grid.width) + 2 * ox) * (Math.min(sy, grid.height) + 2 * oy);
    if (chunkPixels > MAX_CHUNK_PIXELS || chunkPixels * cube.cellsPerPixel > MAX_CHUNK_VALUES) {
      throw parameterInvalid(
        'apply_neighborhood',
        'size',
        `a neighbourhood may hold at most ${MAX_CHUNK_PIXELS} pixels and ${MAX_CHUNK_VALUES} values (pixels × dates × bands …) including overlap`,
      );
    }
    return new NeighborhoodCube(cube, process, args.context ?? null, Math.min(sx, Math.max(1, grid.width)), Math.min(sy, Math.max(1, grid.height)), ox, oy);
  },
);
