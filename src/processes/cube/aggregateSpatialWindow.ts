import { defineProcess } from '../define';
import { PixelArray } from '../types';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { readWithHalo } from '../../raster/cube/halo';
import { SpatialGrid, TileContext, TileWindow, windowPixels } from '../../raster/cube/model';
import { copyOverlap, halves } from '../../raster/cube/windows';
import { parameterInvalid, requireCallback, requireCube, toTileVector } from './common';

/**
 * Each output pixel reduces a block of sx × sy source pixels. Block (i, j) starts at source column
 * i·sx + shiftX and row j·sy + shiftY; source pixels outside the grid (padding) are no-data.
 */
export class WindowAggregateCube extends DataCube {
  /** Most source values read at once for one output window; larger windows are computed in halves. */
  static maxSourceValues = 32_000_000;

  constructor(
    private readonly parent: DataCube,
    grid: SpatialGrid,
    private readonly sx: number,
    private readonly sy: number,
    private readonly shiftX: number,
    private readonly shiftY: number,
    private readonly reducer: Callback,
    private readonly context: unknown,
  ) {
    super({ dims: parent.dims, grid, order: parent.order });
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const { sx, sy } = this;
    if (win.width * sx * win.height * sy * this.cellsPerPixel > WindowAggregateCube.maxSourceValues && (win.width > 1 || win.height > 1)) {
      // Large blocks: reduce the window in halves so the source read stays bounded.
      const cells = this.cellsPerPixel;
      const out = new Float64Array(cells * windowPixels(win));
      for (const half of halves(win)) copyOverlap(await this.computeTile(half, ctx), half, out, win, cells);
      return out;
    }
    const src = { x: win.x * sx + this.shiftX, y: win.y * sy + this.shiftY, width: win.width * sx, height: win.height * sy };
    // A window partly outside the grid: readWithHalo fills what lies outside with the constant (no-data).
    const values = await readWithHalo(this.parent, src, 0, 0, NaN, ctx);
    const cells = this.cellsPerPixel;
    const outPixels = windowPixels(win);
    const srcPixels = windowPixels(src);
    const length = cells * outPixels;
    const vectors: Float64Array[] = [];
    for (let by = 0; by < sy; by++) {
      for (let bx = 0; bx < sx; bx++) {
        const v = new Float64Array(length);
        for (let c = 0; c < cells; c++) {
          for (let row = 0; row < win.height; row++) {
            const from = c * srcPixels + (row * sy + by) * src.width + bx;
            const to = c * outPixels + row * win.width;
            for (let col = 0; col < win.width; col++) v[to + col] = values[from + col * sx];
          }
        }
        vectors.push(v);
      }
    }
    const labels = vectors.map((_, k) => k);
    const result = await this.reducer.run({ data: new PixelArray(vectors, labels, length), context: this.context });
    return toTileVector(result, length, 'aggregate_spatial_window', 'reducer');
  }
}

export const aggregateSpatialWindow = defineProcess(
  'aggregate_spatial_window',
  {
    summary: 'Reduce blocks of pixels',
    description:
      'Divides the x/y grid into blocks of `size` pixels and reduces each block to one pixel of a coarser grid, separately for every ' +
      'band, date, etc. When the grid is not a multiple of the block size, `pad` adds no-data pixels and `trim` drops the ' +
      'incomplete blocks, on the side opposite to the `align` corner. The reducer runs on whole tiles of blocks at once.',
    parameters: {
      data: 'A raster data cube.',
      reducer: 'The child process that turns the values of a block (`data`, with `context`) into one value.',
      size: 'Block size in pixels: `[x, y]`.',
      boundary: '`pad` fills incomplete blocks with no-data, `trim` drops them.',
      align: 'The corner where blocks start; padding or trimming happens at the opposite sides.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'The data cube on the coarser grid.',
  },
  (args) => {
    const cube = requireCube(args.data, 'aggregate_spatial_window');
    const reducer = requireCallback(args.reducer, 'aggregate_spatial_window', 'reducer');
    if (!cube.grid) throw parameterInvalid('aggregate_spatial_window', 'data', 'the data cube has no x/y dimensions');
    const size = args.size as unknown[];
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && (v as number) >= 1)) {
      throw parameterInvalid('aggregate_spatial_window', 'size', 'expected two positive integers [x, y]');
    }
    const [sx, sy] = size as number[];
    if (sx * sy > 65_536) throw parameterInvalid('aggregate_spatial_window', 'size', 'blocks may have at most 65536 pixels');
    const grid = cube.grid;
    const pad = (args.boundary ?? 'pad') === 'pad';
    const align = String(args.align ?? 'upper-left');
    const nx = pad ? Math.ceil(grid.width / sx) : Math.floor(grid.width / sx);
    const ny = pad ? Math.ceil(grid.height / sy) : Math.floor(grid.height / sy);
    if (nx === 0 || ny === 0) throw parameterInvalid('aggregate_spatial_window', 'size', 'the blocks are larger than the cube and boundary is trim');
    const shiftX = align.endsWith('right') ? grid.width - nx * sx : 0;
    const shiftY = align.startsWith('lower') ? grid.height - ny * sy : 0;
    const [x0, dx, rx, y0, ry, dy] = grid.transform;
    const target: SpatialGrid = { ...grid, transform: [x0 + shiftX * dx, dx * sx, rx, y0 + shiftY * dy, ry, dy * sy], width: nx, height: ny };
    return new WindowAggregateCube(cube, target, sx, sy, shiftX, shiftY, reducer, args.context ?? null);
  },
);
