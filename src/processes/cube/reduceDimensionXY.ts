import { PixelArray } from '../types';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { LabelDimension, TileContext, axisCoordinates } from '../../raster/cube/model';
import { readAll } from '../../raster/tiles';
import { parameterInvalid, toTileVector } from './common';

/** Reducing x or y needs the whole cube at once, so it is only allowed for cubes up to this many values. */
const MAX_CELLS = 50_000_000;

/**
 * The result of reducing x or y: without a grid, the remaining spatial axis becomes a labelled
 * dimension (labels = coordinates). Computed once, on first use, from the whole parent cube.
 */
class SpatialReductionCube extends DataCube {
  private result?: Promise<Float64Array>;

  constructor(
    private readonly parent: DataCube,
    private readonly axis: 'x' | 'y',
    private readonly reducer: Callback,
    private readonly context: unknown,
    dims: LabelDimension[],
    order: string[],
  ) {
    super({ dims, grid: null, order });
  }

  protected computeTile(_win: unknown, ctx: TileContext): Promise<Float64Array> {
    this.result ??= this.compute(ctx);
    return this.result.then((values) => values.slice());
  }

  private async compute(ctx: TileContext): Promise<Float64Array> {
    const grid = this.parent.grid!;
    const full = await readAll(this.parent, ctx);
    const cells = this.parent.cellsPerPixel;
    const { width: W, height: H } = grid;
    const labels = axisCoordinates(grid, this.axis);
    const keep = this.axis === 'x' ? H : W;
    const vectors = labels.map((_, k) => {
      const v = new Float64Array(cells * keep);
      for (let c = 0; c < cells; c++) {
        for (let j = 0; j < keep; j++) {
          v[c * keep + j] = this.axis === 'x' ? full[(c * H + j) * W + k] : full[(c * H + k) * W + j];
        }
      }
      return v;
    });
    const length = cells * keep;
    const result = await this.reducer.run({ data: new PixelArray(vectors, labels, length), context: this.context });
    return toTileVector(result, length, 'reduce_dimension', 'reducer');
  }
}

/** reduce_dimension over x or y: one value per row or column, the other spatial axis kept. */
export function reduceAlongXY(cube: DataCube, name: string, reducer: Callback, context: unknown): DataCube {
  if (cube.size > MAX_CELLS) {
    throw parameterInvalid('reduce_dimension', 'dimension', `reducing '${name}' needs the whole cube in memory; this cube has ${cube.size} values`);
  }
  const grid = cube.grid!;
  const axis = name === grid.xName ? 'x' : 'y';
  const remainingName = axis === 'x' ? grid.yName : grid.xName;
  const remaining: LabelDimension = { name: remainingName, type: 'other', labels: axisCoordinates(grid, axis === 'x' ? 'y' : 'x') };
  const dims = [...cube.dims, remaining];
  const order = cube.order.filter((n) => n !== name);
  return new SpatialReductionCube(cube, axis, reducer, context, dims, order);
}
