/**
 * Lifting of scalar process semantics to whole tiles.
 *
 * Inside callbacks over raster tiles, arguments arrive as PixelVector (one value per pixel,
 * NaN = no-data) or PixelArray (an array per pixel, stored as one vector per label). The helpers
 * here let a process be written once for plain JSON values and run over tiles in tight loops:
 * element-wise kernels map vectors directly, anything else falls back to calling the scalar
 * implementation per pixel (still no graph interpretation per pixel).
 */
import { PixelArray, PixelVector } from './types';
import { InvalidValue, LabeledArray, fromPixel, isPixelArray, isPixelVector, toPixel } from './values';

type NumericKernel1 = (x: number) => number;
type NumericKernel2 = (x: number, y: number) => number;

/** Length of the first tile value among `values`, or -1 when all are plain values. */
function tileLength(values: unknown[]): number {
  for (const v of values) {
    if (isPixelVector(v)) return v.length;
    if (isPixelArray(v)) return v.length;
  }
  return -1;
}

/** Applies a number→number kernel to null, a number, a vector or a pixel array. */
export function mapNumeric(x: unknown, kernel: NumericKernel1): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return kernel(x);
  if (isPixelVector(x)) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = v !== v ? NaN : kernel(v);
    }
    return out;
  }
  if (isPixelArray(x)) {
    return new PixelArray(x.vectors.map((v) => mapNumeric(v, kernel) as PixelVector), x.labels, x.length, x.labeled);
  }
  throw new InvalidValue('expected a number');
}

/** A scalar operand as a vector element (null → NaN), or the vector itself. */
function operand(v: unknown): number | PixelVector {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || isPixelVector(v)) return v;
  throw new InvalidValue('expected a number');
}

/** Runs a two-operand kernel over vectors, broadcasting scalars; no-data in either operand gives no-data. */
export function zipVectors(x: unknown, y: unknown, kernel: NumericKernel2): PixelVector {
  const a = operand(x);
  const b = operand(y);
  const n = tileLength([a, b]);
  const out = new Float64Array(n);
  if (typeof a === 'number' && typeof b !== 'number') {
    if (a !== a) return out.fill(NaN);
    for (let i = 0; i < n; i++) {
      const bv = b[i];
      out[i] = bv !== bv ? NaN : kernel(a, bv);
    }
  } else if (typeof a !== 'number' && typeof b === 'number') {
    if (b !== b) return out.fill(NaN);
    for (let i = 0; i < n; i++) {
      const av = a[i];
      out[i] = av !== av ? NaN : kernel(av, b);
    }
  } else {
    const av = a as PixelVector;
    const bv = b as PixelVector;
    if (av.length !== bv.length) throw new InvalidValue('vectors of different length');
    for (let i = 0; i < n; i++) {
      const p = av[i];
      const q = bv[i];
      out[i] = p !== p || q !== q ? NaN : kernel(p, q);
    }
  }
  return out;
}

export type FastOp = '+' | '-' | '*' | '/' | '>' | '>=' | '<' | '<=';

/**
 * Hand-written loops for the hottest operators, so band maths over tiles runs without a function
 * call per pixel. Arithmetic propagates NaN (no-data) by itself; comparisons check for it.
 */
export function fastZip(x: unknown, y: unknown, op: FastOp): PixelVector {
  const a = operand(x);
  const b = operand(y);
  const n = tileLength([a, b]);
  const out = new Float64Array(n);
  const av = typeof a === 'number' ? undefined : a;
  const bv = typeof b === 'number' ? undefined : b;
  if (av && bv && av.length !== bv.length) throw new InvalidValue('vectors of different length');
  const as = typeof a === 'number' ? a : 0;
  const bs = typeof b === 'number' ? b : 0;
  switch (op) {
    case '+':
      for (let i = 0; i < n; i++) out[i] = (av ? av[i] : as) + (bv ? bv[i] : bs);
      break;
    case '-':
      for (let i = 0; i < n; i++) out[i] = (av ? av[i] : as) - (bv ? bv[i] : bs);
      break;
    case '*':
      for (let i = 0; i < n; i++) out[i] = (av ? av[i] : as) * (bv ? bv[i] : bs);
      break;
    case '/':
      for (let i = 0; i < n; i++) out[i] = (av ? av[i] : as) / (bv ? bv[i] : bs);
      break;
    default:
      for (let i = 0; i < n; i++) {
        const p = av ? av[i] : as;
        const q = bv ? bv[i] : bs;
        if (p !== p || q !== q) out[i] = NaN;
        else if (op === '>') out[i] = p > q ? 1 : 0;
        else if (op === '>=') out[i] = p >= q ? 1 : 0;
        else if (op === '<') out[i] = p < q ? 1 : 0;
        else out[i] = p <= q ? 1 : 0;
      }
  }
  return out;
}

/** Two numeric operands: null if either is null, the kernel otherwise; vectors element-wise. */
export function zipNumeric(x: unknown, y: unknown, kernel: NumericKernel2, fast?: FastOp): unknown {
  if (isPixelVector(x) || isPixelVector(y)) return fast ? fastZip(x, y, fast) : zipVectors(x, y, kernel);
  if (x === null || y === null || x === undefined || y === undefined) return null;
  if (typeof x !== 'number' || typeof y !== 'number') throw new InvalidValue('expected numbers');
  return kernel(x, y);
}

/** Converts the per-pixel scalar results of a process back into a tile value. */
function collectResults(results: unknown[], n: number): PixelVector | PixelArray {
  const arrayLike = results.find((r) => Array.isArray(r) || r instanceof LabeledArray);
  if (arrayLike === undefined) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = toPixel(results[i]);
    return out;
  }
  let width = 0;
  for (const r of results) {
    const len = Array.isArray(r) ? r.length : r instanceof LabeledArray ? r.values.length : 0;
    if (len > width) width = len;
  }
  const vectors: PixelVector[] = [];
  for (let k = 0; k < width; k++) vectors.push(new Float64Array(n).fill(NaN));
  for (let i = 0; i < n; i++) {
    const r = results[i];
    const values = Array.isArray(r) ? r : r instanceof LabeledArray ? r.values : [];
    for (let k = 0; k < values.length; k++) vectors[k][i] = toPixel(values[k]);
  }
  const labeled = arrayLike instanceof LabeledArray && arrayLike.labels.length === width;
  const labels = labeled ? arrayLike.labels : Array.from({ length: width }, (_, k) => k);
  return new PixelArray(vectors, labels, n, labeled);
}

/**
 * Runs `scalar` once per pixel when any of `pixelParams` holds a tile value; otherwise once.
 * Vector elements arrive as numbers or null, pixel arrays as labeled arrays of the pixel's values.
 */
export function perPixel(
  args: Record<string, unknown>,
  pixelParams: readonly string[],
  scalar: (args: Record<string, unknown>) => unknown,
): unknown {
  const n = tileLength(pixelParams.map((p) => args[p]));
  if (n < 0) return scalar(args);
  const pixelArgs: Record<string, unknown> = { ...args };
  const results = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    for (const p of pixelParams) {
      const v = args[p];
      if (isPixelVector(v)) pixelArgs[p] = fromPixel(v[i]);
      else if (isPixelArray(v)) pixelArgs[p] = new LabeledArray(v.vectors.map((vec) => fromPixel(vec[i])), v.labels);
    }
    results[i] = scalar(pixelArgs);
  }
  return collectResults(results, n);
}
