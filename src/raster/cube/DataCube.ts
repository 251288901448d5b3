import {
  CubeShape,
  LabelDimension,
  SpatialGrid,
  TileContext,
  TileWindow,
  cellsPerPixel,
  defaultOrder,
  windowPixels,
} from './model';
import { describeDimensions } from './describe';

/**
 * A lazy raster data cube: its shape plus a way to compute any window of its grid.
 * Operations wrap their parent cube and compute their tiles from the parent's tiles on
 * demand, so nothing larger than one tile (× dates × bands) is held in memory.
 * See model.ts for the tile layout.
 */
export abstract class DataCube implements CubeShape {
  readonly dims: LabelDimension[];
  readonly grid: SpatialGrid | null;
  readonly order: string[];

  constructor(shape: { dims: LabelDimension[]; grid: SpatialGrid | null; order?: string[] }) {
    this.dims = shape.dims;
    this.grid = shape.grid;
    this.order = shape.order ?? defaultOrder(shape.dims, shape.grid);
  }

  /** Values per pixel (product of the non-spatial dimension sizes). */
  get cellsPerPixel(): number {
    return cellsPerPixel(this);
  }

  /** Total number of cube cells (what a client would download). */
  get size(): number {
    const pixels = this.grid ? this.grid.width * this.grid.height : 1;
    return pixels * this.cellsPerPixel;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /**
   * Whether several tiles of this cube may be computed at the same time. Fused cubes hold
   * little per tile and spread their work over the kernel threads, so they say yes; the
   * general path keeps one tile at a time to bound memory.
   */
  get parallelTiles(): boolean {
    return false;
  }

  /** STAC `cube:dimensions` of this cube (e.g. for batch job result metadata). */
  describe(): Record<string, Record<string, unknown>> {
    return describeDimensions(this);
  }

  /** Computes the values of `win` (in this cube's grid) in the tile layout of model.ts. */
  async tile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    ctx.signal.throwIfAborted();
    const out = await this.computeTile(win, ctx);
    const expected = this.cellsPerPixel * windowPixels(win);
    if (out.length !== expected) {
      throw new Error(`${this.constructor.name} produced ${out.length} values for a tile of ${expected}`);
    }
    return out;
  }

  /**
   * Returns a fresh array the caller may modify. Implementations may assume `win`
   * lies inside the grid.
   */
  protected abstract computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array>;

  /**
   * A cheaper cube restricted to some labels of one dimension, when the implementation can
   * push the selection down (e.g. a reader that then skips files); undefined otherwise.
   */
  narrowLabels(_dimIndex: number, _indices: number[]): DataCube | undefined {
    return undefined;
  }
}

export function isDataCube(value: unknown): value is DataCube {
  return value instanceof DataCube;
}
