/** The distinct buffers behind typed arrays, each listed once, for postMessage's transfer list. */
export function transferList(arrays: ArrayLike<number>[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) {
    const buffer = (a as Float64Array).buffer;
    // Tag test, not instanceof: typed arrays may come from another realm (e.g. under jest). Shared buffers are never transferred.
    if (Object.prototype.toString.call(buffer) === '[object ArrayBuffer]') buffers.add(buffer as ArrayBuffer);
  }
  return [...buffers];
}
