import type { GridInfo } from '../../catalog/types';
import type { Bounds } from '../../gdal/srs';

/** Extent of a file grid in its own CRS: [minX, minY, maxX, maxY] (rotation included). */
export function nativeBounds(grid: GridInfo): Bounds {
  const [ox, px, rx, oy, ry, py] = grid.geoTransform;
  const xs = [ox, ox + px * grid.width, ox + rx * grid.height, ox + px * grid.width + rx * grid.height];
  const ys = [oy, oy + py * grid.height, oy + ry * grid.width, oy + ry * grid.width + py * grid.height];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
