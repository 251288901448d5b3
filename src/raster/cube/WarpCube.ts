import gdal from 'gdal-async';
import { DataCube } from './DataCube';
import { SpatialGrid, TileContext, TileWindow, gridBounds, subGrid, windowPixels } from './model';
import { sameCrs, spatialReference, transformBounds } from '../gdal/srs';
import { gdalBuffer } from '../gdal/typedArrays';
import { AlignedTileCache } from './AlignedTileCache';
import { copyOverlap, halves } from './windows';

/** The resampling methods (openEO and gdalwarp `-r` use the same names). */
export const WARP_METHODS = new Set(['near', 'bilinear', 'cubic', 'cubicspline', 'lanczos', 'average', 'mode', 'max', 'min', 'med', 'q1', 'q3', 'sum', 'rms']);

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
      const suggested = gdal.suggestedWarpOutput({ src: ds, s_srs: ds.srs!, t_srs: spatialReference(crs), maxError: 0.125 });
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

/**
 * The parent cube warped onto another grid with GDAL. Each target tile is computed from the
 * source window it covers plus a margin for the resampling kernel, so results match a warp of
 * the whole grid while memory stays one (source and target) tile per band.
 */
export class WarpCube extends DataCube {
  /** Largest source window (pixels) read at once for one target window; larger ones are split in halves. */
  static maxSourcePixels = 2048 * 2048;

  private readonly margin: number;
  /** Source windows from a lattice of parent tiles, when the parent is cheap to cache (see AlignedTileCache). */
  private readonly sourceTiles: AlignedTileCache | null;

  constructor(
    private readonly parent: DataCube,
    target: SpatialGrid,
    private readonly method: string,
  ) {
    super({ dims: parent.dims, grid: { ...target, xName: parent.grid!.xName, yName: parent.grid!.yName }, order: parent.order });
    const src = parent.grid!;
    // Source pixels per target pixel (in the target CRS, roughly): kernels widen when downsampling.
    const srcBounds = transformBounds(gridBounds(src), src.crs, target.crs);
    const ratio = srcBounds
      ? Math.max(((target.transform[1] * src.width) / Math.max(1e-300, srcBounds[2] - srcBounds[0])), 1)
      : 1;
    this.margin = Math.ceil((RADIUS[method] ?? 1) * ratio) + 2;
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

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * windowPixels(win)).fill(NaN);
    if (cells === 0) return out;
    const srcWin = this.sourceWindow(win);
    if (!srcWin) return out;
    if (windowPixels(srcWin) > WarpCube.maxSourcePixels && (win.width > 1 || win.height > 1)) {
      // Strong downsampling: warp the halves separately so the source read stays bounded.
      for (const half of halves(win)) copyOverlap(await this.computeTile(half, ctx), half, out, win, cells);
      return out;
    }
    const target = subGrid(this.grid!, win);
    const src = this.parent.grid!;
    const values = this.sourceTiles ? await this.sourceTiles.window(srcWin, ctx) : await this.parent.tile(srcWin, ctx);
    const srcPixels = windowPixels(srcWin);
    const srcDs = gdal.open('', 'w', 'MEM', srcWin.width, srcWin.height, cells, gdal.GDT_Float64);
    const dstDs = gdal.open('', 'w', 'MEM', win.width, win.height, cells, gdal.GDT_Float64);
    try {
      const srcGrid = subGrid(src, srcWin);
      srcDs.srs = spatialReference(src.crs);
      srcDs.geoTransform = [...srcGrid.transform];
      dstDs.srs = spatialReference(target.crs);
      dstDs.geoTransform = [...target.transform];
      const bands = Array.from({ length: cells }, (_, k) => k + 1);
      for (const k of bands) {
        const band = srcDs.bands.get(k);
        band.noDataValue = NaN;
        await band.pixels.writeAsync(0, 0, srcWin.width, srcWin.height, gdalBuffer(values.subarray((k - 1) * srcPixels, k * srcPixels)));
        const dst = dstDs.bands.get(k);
        dst.noDataValue = NaN;
        await dst.fillAsync(NaN);
      }
      // The gdalwarp library call (rather than the bare warper) offers every resampling method.
      await gdal.warpAsync(null, dstDs, [srcDs], ['-r', this.method, '-srcnodata', 'nan', '-dstnodata', 'nan', '-et', '0.125', '-wo', 'INIT_DEST=NO_DATA']);
      const pixels = windowPixels(win);
      for (const k of bands) {
        const part = out.subarray((k - 1) * pixels, k * pixels);
        await dstDs.bands.get(k).pixels.readAsync(0, 0, win.width, win.height, gdalBuffer(new Float64Array(part.buffer, part.byteOffset, pixels)));
      }
    } finally {
      srcDs.close();
      dstDs.close();
    }
    return out;
  }
}
