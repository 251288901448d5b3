/** Messages between the main thread and the kernel workers (see pool.ts, worker.ts). */

export interface KernelTask {
  id: number;
  source: string;
  planes: ArrayLike<number>[];
  nd: Float64Array;
  sc: Float64Array;
  of: Float64Array;
  n: number;
  outputCells: number;
}

export type KernelReply =
  | { id: number; ok: true; out: Float64Array; /** The input planes, handed back for reuse. */ planes: ArrayLike<number>[] }
  | { id: number; ok: false; message: string };
