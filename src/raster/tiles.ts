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

/** Tiles computed at the same time: enough to keep every kernel thread and GDAL's reads busy. */
let tilesInFlight = 3;

/** Sets how many tiles forEachTile computes at once (from the number of processing threads). */
export function setTilesInFlight(n: number): void {
  tilesInFlight = Math.max(1, Math.floor(n));
}

/**
 * Computes the tiles of `cube` and hands each to `consume` in row-major order. The tiles of
 * cubes that allow it (DataCube.parallelTiles) are computed several at a time, so reads overlap
 * with computing and kernels run on all cores, yet at most `tilesInFlight` are held; the next
 * one starts while the consumer handles one (e.g. writes it). The abort signal is checked
 * before each tile so cancelled runs stop early.
 */
export async function forEachTile(
  cube: DataCube,
  ctx: TileContext,
  tileSize: number,
  consume: (tile: Float64Array, win: TileWindow) => Promise<void> | void,
): Promise<void> {
  const windows = tileWindows(cube.grid, tileSize);
  const queue: Array<{ win: TileWindow; tile: Promise<Float64Array> }> = [];
  const startNext = (): void => {
    const next = windows.next();
    if (next.done) return;
    ctx.signal.throwIfAborted();
    const tile = cube.tile(next.value, ctx);
    // Failures surface when the tile's turn comes; until then they are not unhandled.
    tile.catch(() => undefined);
    queue.push({ win: next.value, tile });
  };
  try {
    const inFlight = cube.parallelTiles ? tilesInFlight : 1;
    for (let i = 0; i < inFlight; i++) startNext();
    while (queue.length > 0) {
      const { win, tile } = queue.shift()!;
      const values = await tile;
      startNext();
      await consume(values, win);
    }
  } finally {
    // Let tiles still computing after a failure settle before the caller closes what they read.
    await Promise.allSettled(queue.map((q) => q.tile));
  }
}

/** Reads the whole cube into one array (only for cubes known to be small). */
export async function readAll(cube: DataCube, ctx: TileContext): Promise<Float64Array> {
  return cube.tile(fullWindow(cube.grid), ctx);
}
