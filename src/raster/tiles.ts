import type { DataCube } from './cube/DataCube';
import { SpatialGrid, TileContext, TileWindow, fullWindow } from './cube/model';

/** The windows that cover `grid` in row-major order, each at most tileSize × tileSize. */
export function* tileWindows(grid: SpatialGrid | null, tileSize: number): Generator<TileWindow> {
  if (!grid) {
    yield fullWindow(null);
    return;
  }
  for (let y = 0; y < grid.height; y += tileSize) {
    for (let x = 0; x < grid.width; x += tileSize) {
      yield { x, y, width: Math.min(tileSize, grid.width - x), height: Math.min(tileSize, grid.height - y) };
    }
  }
}

/**
 * Computes the tiles of `cube` one after another and hands each to `consume`; checks the
 * abort signal between tiles so cancelled runs stop early.
 */
export async function forEachTile(
  cube: DataCube,
  ctx: TileContext,
  tileSize: number,
  consume: (tile: Float64Array, win: TileWindow) => Promise<void> | void,
): Promise<void> {
  for (const win of tileWindows(cube.grid, tileSize)) {
    ctx.signal.throwIfAborted();
    const tile = await cube.tile(win, ctx);
    await consume(tile, win);
  }
}

/** Reads the whole cube into one array (only for cubes known to be small). */
export async function readAll(cube: DataCube, ctx: TileContext): Promise<Float64Array> {
  return cube.tile(fullWindow(cube.grid), ctx);
}
