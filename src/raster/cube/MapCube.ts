import { DataCube } from './DataCube';
import { LabelDimension, SpatialGrid, TileContext, TileWindow } from './model';

export type TileFunction = (parentTile: Float64Array, win: TileWindow, ctx: TileContext) => Promise<Float64Array> | Float64Array;

/**
 * A cube whose tiles are a function of the same window of its parent's tiles
 * (apply, reduce_dimension, ndvi...). The function may change the non-spatial dimensions
 * but never the grid.
 */
export class MapCube extends DataCube {
  constructor(
    private readonly parent: DataCube,
    shape: { dims: LabelDimension[]; grid: SpatialGrid | null; order?: string[] },
    private readonly fn: TileFunction,
  ) {
    super(shape);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const source = await this.parent.tile(win, ctx);
    return this.fn(source, win, ctx);
  }
}
