import { DataCube } from './DataCube';
import { LabelDimension, SpatialGrid, TileContext, TileWindow, cellsPerPixel } from './model';

/**
 * The parent's values under new names or labels, or with size-1 dimensions added or removed:
 * changes that leave the tile layout as it is, so tiles pass through untouched.
 */
export class RelabelCube extends DataCube {
  constructor(
    private readonly parent: DataCube,
    shape: { dims: LabelDimension[]; grid: SpatialGrid | null; order: string[] },
  ) {
    if (cellsPerPixel(shape) !== parent.cellsPerPixel || (shape.grid === null) !== (parent.grid === null)) {
      throw new Error('RelabelCube cannot change the tile layout');
    }
    super(shape);
  }

  protected computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    return this.parent.tile(win, ctx);
  }
}
