import gdal from 'gdal-async';
import { DataCube } from './DataCube';
import { SpatialGrid, TileContext, TileWindow, gridBounds, subGrid, windowPixels } from './model';
import { sameCrs, spatialReference, transformBounds } from '../../gdal/srs';
import { gdalBuffer } from '../../gdal/typedArrays';
import { AlignedTileCache } from './AlignedTileCache';
import { copyOverlap, halves } from './windows';

/** The resampling methods (openEO and gdalwarp `-r` use the same names). */
export const WARP_METHODS = new Set(['near', 'bilinear', 'cubic', 'cubicspline', 'lanczos', 'average', 'mode', 'max', 'min', 'med', 'q1', 'q3', 'sum', 'rms']);

/** gdalwarp's default bound (in pixels) for its approximation of a transformation between CRSs. */
const APPROXIMATION_ERROR = 0.125;

/** Source pixels a method looks at on each side of a sample, before scaling for downsampling. */
const RADIUS: Record<string, number> = { near: 1, bilinear: 1, cubic: 2, cubicspline: 2, lanczos: 3 };

/** An empty dataset (no bands, so nothing is allocated) describing a grid, for GDAL's warp planning. */
function gridDataset(grid: SpatialGrid): gdal.Dataset {
  const ds = gdal.open('', 'w', 'MEM', Math.max(1, grid.width), Math.max(1, grid.height), 0);
  ds.srs = spatialReference(grid.crs);
  ds.geoTransform = [...grid.transform];
  return ds;
}

export type Align = 'upper-left' | 'lower-left' | 'upper-right' | 'lower-right';

/**
 * The grid gdalwarp would create for `source` in `crs` (GDAL's suggested output), with the
 * resolution forced to `resolution` when given (> 0); the extent is then fitted the way gdalwarp
 * `-tr` does, keeping the `align` corner fixed.
 */
export function warpTargetGrid(source: SpatialGrid, crs: string, epsg: number | null, resolution: [number, number] | null, align: Align): SpatialGrid {
  let transform = [...source.transform] as SpatialGrid['transform'];
  let width = source.width;
  let height = source.height;
  if (!sameCrs(source.crs, crs)) {
    const ds = gridDataset(source);
    try {
      const suggested = gdal.suggestedWarpOutput({ src: ds, s_srs: ds.srs!, t_srs: spatialReference(crs), maxError: APPROXIMATION_ERROR });
      transform = suggested.geoTransform as SpatialGrid['transform'];
      width = suggested.rasterSize.x;
      height = suggested.rasterSize.y;
    } finally {
      ds.close();
    }
  }
  if (resolution) {
    const [west, south, east, north] = gridBounds({ ...source, transform, width, height });
    const [rx, ry] = resolution;
    width = Math.max(1, Math.floor((east - west + rx / 2) / rx));
    height = Math.max(1, Math.floor((north - south + ry / 2) / ry));
    const left = align.endsWith('left') ? west : east - width * rx;
    const top = align.startsWith('upper') ? north : south + height * ry;
    transform = [left, rx, 0, top, 0, -ry];
  }
  return { ...source, crs, epsg, transform, width, height };
}

const sameWindow = (a: TileWindow, b: TileWindow) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

/** The smallest window holding all of `windows`. */
function boundingWindow(windows: TileWindow[]): TileWindow {
  const x0 = Math.min(...windows.map((w) => w.x)), y0 = Math.min(...windows.map((w) => w.y));
  const x1 = Math.max(...windows.map((w) => w.x + w.width)), y1 = Math.max(...windows.map((w) => w.y + w.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Target pixels per source pixel along x and y (gdalwarp's XSCALE/YSCALE, which size the
 * resampling kernel), as gdalwarp derives them for one warp of the whole grid: the target size over
 * the part of the source grid it covers. gdalwarp works them out anew for every chunk, so passing
 * these keeps every tile on the kernel of the whole warp; 1 when the grids do not overlap.
 */
export function wholeWarpScale(src: SpatialGrid, target: SpatialGrid): [number, number] {
  const bounds = transformBounds(gridBounds(target), target.crs, src.crs);
  if (!bounds) return [1, 1];
  const [x0, dx, , y0, , dy] = src.transform;
  const cols = [(bounds[0] - x0) / dx, (bounds[2] - x0) / dx];
  const rows = [(bounds[1] - y0) / dy, (bounds[3] - y0) / dy];
  const width = Math.min(src.width, Math.max(...cols)) - Math.max(0, Math.min(...cols));
  const height = Math.min(src.height, Math.max(...rows)) - Math.max(0, Math.min(...rows));
  return width > 0 && height > 0 ? [target.width / width, target.height / height] : [1, 1];
}

/**
 * The parent cube warped onto another grid with GDAL. Each target tile is computed from the
 * source window it covers plus a margin for the resampling kernel, so results match a warp of
 * the whole grid while memory stays one (source and target) tile per band. What gdalwarp would
 * otherwise derive per chunk is fixed per grid, so values do not depend on the tile size: the
 * kernel scale (see wholeWarpScale) and the coordinate transformation (exact on one CRS,
 * approximated along the rows of fixed blocks across CRSs, see partsOf).
 */
export class WarpCube extends DataCube {
  /** Largest source window (pixels) read at once for one target window; larger ones are split in halves. */
  static maxSourcePixels = 2048 * 2048;

  /** Edge of the lattice of target blocks warped one by one when reprojecting (see partsOf). */
  static blockSize = 256;

  private readonly margin: number;
  /** The block edge when the target is warped in fixed blocks, else null. */
  private readonly block: number | null;
  /** gdalwarp options shared by every tile. */
  private readonly warpOptions: string[];
  /** Source windows from a lattice of parent tiles, when the parent is cheap to cache (see AlignedTileCache). */
  private readonly sourceTiles: AlignedTileCache | null;

  constructor(
    private readonly parent: DataCube,
    target: SpatialGrid,
    method: string,
  ) {
    super({ dims: parent.dims, grid: { ...target, xName: parent.grid!.xName, yName: parent.grid!.yName }, order: parent.order });
    const src = parent.grid!;
    // Source pixels per target pixel (in the target CRS, roughly): kernels widen when downsampling.
    const srcBounds = transformBounds(gridBounds(src), src.crs, target.crs);
    const ratio = srcBounds
      ? Math.max(((target.transform[1] * src.width) / Math.max(1e-300, srcBounds[2] - srcBounds[0])), 1)
      : 1;
    this.margin = Math.ceil((RADIUS[method] ?? 1) * ratio) + 2;
    const [xScale, yScale] = wholeWarpScale(src, target);
    // On one CRS the transformation is affine, and GDAL's exact one costs nothing more; across CRSs the
    // exact one costs several times the warp, so gdalwarp's approximation is kept on fixed blocks.
    const reprojects = !sameCrs(src.crs, target.crs);
    this.block = reprojects ? WarpCube.blockSize : null;
    // Fixed blocks also fix the kernel scale gdalwarp derives per block, so only one CRS needs the whole warp's.
    const scale = reprojects ? [] : ['-wo', `XSCALE=${xScale}`, '-wo', `YSCALE=${yScale}`];
    this.warpOptions = [
      '-r', method, '-srcnodata', 'nan', '-dstnodata', 'nan', '-et', reprojects ? String(APPROXIMATION_ERROR) : '0',
      '-wo', 'INIT_DEST=NO_DATA', ...scale,
    ];
    const cache = new AlignedTileCache(parent);
    this.sourceTiles = cache.useful ? cache : null;
  }

  get parallelTiles(): boolean {
    return this.parent.parallelTiles;
  }

  /** The source window (with margin) a target window needs, or null when it lies outside the source. */
  private sourceWindow(win: TileWindow): TileWindow | null {
    const target = subGrid(this.grid!, win);
    const src = this.parent.grid!;
    const bounds = transformBounds(gridBounds(target), target.crs, src.crs);
    if (!bounds) return null;
    const [x0, dx, , y0, , dy] = src.transform;
    const cols = [(bounds[0] - x0) / dx, (bounds[2] - x0) / dx];
    const rows = [(bounds[1] - y0) / dy, (bounds[3] - y0) / dy];
    const c0 = Math.max(0, Math.floor(Math.min(...cols)) - this.margin);
    const c1 = Math.min(src.width, Math.ceil(Math.max(...cols)) + this.margin);
    const r0 = Math.max(0, Math.floor(Math.min(...rows)) - this.margin);
    const r1 = Math.min(src.height, Math.ceil(Math.max(...rows)) + this.margin);
    if (c1 <= c0 || r1 <= r0) return null;
    return { x: c0, y: r0, width: c1 - c0, height: r1 - r0 };
  }

  /**
   * The target windows warped one by one for `win`: the window itself on the same CRS; on a new
   * CRS the blocks of a fixed lattice that `win` touches (clipped to the grid), because gdalwarp
   * approximates the transformation along each warped row, and fixed rows keep values independent
   * of the tile size.
   */
  private partsOf(win: TileWindow): TileWindow[] {
    if (!this.block) return [win];
    const { width, height } = this.grid!;
    const b = this.block;
    const parts: TileWindow[] = [];
    for (let y = Math.floor(win.y / b) * b; y < win.y + win.height; y += b) {
      for (let x = Math.floor(win.x / b) * b; x < win.x + win.width; x += b) {
        parts.push({ x, y, width: Math.min(b, width - x), height: Math.min(b, height - y) });
      }
    }
    return parts;
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const out = new Float64Array(this.cellsPerPixel * windowPixels(win)).fill(NaN);
    if (this.cellsPerPixel === 0) return out;
    const parts = this.partsOf(win);
    await this.warpParts(parts, win, out, ctx);
    return out;
  }

  /** Warps `parts` (target windows) from one source read into `out`, the values of `win`. */
  private async warpParts(parts: TileWindow[], win: TileWindow, out: Float64Array, ctx: TileContext): Promise<void> {
    const cells = this.cellsPerPixel;
    const area = boundingWindow(parts);
    const srcWin = this.sourceWindow(area);
    if (!srcWin) return;
    if (windowPixels(srcWin) > WarpCube.maxSourcePixels && (parts.length > 1 || area.width > 1 || area.height > 1)) {
      // Strong downsampling: warp the parts (or the halves of the one part) separately so the source read stays bounded.
      for (const part of parts.length > 1 ? parts : halves(area)) await this.warpParts([part], win, out, ctx);
      return;
    }
    const src = this.parent.grid!;
    const values = this.sourceTiles ? await this.sourceTiles.window(srcWin, ctx) : await this.parent.tile(srcWin, ctx);
    const srcPixels = windowPixels(srcWin);
    const srcDs = gdal.open('', 'w', 'MEM', srcWin.width, srcWin.height, cells, gdal.GDT_Float64);
    try {
      srcDs.srs = spatialReference(src.crs);
      srcDs.geoTransform = [...subGrid(src, srcWin).transform];
      for (let k = 1; k <= cells; k++) {
        const band = srcDs.bands.get(k);
        band.noDataValue = NaN;
        await band.pixels.writeAsync(0, 0, srcWin.width, srcWin.height, gdalBuffer(values.subarray((k - 1) * srcPixels, k * srcPixels)));
      }
      for (const part of parts) {
        const whole = sameWindow(part, win);
        const values = whole ? out : new Float64Array(cells * windowPixels(part));
        await this.warpPart(srcDs, part, values);
        if (!whole) copyOverlap(values, part, out, win, cells);
      }
    } finally {
      srcDs.close();
    }
  }

  /** One gdalwarp call from `srcDs` onto target window `part`, its values written to `into`. */
  private async warpPart(srcDs: gdal.Dataset, part: TileWindow, into: Float64Array): Promise<void> {
    const cells = this.cellsPerPixel;
    const target = subGrid(this.grid!, part);
    const dstDs = gdal.open('', 'w', 'MEM', part.width, part.height, cells, gdal.GDT_Float64);
    try {
      dstDs.srs = spatialReference(target.crs);
      dstDs.geoTransform = [...target.transform];
      for (let k = 1; k <= cells; k++) {
        const dst = dstDs.bands.get(k);
        dst.noDataValue = NaN;
        await dst.fillAsync(NaN);
      }
      // The gdalwarp library call (rather than the bare warper) offers every resampling method.
      await gdal.warpAsync(null, dstDs, [srcDs], this.warpOptions);
      const pixels = windowPixels(part);
      for (let k = 1; k <= cells; k++) {
        const band = into.subarray((k - 1) * pixels, k * pixels);
        await dstDs.bands.get(k).pixels.readAsync(0, 0, part.width, part.height, gdalBuffer(new Float64Array(band.buffer, band.byteOffset, pixels)));
      }
    } finally {
      dstDs.close();
    }
  }
}
