import { DataCube } from '../raster/cube/DataCube';
import { LabelDimension, TileContext, TileWindow, windowPixels } from '../raster/cube/model';
import { tileWindows } from '../raster/tiles';
import { PixelShape, pixelShape, touchedWindows } from './rasterize';
import { reprojectSet } from '../geometry/reproject';
import { geometryDimension } from './cube';
import type { GeometrySet } from '../geometry/types';

/** Values of every pixel of one geometry, pixel after pixel, each pixel with all its cells (dates × bands …). */
class PixelValues {
  private buffer: Float64Array;
  private used = 0;

  constructor(private readonly cells: number) {
    this.buffer = new Float64Array(cells * 64);
  }

  get pixelCount(): number {
    return this.used / this.cells;
  }

  /** Appends the pixels `indices` of a tile (tile layout: cell-major planes of `pixels` values). */
  append(tile: Float64Array, pixels: number, indices: Int32Array): void {
    const needed = this.used + indices.length * this.cells;
    if (needed > this.buffer.length) {
      const grown = new Float64Array(Math.max(needed, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    let o = this.used;
    for (let k = 0; k < indices.length; k++) {
      const p = indices[k];
      for (let c = 0; c < this.cells; c++) this.buffer[o++] = tile[c * pixels + p];
    }
    this.used = o;
  }

  /** One vector per pixel, each holding that pixel's value for every cell (views, no copies). */
  perPixel(): Float64Array[] {
    const out: Float64Array[] = [];
    for (let o = 0; o < this.used; o += this.cells) out.push(this.buffer.subarray(o, o + this.cells));
    return out;
  }
}

/**
 * Reduces the values of the pixels of one geometry: `pixels[k][c]` is pixel k's value in cell c;
 * returns one value per cell (times the size of any added dimension, which varies fastest).
 */
export type GeometryReducer = (pixels: Float64Array[], cells: number) => Promise<Float64Array>;

/**
 * aggregate_spatial as a lazy cube: the raster is read tile by tile, only where geometries are,
 * each tile once; a geometry's pixel values are gathered until the last tile it touches has been
 * read, then reduced and dropped, so memory stays bounded by the largest geometry.
 * The result holds [geometry, …the raster's other dimensions] without a grid.
 */
export class AggregatedCube extends DataCube {
  private result: Promise<Float64Array> | undefined;

  constructor(
    private readonly raster: DataCube,
    private readonly geometries: GeometrySet,
    private readonly reduce: GeometryReducer,
    private readonly tileSize: number,
    extraDims: LabelDimension[] = [],
  ) {
    const geometryDim = geometryDimension(geometries);
    const spatial = new Set(raster.grid ? [raster.grid.xName, raster.grid.yName] : []);
    super({
      dims: [geometryDim, ...raster.dims, ...extraDims],
      grid: null,
      order: [geometryDim.name, ...raster.order.filter((n) => !spatial.has(n)), ...extraDims.map((d) => d.name)],
    });
  }

  protected computeTile(_win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    // Keep the first computation: every consumer of this small cube reads the single tile.
    this.result ??= this.aggregate(ctx);
    return this.result.then((values) => values.slice());
  }

  private async aggregate(ctx: TileContext): Promise<Float64Array> {
    const grid = this.raster.grid!;
    const cells = this.raster.cellsPerPixel;
    const count = this.geometries.features.length;
    // Values per geometry in the result: the raster's cells times any added dimension.
    const outCells = count === 0 ? 0 : this.cellsPerPixel / count;
    const out = new Float64Array(count * outCells).fill(NaN);
    const projected = reprojectSet(this.geometries, grid.crs);
    const shapes: PixelShape[] = projected.features.map((f) => pixelShape(f.geometry, grid));
    const windows = [...tileWindows(grid, this.tileSize)];
    // For each window: the geometries touching it, and those whose last window it is.
    const touching: number[][] = windows.map(() => []);
    const finishing: number[][] = windows.map(() => []);
    shapes.forEach((shape, g) => {
      const touched = touchedWindows(shape, windows);
      for (const w of touched) touching[w].push(g);
      if (touched.length > 0) finishing[touched[touched.length - 1]].push(g);
    });
    const gathered = new Map<number, PixelValues>();
    for (let w = 0; w < windows.length; w++) {
      if (touching[w].length === 0) continue;
      ctx.signal.throwIfAborted();
      const win = windows[w];
      const tile = await this.raster.tile(win, ctx);
      const pixels = windowPixels(win);
      for (const g of touching[w]) {
        const indices = shapes[g].pixelsIn(win);
        if (indices.length === 0) continue;
        let values = gathered.get(g);
        if (!values) gathered.set(g, (values = new PixelValues(cells)));
        values.append(tile, pixels, indices);
      }
      for (const g of finishing[w]) {
        const values = gathered.get(g);
        gathered.delete(g);
        // Geometries without any pixel centre in the data stay no-data, the reducer is not called.
        if (!values || values.pixelCount === 0) continue;
        out.set(await this.reduce(values.perPixel(), cells), g * outCells);
      }
    }
    return out;
  }
}
