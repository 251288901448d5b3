/** Builders for processes that reduce an array (`data`) to one value, on plain arrays and on tiles. */
import { defineProcess, ProcessText } from '../define';
import { perPixel } from '../lift';
import type { PixelArray, PixelVector, ProcessDefinition } from '../types';
import { elementsOf, isPixelArray } from '../values';

export type ArrayKernel = (values: unknown[], args: Record<string, any>) => unknown;
export type TileKernel = (data: PixelArray, args: Record<string, any>) => PixelVector;

/**
 * A reducer: `kernel` gives the exact spec semantics on plain arrays; `tile`, when given, is a
 * native fast path over pixel arrays. Without it, tiles run the kernel once per pixel.
 */
export function reducer(id: string, text: ProcessText, kernel: ArrayKernel, tile?: TileKernel): ProcessDefinition {
  return defineProcess(id, text, (args) => {
    const data = args.data;
    if (isPixelArray(data)) {
      return tile ? tile(data, args) : perPixel(args, ['data'], (a) => kernel(elementsOf(a.data), a));
    }
    return kernel(elementsOf(data), args);
  });
}

/**
 * The numbers of an array after no-data handling: nulls are dropped when ignored; when not,
 * any null makes the whole result no-data (returned as undefined).
 */
export function numbersOf(values: unknown[], ignoreNodata: boolean): number[] | undefined {
  const out: number[] = [];
  for (const v of values) {
    if (v === null || v === undefined) {
      if (!ignoreNodata) return undefined;
    } else out.push(v as number);
  }
  return out;
}

/**
 * Accumulates over the vectors of a pixel array with NaN as no-data: skipped when
 * `ignoreNodata`, otherwise it makes the pixel's result NaN. `finish` gets the count of values used.
 */
export function accumulateTile(
  data: PixelArray,
  ignoreNodata: boolean,
  start: number,
  step: (acc: number, value: number) => number,
  finish: (acc: number, count: number) => number,
): PixelVector {
  const n = data.length;
  const acc = new Float64Array(n).fill(start);
  const count = new Float64Array(n);
  const spoiled = new Uint8Array(n);
  for (const vec of data.vectors) {
    for (let i = 0; i < n; i++) {
      const v = vec[i];
      if (v !== v) {
        if (!ignoreNodata) spoiled[i] = 1;
        continue;
      }
      acc[i] = step(acc[i], v);
      count[i]++;
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = spoiled[i] || count[i] === 0 ? NaN : finish(acc[i], count[i]);
  return out;
}
