/**
 * Recycled buffers for the planes tiles are read into. Allocating (and zero-filling) fresh
 * half-megabyte arrays for every plane of every tile kept the garbage collector busy on the
 * main thread; planes come back from the kernel workers with their results, so their buffers
 * are reused instead. Idle buffers are dropped after a short while so a finished request does
 * not keep its memory.
 */
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
const MAX_FREE_BYTES = 128 * 1024 * 1024;
const IDLE_MS = 2000;
let idleTimer: NodeJS.Timeout | undefined;

/** A buffer of exactly `bytes` bytes; its content is undefined (callers overwrite all of it). */
export function takeBuffer(bytes: number): ArrayBuffer {
  const list = free.get(bytes);
  const buffer = list?.pop();
  if (buffer) {
    freeBytes -= bytes;
    return buffer;
  }
  return new ArrayBuffer(bytes);
}

/** Hands the buffers behind `planes` back for reuse (only planes that span their whole buffer). */
export function recyclePlanes(planes: ArrayLike<number>[]): void {
  for (const plane of planes) {
    const view = plane as Uint8Array;
    const buffer = view.buffer;
    if (!buffer || view.byteOffset !== 0 || view.byteLength !== buffer.byteLength || buffer.byteLength === 0) continue;
    if (Object.prototype.toString.call(buffer) !== '[object ArrayBuffer]') continue;
    if (freeBytes + buffer.byteLength > MAX_FREE_BYTES) continue;
    const list = free.get(buffer.byteLength) ?? [];
    if (list.includes(buffer as ArrayBuffer)) continue;
    list.push(buffer as ArrayBuffer);
    free.set(buffer.byteLength, list);
    freeBytes += buffer.byteLength;
  }
  if (idleTimer) idleTimer.refresh();
  else {
    idleTimer = setTimeout(dropAll, IDLE_MS);
    idleTimer.unref();
  }
}

function dropAll(): void {
  free.clear();
  freeBytes = 0;
  idleTimer = undefined;
}
