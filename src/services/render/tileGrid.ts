/**
 * The Web Mercator tile grid the renderer draws on: z/x/y to EPSG:3857 bounds and back, which
 * addresses exist, and how many metres one pixel covers.
 */
import { WORLD_HALF_METRES, tileBounds } from '../tileGrid';
import type { TileAddress } from '../types';
import type { SpatialGrid } from '../../raster/cube/model';

/** The deepest zoom the renderer draws (centimetre pixels; deeper is meaningless for raster data). */
export const MAX_RENDER_ZOOM = 24;
export const TILE_SIZE = 256;

/** Whether z/x/y is a tile of the pyramid: 0 ≤ z ≤ 24 and 0 ≤ x, y < 2^z, all whole numbers. */
export function isValidTile({ z, x, y }: TileAddress): boolean {
  if (![z, x, y].every(Number.isInteger) || z < 0 || z > MAX_RENDER_ZOOM) return false;
  const count = 2 ** z;
  return x >= 0 && y >= 0 && x < count && y < count;
}

/** [west, south, east, north] of the tile in EPSG:3857 metres. */
export { tileBounds };

/** Metres (EPSG:3857 units) of one pixel of a tile at zoom z. */
export function metresPerPixel(z: number, size = TILE_SIZE): number {
  return (2 * WORLD_HALF_METRES) / 2 ** z / size;
}

/** The tile (bounds in EPSG:3857) containing a point in EPSG:3857 at zoom z. */
export function tileAt(x: number, y: number, z: number): TileAddress {
  const count = 2 ** z;
  const span = (2 * WORLD_HALF_METRES) / count;
  const clamp = (v: number) => Math.min(count - 1, Math.max(0, v));
  return { z, x: clamp(Math.floor((x + WORLD_HALF_METRES) / span)), y: clamp(Math.floor((WORLD_HALF_METRES - y) / span)) };
}

/** The pixel grid of a view: `size` × `size` pixels over `bounds` in EPSG:3857, north up. */
export function viewGridOf(bounds: [number, number, number, number], size: number): SpatialGrid {
  const [west, south, east, north] = bounds;
  return {
    xName: 'x',
    yName: 'y',
    crs: 'EPSG:3857',
    epsg: 3857,
    transform: [west, (east - west) / size, 0, north, 0, -(north - south) / size],
    width: size,
    height: size,
  };
}
