import { DataCube } from './DataCube';
import { TileContext, TileWindow, subGrid } from './model';

/** A spatial crop of its parent: tiles are read from the parent at an offset. */
export class WindowCube extends DataCube {
  constructor(
    private readonly parent: DataCube,
    private readonly window: TileWindow,
  ) {
    if (!parent.grid) throw new Error('WindowCube needs a cube with a spatial grid');
    super({ dims: parent.dims, grid: subGrid(parent.grid, window), order: parent.order });
  }

  /** A crop computes its tiles as its parent does. */
  get parallelTiles(): boolean {
    return this.parent.parallelTiles;
  }

  protected computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    return this.parent.tile({ ...win, x: win.x + this.window.x, y: win.y + this.window.y }, ctx);
  }

  narrowLabels(dimIndex: number, indices: number[]): DataCube | undefined {
    const narrowed = this.parent.narrowLabels(dimIndex, indices);
    return narrowed ? new WindowCube(narrowed, this.window) : undefined;
  }
}
