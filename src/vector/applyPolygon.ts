import { DataCube } from '../raster/cube/DataCube';
import { LabelDimension, SpatialGrid, TileContext, TileWindow, windowPixels } from '../raster/cube/model';
import { ProcessException } from '../errors/ProcessException';
import { PixelShape } from './rasterize';

/** One polygon's part of apply_polygon: its window of the grid, its pixels and the cube the process made of them. */
export interface PolygonPart {
  window: TileWindow;
  shape: PixelShape;
  result: DataCube;
}

function intersect(a: TileWindow, b: TileWindow): TileWindow | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x && y1 > y ? { x, y, width: x1 - x, height: y1 - y } : null;
}

/**
 * apply_polygon's result: per tile, every pixel covered by a polygon takes the value the process
 * computed for that polygon's sub-cube; the other pixels get the mask value. A pixel covered
 * twice is a GeometriesOverlap error (found when its tile is computed).
 */
export class PolygonPatchCube extends DataCube {
  constructor(
    shape: { dims: LabelDimension[]; grid: SpatialGrid; order: string[] },
    private readonly parts: PolygonPart[],
    private readonly maskValue: number,
  ) {
    super(shape);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const pixels = windowPixels(win);
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * pixels).fill(this.maskValue);
    const covered = new Uint8Array(pixels);
    for (const part of this.parts) {
      const common = intersect(win, part.window);
      if (!common) continue;
      const indices = part.shape.pixelsIn(win);
      if (indices.length === 0) continue;
      const sub = await part.result.tile({ x: common.x - part.window.x, y: common.y - part.window.y, width: common.width, height: common.height }, ctx);
      const subPixels = windowPixels(common);
      for (const p of indices) {
        if (covered[p]) throw new ProcessException('GeometriesOverlap', 'Some polygons overlap: a pixel centre lies in more than one of them.');
        covered[p] = 1;
        const row = Math.floor(p / win.width) + win.y - common.y;
        const col = (p % win.width) + win.x - common.x;
        const q = row * common.width + col;
        for (let c = 0; c < cells; c++) out[c * pixels + p] = sub[c * subPixels + q];
      }
    }
    return out;
  }
}
