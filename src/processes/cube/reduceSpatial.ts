import { defineProcess } from '../define';
import { PixelArray } from '../types';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { TileContext } from '../../raster/cube/model';
import { forEachTile } from '../../raster/tiles';
import { parameterInvalid, requireCallback, requireCube, toTileVector } from './common';

/** The reducer sees every pixel at once, so the cube must fit in memory: at most this many values. */
const MAX_CELLS = 50_000_000;
/** …and at most this many pixels (one vector per pixel). */
const MAX_PIXELS = 4_000_000;

/** x and y reduced to one value per band, date, …: a cube without grid, computed once on first use. */
class SpatialReducedCube extends DataCube {
  private result?: Promise<Float64Array>;

  constructor(
    private readonly parent: DataCube,
    private readonly reducer: Callback,
    private readonly context: unknown,
    private readonly tileSize: number,
  ) {
    super({ dims: parent.dims, grid: null, order: parent.order.filter((n) => n !== parent.grid!.xName && n !== parent.grid!.yName) });
  }

  protected computeTile(_win: unknown, ctx: TileContext): Promise<Float64Array> {
    this.result ??= this.compute(ctx);
    return this.result.then((values) => values.slice());
  }

  private async compute(ctx: TileContext): Promise<Float64Array> {
    const grid = this.parent.grid!;
    const cells = this.parent.cellsPerPixel;
    // One vector per pixel (its values for every cell), filled tile by tile.
    const vectors = Array.from({ length: grid.width * grid.height }, () => new Float64Array(cells));
    await forEachTile(this.parent, ctx, this.tileSize, (tile, win) => {
      const pixels = win.width * win.height;
      for (let p = 0; p < pixels; p++) {
        const v = vectors[(win.y + Math.floor(p / win.width)) * grid.width + win.x + (p % win.width)];
        for (let c = 0; c < cells; c++) v[c] = tile[c * pixels + p];
      }
    });
    const labels = vectors.map((_, k) => k);
    const result = await this.reducer.run({ data: new PixelArray(vectors, labels, cells), context: this.context });
    return toTileVector(result, cells, 'reduce_spatial', 'reducer');
  }
}

export const reduceSpatialProcess = defineProcess(
  'reduce_spatial',
  {
    summary: 'Reduce x and y',
    description:
      'Combines all pixels of each x/y plane (every band, date, …) into one value with the reducer. The reducer receives all pixels ' +
      'at once, so the cube is limited to 50 million values and 4 million pixels.',
    parameters: {
      data: 'A raster data cube.',
      reducer: 'The child process that turns all values of a plane (`data`, with `context`) into one value.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'The data cube without x and y.',
  },
  (args, ctx) => {
    const cube = requireCube(args.data, 'reduce_spatial');
    const reducer = requireCallback(args.reducer, 'reduce_spatial', 'reducer');
    if (!cube.grid) throw parameterInvalid('reduce_spatial', 'data', 'the data cube has no x/y dimensions');
    if (cube.size > MAX_CELLS || cube.grid.width * cube.grid.height > MAX_PIXELS) {
      throw parameterInvalid('reduce_spatial', 'data', `the cube is too large to reduce over x and y at once (${cube.size} values)`);
    }
    return new SpatialReducedCube(cube, reducer, args.context ?? null, ctx.config.processing.tileSize);
  },
);
