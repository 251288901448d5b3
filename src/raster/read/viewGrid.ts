/**
 * The grid load_collection reads for a map view (a tile): only the view's area plus a margin, at
 * a pixel size a power-of-two multiple of the native one and no coarser than the view's, so a
 * low zoom never reads full resolution.
 */
import type { LoadView } from '../../run/context';
import { transformBounds } from '../../gdal/srs';
import { clipWindow } from '../cube/clip';
import { SpatialGrid, subGrid } from '../cube/model';

/** Coarse pixels kept around the view, for kernels and the final warp. */
const MARGIN_PIXELS = 3;

/** The view lies entirely outside the data: nothing to read, the tile is empty. */
export class OutsideViewError extends Error {
  constructor() {
    super('The view shows no data of the collection.');
  }
}

/** The largest power of two f with f × native ≤ wanted (1 at least). */
export function decimationFactor(native: number, wanted: number): number {
  let f = 1;
  while (f * 2 * native <= wanted * (1 + 1e-9)) f *= 2;
  return f;
}

/**
 * `grid` (native resolution, already clipped to the graph's extent) reduced to what `view`
 * shows; throws OutsideViewError when the view does not meet it.
 */
export function viewGrid(grid: SpatialGrid, view: LoadView): { grid: SpatialGrid; factor: number } {
  const bounds = transformBounds(view.bounds, view.crs, grid.crs);
  if (!bounds) throw new OutsideViewError();
  const [x0, dx, , y0, , dy] = grid.transform;
  const wanted = Math.min((bounds[2] - bounds[0]) / view.width, (bounds[3] - bounds[1]) / view.height);
  const factor = decimationFactor(Math.max(Math.abs(dx), Math.abs(dy)), wanted);
  const coarse: SpatialGrid = {
    ...grid,
    transform: [x0, dx * factor, 0, y0, 0, dy * factor],
    width: Math.ceil(grid.width / factor),
    height: Math.ceil(grid.height / factor),
  };
  const mx = MARGIN_PIXELS * Math.abs(dx) * factor;
  const my = MARGIN_PIXELS * Math.abs(dy) * factor;
  const window = clipWindow(coarse, [bounds[0] - mx, bounds[1] - my, bounds[2] + mx, bounds[3] + my]);
  if (!window) throw new OutsideViewError();
  return { grid: subGrid(coarse, window), factor };
}
