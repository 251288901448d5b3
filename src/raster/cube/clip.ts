import { SpatialGrid, TileWindow } from './model';

/** Index range [first, last] of cells whose centres lie within [lo, hi] (inclusive), or null. */
function axisRange(origin: number, step: number, count: number, lo: number, hi: number): [number, number] | null {
  const a = (lo - origin) / step - 0.5;
  const b = (hi - origin) / step - 0.5;
  // A tiny tolerance keeps centres exactly on the border inside despite rounding.
  const first = Math.max(0, Math.ceil(Math.min(a, b) - 1e-9));
  const last = Math.min(count - 1, Math.floor(Math.max(a, b) + 1e-9));
  return first <= last ? [first, last] : null;
}

/**
 * The window of pixels whose centres lie inside `bounds` ([west, south, east, north] in the
 * grid's CRS), borders included; null when no pixel centre is inside.
 */
export function clipWindow(grid: SpatialGrid, bounds: [number, number, number, number]): TileWindow | null {
  const [x0, dx, , y0, , dy] = grid.transform;
  const cols = axisRange(x0, dx, grid.width, bounds[0], bounds[2]);
  const rows = axisRange(y0, dy, grid.height, bounds[1], bounds[3]);
  if (!cols || !rows) return null;
  return { x: cols[0], y: rows[0], width: cols[1] - cols[0] + 1, height: rows[1] - rows[0] + 1 };
}
