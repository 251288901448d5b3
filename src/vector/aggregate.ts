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

  /** The grid of the raster being aggregated. */
  get rasterGrid(): NonNullable<DataCube['grid']> {
    return this.raster.grid!;
  }

  /** Values per geometry in the result: the raster's cells times any added dimension. */
  get valuesPerGeometry(): number {
    const count = this.geometries.features.length;
    return count === 0 ? 0 : this.cellsPerPixel / count;
  }

  /**
   * Splits the geometries into groups that can be aggregated apart (a batch job's units), each
   * reading at most about `maxTiles` raster tiles. Groups follow the tile order of the geometries'
   * first tiles, so neighbours share a group and its tile reads. Geometries touching no tile go
   * with the first group (they stay no-data). Fewer than two groups: not worth splitting.
   */
  zoneGroups(maxTiles: number): number[][] {
    const { touched } = this.placement();
    const order = touched.map((tiles, g) => ({ g, first: tiles.length ? tiles[0] : -1, tiles: tiles.length })).sort((a, b) => a.first - b.first || a.g - b.g);
    const groups: number[][] = [];
    let current: number[] = [];
    let tiles = 0;
    for (const { g, tiles: n } of order) {
      if (current.length > 0 && tiles > 0 && tiles + n > maxTiles) {
        groups.push(current);
        current = [];
        tiles = 0;
      }
      current.push(g);
      tiles += n;
    }
    if (current.length) groups.push(current);
    return groups.map((group) => group.sort((a, b) => a - b));
  }

  /** The results of the geometries `indices` only (in that order), reading only the tiles they need. */
  async valuesOf(indices: number[], ctx: TileContext): Promise<Float64Array> {
    const all = await this.aggregate(ctx, new Set(indices));
    const per = this.valuesPerGeometry;
    const out = new Float64Array(indices.length * per);
    indices.forEach((g, i) => out.set(all.subarray(g * per, (g + 1) * per), i * per));
    return out;
  }

  /** Takes results computed elsewhere (by groups, see zoneGroups) instead of computing them. */
  adopt(values: Float64Array): void {
    if (values.length !== this.geometries.features.length * this.valuesPerGeometry) throw new Error('aggregated values do not fit the cube');
    this.result = Promise.resolve(values);
  }

  /** Each geometry's pixel shape on the raster's grid and the tiles it touches, in tile order. */
  private placement() {
    const grid = this.raster.grid!;
    const projected = reprojectSet(this.geometries, grid.crs);
    const shapes: PixelShape[] = projected.features.map((f) => pixelShape(f.geometry, grid));
    const windows = [...tileWindows(grid, this.tileSize)];
    const touched = shapes.map((shape) => touchedWindows(shape, windows));
    return { shapes, windows, touched };
  }

  /** `only`: the geometries to compute (all when absent); the others stay no-data. */
  private async aggregate(ctx: TileContext, only?: Set<number>): Promise<Float64Array> {
    const cells = this.raster.cellsPerPixel;
    const count = this.geometries.features.length;
    const outCells = this.valuesPerGeometry;
    const out = new Float64Array(count * outCells).fill(NaN);
    const { shapes, windows, touched } = this.placement();
    // For each window: the geometries touching it, and those whose last window it is.
    const touching: number[][] = windows.map(() => []);
    const finishing: number[][] = windows.map(() => []);
    touched.forEach((tiles, g) => {
      if (only && !only.has(g)) return;
      for (const w of tiles) touching[w].push(g);
      if (tiles.length > 0) finishing[tiles[tiles.length - 1]].push(g);
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
