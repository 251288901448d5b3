import { DataCube } from '../raster/cube/DataCube';
import { TileContext, TileWindow, windowPixels } from '../raster/cube/model';
import { PixelShape, pixelShape } from './rasterize';
import { reprojectSet } from '../geometry/reproject';
import type { GeometrySet } from '../geometry/types';

/** Marks the pixels of `win` covered by any of the shapes (pixel-centre rule). */
export function coverage(shapes: PixelShape[], win: TileWindow): Uint8Array {
  const covered = new Uint8Array(windowPixels(win));
  for (const shape of shapes) {
    const b = shape.bounds;
    if (!b || b[2] < win.x || b[0] > win.x + win.width || b[3] < win.y || b[1] > win.y + win.height) continue;
    for (const i of shape.pixelsIn(win)) covered[i] = 1;
  }
  return covered;
}

/**
 * mask_polygon as a lazy cube: per tile, the polygons (reprojected once to the grid CRS) are
 * rasterised into the window and the pixels outside (or inside, with `inside`) are replaced.
 */
export class PolygonMaskCube extends DataCube {
  private readonly shapes: PixelShape[];

  constructor(
    private readonly data: DataCube,
    polygons: GeometrySet,
    private readonly replacement: number,
    private readonly inside: boolean,
  ) {
    super({ dims: data.dims, grid: data.grid, order: data.order });
    const grid = data.grid!;
    this.shapes = reprojectSet(polygons, grid.crs).features.map((f) => pixelShape(f.geometry, grid));
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const values = await this.data.tile(win, ctx);
    const covered = coverage(this.shapes, win);
    const pixels = covered.length;
    // Pixels to replace have covered === replaceWhen.
    const replaceWhen = this.inside ? 1 : 0;
    const cells = this.cellsPerPixel;
    for (let p = 0; p < pixels; p++) {
      if (covered[p] !== replaceWhen) continue;
      for (let c = 0; c < cells; c++) values[c * pixels + p] = this.replacement;
    }
    return values;
  }
}
