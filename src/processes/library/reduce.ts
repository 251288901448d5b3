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

export type TileReduction = 'sum' | 'mean' | 'min' | 'max' | 'product';

/**
 * sum/mean/min/max/product over the vectors of a pixel array with NaN as no-data: skipped when
 * `ignoreNodata`, otherwise it makes the pixel's result NaN; pixels without values are NaN.
 * One plain loop per operation keeps the hot loops monomorphic (no callback per value).
 */
export function reduceTile(data: PixelArray, ignoreNodata: boolean, op: TileReduction): PixelVector {
  const n = data.length;
  const acc = new Float64Array(n).fill(op === 'product' ? 1 : op === 'min' ? Infinity : op === 'max' ? -Infinity : 0);
  const count = new Uint32Array(n);
  const spoiled = new Uint8Array(n);
  for (const vec of data.vectors) {
    switch (op) {
      case 'sum':
      case 'mean':
        for (let i = 0; i < n; i++) {
          const v = vec[i];
          if (v === v) {
            acc[i] += v;
            count[i]++;
          } else spoiled[i] = 1;
        }
        break;
      case 'product':
        for (let i = 0; i < n; i++) {
          const v = vec[i];
          if (v === v) {
            acc[i] *= v;
            count[i]++;
          } else spoiled[i] = 1;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++) {
          const v = vec[i];
          if (v === v) {
            if (v < acc[i]) acc[i] = v;
            count[i]++;
          } else spoiled[i] = 1;
        }
        break;
      case 'max':
        for (let i = 0; i < n; i++) {
          const v = vec[i];
          if (v === v) {
            if (v > acc[i]) acc[i] = v;
            count[i]++;
          } else spoiled[i] = 1;
        }
        break;
    }
  }
  for (let i = 0; i < n; i++) {
    if (count[i] === 0 || (spoiled[i] && !ignoreNodata)) acc[i] = NaN;
    else if (op === 'mean') acc[i] /= count[i];
  }
  return acc;
}

/**
 * Statistics that need all values of a pixel at once (median, variance, ...): gathers each
 * pixel's valid values into one reused buffer and hands `compute` a view of them.
 */
export function statisticTile(data: PixelArray, ignoreNodata: boolean, compute: (values: Float64Array) => number): PixelVector {
  const n = data.length;
  const out = new Float64Array(n);
  const scratch = new Float64Array(data.vectors.length);
  for (let i = 0; i < n; i++) {
    let count = 0;
    let spoiled = false;
    for (const vec of data.vectors) {
      const v = vec[i];
      if (v === v) scratch[count++] = v;
      else spoiled = true;
    }
    out[i] = count === 0 || (spoiled && !ignoreNodata) ? NaN : compute(scratch.subarray(0, count));
  }
  return out;
}
