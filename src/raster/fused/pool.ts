import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FusedKernel, PlaneDecoding, decodingArrays, runKernel, specializedSource } from './kernel';
import type { KernelReply, KernelTask } from './protocol';
import { transferList } from './transfer';
import { recyclePlanes, takeBuffer } from './planeBuffers';

/** The compiled worker script (tests run from TypeScript sources, so they use the build in dist/). */
function workerScript(): string {
  return __filename.endsWith('.ts') ? path.resolve(__dirname, '../../../dist/raster/fused/worker.js') : path.join(__dirname, 'worker.js');
}

interface Pending {
  resolve: (out: Float64Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

/** Below this many values a tile is computed on the calling thread: posting it would cost more. */
const INLINE_VALUES = 4096;

/**
 * A pool of worker threads that run fused kernels. Planes and results move by transfer (no
 * copy); each task goes to the least busy worker. Workers are unref'd, so an idle pool never
 * keeps the process alive, and a worker that dies is replaced.
 */
export class KernelPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 1;
  /** Replaced by a pool of another size: close once the tasks already sent are done. */
  private retiring = false;

  constructor(readonly size: number) {}

  async run(kernel: FusedKernel, planes: ArrayLike<number>[], decoding: PlaneDecoding[], n: number): Promise<Float64Array> {
    if (this.size === 0 || n * Math.max(planes.length, kernel.outputCells) < INLINE_VALUES) {
      const out = runKernel(kernel, planes, decoding, n);
      recyclePlanes(planes);
      return out;
    }
    const slot = this.leastBusy();
    const task: KernelTask = {
      id: this.nextId++,
      source: specializedSource(kernel.source, decoding),
      planes,
      ...decodingArrays(decoding),
      n,
      outputCells: kernel.outputCells,
      out: new Float64Array(takeBuffer(8 * kernel.outputCells * n), 0, kernel.outputCells * n),
    };
    const transfer = transferList([...planes, task.out]);
    return new Promise<Float64Array>((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject, slot });
      slot.busy++;
      if (slot.busy === 1) slot.worker.ref();
      slot.worker.postMessage(task, transfer);
    });
  }

  /** Stops the workers once no task is pending; tasks already sent still complete. */
  retire(): void {
    this.retiring = true;
    if (this.pending.size === 0) void this.close();
  }

  /** Stops all workers; pending tasks fail. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const [id, p] of this.pending) {
      p.reject(new Error('the kernel pool was closed'));
      this.pending.delete(id);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.size) {
      const idle = this.slots.find((s) => s.busy === 0);
      if (idle) return idle;
      return this.spawn();
    }
    let best = this.slots[0];
    for (const s of this.slots) if (s.busy < best.busy) best = s;
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(workerScript());
    const slot: Slot = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (reply: KernelReply) => this.settle(slot, reply));
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`a kernel worker stopped (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, reply: KernelReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    slot.busy--;
    if (slot.busy === 0) slot.worker.unref();
    if (reply.ok) {
      recyclePlanes(reply.planes);
      p.resolve(reply.out);
    } else {
      p.reject(new Error(reply.message));
    }
    if (this.retiring && this.pending.size === 0) void this.close();
  }

  /** A worker failed: its tasks fail and it leaves the pool (the next task spawns a fresh one). */
  private fail(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(err);
    }
    void slot.worker.terminate();
  }
}

let shared: KernelPool | undefined;

/** Worker threads to use: the configured number, or one per core when 0. */
export function threadCount(configured: number): number {
  return configured > 0 ? configured : Math.max(1, os.availableParallelism());
}

/** The process-wide pool, sized by `configurePool` (one worker per core until then). */
export function kernelPool(): KernelPool {
  if (!shared) shared = new KernelPool(threadCount(0));
  return shared;
}

/** Resizes the process-wide pool (e.g. from `processing.threads`); idempotent. */
export function configurePool(threads: number): void {
  const size = threadCount(threads);
  if (shared?.size === size) return;
  const old = shared;
  shared = new KernelPool(size);
  old?.retire();
}
