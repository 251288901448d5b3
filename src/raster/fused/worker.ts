/**
 * A kernel worker thread: runs fused kernels on planes the main thread transferred and
 * transfers the result back, so tiles compute on all cores without copying.
 */
import { parentPort } from 'node:worker_threads';
import { kernelFunction } from './kernel';
import type { KernelReply, KernelTask } from './protocol';
import { transferList } from './transfer';

const port = parentPort;
if (port) {
  port.on('message', (task: KernelTask) => {
    let reply: KernelReply;
    let transfer: ArrayBuffer[] = [];
    try {
      kernelFunction(task.source)(task.planes, task.out, task.n, task.nd, task.sc, task.of);
      reply = { id: task.id, ok: true, out: task.out, planes: task.planes };
      transfer = transferList([task.out, ...task.planes]);
    } catch (err) {
      reply = { id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, transfer);
  });
}
