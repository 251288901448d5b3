import type { DataCube } from '../cube/DataCube';
import { TileContext, TileWindow, windowPixels } from '../cube/model';
import { CollectionCube } from '../read/CollectionCube';
import { FusedKernel, MASKED } from './kernel';
import { kernelPool } from './pool';

/**
 * Computes one tile of a fused cube: reads the input cells the kernel needs from `parent`
 * (straight from the files, in their own data type, when the parent is a collection) and
 * runs the kernel on the worker pool.
 */
export async function computeFusedTile(parent: DataCube, kernel: FusedKernel, win: TileWindow, ctx: TileContext): Promise<Float64Array> {
  const n = windowPixels(win);
  if (parent instanceof CollectionCube) {
    const { planes, decoding } = await parent.readPlanes(win, kernel.inputCells, ctx);
    ctx.signal.throwIfAborted();
    return kernelPool().run(kernel, planes, decoding, n);
  }
  const tile = await parent.tile(win, ctx);
  const planes = kernel.inputCells.map((c) => tile.subarray(c * n, (c + 1) * n));
  return kernelPool().run(kernel, planes, planes.map(() => MASKED), n);
}
