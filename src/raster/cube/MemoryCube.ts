import { DataCube } from './DataCube';
import { LabelDimension, SpatialGrid, TileWindow, cellsPerPixel } from './model';

/**
 * A cube whose values are all in memory, in the tile layout of model.ts over the whole grid.
 * Used for small cubes (test encodings, results of reductions over spatial dimensions).
 */
export class MemoryCube extends DataCube {
  readonly values: Float64Array;

  constructor(shape: { dims: LabelDimension[]; grid: SpatialGrid | null; order?: string[] }, values: Float64Array) {
    super(shape);
    const pixels = shape.grid ? shape.grid.width * shape.grid.height : 1;
    const expected = cellsPerPixel(shape) * pixels;
    if (values.length !== expected) throw new Error(`MemoryCube needs ${expected} values, got ${values.length}`);
    this.values = values;
  }

  protected async computeTile(win: TileWindow): Promise<Float64Array> {
    const fullWidth = this.grid ? this.grid.width : 1;
    const fullHeight = this.grid ? this.grid.height : 1;
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * win.width * win.height);
    // Copy row segments: callers may modify the tile without touching our values.
    let o = 0;
    for (let c = 0; c < cells; c++) {
      const plane = c * fullWidth * fullHeight;
      for (let row = 0; row < win.height; row++) {
        const start = plane + (win.y + row) * fullWidth + win.x;
        out.set(this.values.subarray(start, start + win.width), o);
        o += win.width;
      }
    }
    return out;
  }
}
