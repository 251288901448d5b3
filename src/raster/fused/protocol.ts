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
  /** Where the kernel writes its outputCells × n values (a recycled buffer, transferred). */
  out: Float64Array;
}

export type KernelReply =
  | { id: number; ok: true; out: Float64Array; /** The input planes, handed back for reuse. */ planes: ArrayLike<number>[] }
  | { id: number; ok: false; message: string };
