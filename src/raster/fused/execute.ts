import type { DataCube } from '../cube/DataCube';
import { TileContext, TileWindow, windowPixels } from '../cube/model';
import { FusedKernel, MASKED, runKernel } from './kernel';

/**
 * Computes one tile of a fused cube: reads the input cells the kernel needs from `parent`
 * and runs the kernel over them.
 */
export async function computeFusedTile(parent: DataCube, kernel: FusedKernel, win: TileWindow, ctx: TileContext): Promise<Float64Array> {
  const n = windowPixels(win);
  const tile = await parent.tile(win, ctx);
  const planes = kernel.inputCells.map((c) => tile.subarray(c * n, (c + 1) * n));
  return runKernel(kernel, planes, planes.map(() => MASKED), n);
}
