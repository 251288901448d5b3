/** Statistical reducers (mean, median, sum, quantiles, ...) with openEO's no-data rules. */
import { defineProcess } from '../define';
import { perPixel } from '../lift';
import { ProcessException } from '../../errors/ProcessException';
import type { Callback, PixelArray, PixelVector } from '../types';
import { MAX_ARRAY_LENGTH, elementsOf, isPixelArray, isPixelVector } from '../values';
import { OpenEOError } from '../../errors/OpenEOError';
import { numbersOf, reduceTile, reducer, statisticTile } from './reduce';

/** Applies `compute` to the usable numbers, null when there are none or no-data is not ignored. */
function statistic(compute: (numbers: number[]) => number | null) {
  return (values: unknown[], args: Record<string, any>) => {
    const numbers = numbersOf(values, args.ignore_nodata !== false);
    if (numbers === undefined || numbers.length === 0) return null;
    return compute(numbers);
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;

function variance(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let squares = 0;
  for (const x of xs) squares += (x - m) * (x - m);
  return squares / (xs.length - 1);
}

function extreme(xs: number[], pick: (a: number, b: number) => number): number {
  let best = xs[0];
  for (const x of xs) {
    if (x !== x) return NaN;
    best = pick(best, x);
  }
  return best;
}

/** Sorted copy, NaN last (only matters when NaN is present, which then decides the results). */
function sortedNumbers(xs: number[]): number[] {
  return [...xs].sort((a, b) => (a !== a ? 1 : b !== b ? -1 : a - b));
}

function median(xs: number[]): number {
  if (xs.some((x) => x !== x)) return NaN;
  const s = sortedNumbers(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Sample quantile with linear interpolation between order statistics (type 7 in Hyndman & Fan). */
function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi) return sorted[lo];
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === b) return a;
  const t = h - lo;
  // Weighted form keeps infinite neighbours infinite instead of turning them into NaN.
  return (1 - t) * a + t * b;
}

const ignoreNodata = (args: Record<string, any>) => args.ignore_nodata !== false;

/** Median of a typed array (sorted in place). */
function medianInPlace(values: Float64Array): number {
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

function varianceOf(values: Float64Array): number {
  if (values.length < 2) return NaN;
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const m = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - m) * (values[i] - m);
  return squares / (n - 1);
}

const tile = (op: 'sum' | 'mean' | 'min' | 'max' | 'product') => (data: PixelArray, args: Record<string, any>) => reduceTile(data, ignoreNodata(args), op);
const statTile = (compute: (values: Float64Array) => number) => (data: PixelArray, args: Record<string, any>) =>
  statisticTile(data, ignoreNodata(args), compute);

export const statisticsProcesses = [
  reducer('mean', { summary: 'Arithmetic mean', description: 'The average of the numbers in `data`.', parameters: { data: 'Numbers to average.' }, returns: 'The mean, or null when there is nothing to average.' }, statistic(mean), tile('mean')),
  reducer(
    'sum',
    { summary: 'Sum', description: 'Adds up all numbers in `data`.', parameters: { data: 'Numbers to add.' }, returns: 'The sum, or null when there is nothing to add.' },
    statistic(sum),
    tile('sum'),
  ),
  reducer(
    'product',
    { summary: 'Product', description: 'Multiplies all numbers in `data`.', parameters: { data: 'Numbers to multiply.' }, returns: 'The product, or null when there is nothing to multiply.' },
    statistic((xs) => xs.reduce((a, b) => a * b, 1)),
    tile('product'),
  ),
  reducer(
    'min',
    { summary: 'Minimum', description: 'The smallest number in `data`.', parameters: { data: 'Numbers to search.' }, returns: 'The minimum, or null.' },
    statistic((xs) => extreme(xs, Math.min)),
    tile('min'),
  ),
  reducer(
    'max',
    { summary: 'Maximum', description: 'The largest number in `data`.', parameters: { data: 'Numbers to search.' }, returns: 'The maximum, or null.' },
    statistic((xs) => extreme(xs, Math.max)),
    tile('max'),
  ),
  reducer('median', { summary: 'Median', description: 'The middle value of `data`; for an even count the mean of the two middle values.', parameters: { data: 'Numbers to take the median of.' }, returns: 'The median, or null.' }, statistic(median), statTile(medianInPlace)),
  reducer('variance', { summary: 'Sample variance', description: 'The sample variance (divided by n - 1) of the numbers in `data`.', parameters: { data: 'Numbers to compute the variance of.' }, returns: 'The variance, or null.' }, statistic(variance), statTile(varianceOf)),
  reducer(
    'sd',
    { summary: 'Sample standard deviation', description: 'The square root of the sample variance of `data`.', parameters: { data: 'Numbers to compute the standard deviation of.' }, returns: 'The standard deviation, or null.' },
    statistic((xs) => {
      const v = variance(xs);
      return v === null ? null : Math.sqrt(v);
    }),
    statTile((values) => Math.sqrt(varianceOf(values))),
  ),
  reducer(
    'extrema',
    { summary: 'Minimum and maximum', description: 'Returns the smallest and the largest number of `data` as a two-element array.', parameters: { data: 'Numbers to search.' }, returns: 'The minimum and maximum, each null when not available.' },
    (values, args) => {
      const xs = numbersOf(values, ignoreNodata(args));
      if (xs === undefined || xs.length === 0) return [null, null];
      return [extreme(xs, Math.min), extreme(xs, Math.max)];
    },
  ),
  defineProcess(
    'quantiles',
    {
      summary: 'Quantiles',
      description: 'Sample quantiles of `data` using linear interpolation between order statistics. Give either a list of probabilities or the number of intervals (q-quantiles).',
      parameters: {
        data: 'Numbers to compute quantiles of.',
        probabilities: 'Probabilities between 0 and 1, or an integer q for the q-quantiles.',
        q: 'Deprecated way to ask for q-quantiles.',
      },
      returns: 'One quantile per probability, null where it cannot be computed.',
      exceptions: {
        QuantilesParameterMissing: 'Give either `probabilities` or `q`.',
        QuantilesParameterConflict: 'Give only one of `probabilities` and `q`.',
        AscendingProbabilitiesRequired: 'The probabilities must be sorted in ascending order.',
      },
    },
    (args) => {
      if (args.probabilities !== undefined && args.q !== undefined) {
        throw new ProcessException('QuantilesParameterConflict', 'Give only one of `probabilities` and `q`.');
      }
      if (args.probabilities === undefined && args.q === undefined) {
        throw new ProcessException('QuantilesParameterMissing', 'Give either `probabilities` or `q`.');
      }
      const spec = args.probabilities ?? args.q;
      if (typeof spec === 'number' && spec > MAX_ARRAY_LENGTH) {
        throw new OpenEOError('ProcessGraphComplexity', { reason: `more than ${MAX_ARRAY_LENGTH} quantiles` });
      }
      const probabilities: number[] = Array.isArray(spec)
        ? spec
        : Array.from({ length: Math.max(0, spec - 1) }, (_, k) => (k + 1) / spec);
      if (probabilities.some((p, k) => k > 0 && p < probabilities[k - 1])) {
        throw new ProcessException('AscendingProbabilitiesRequired', 'The probabilities must be sorted in ascending order.');
      }
      const compute = (a: Record<string, any>) => {
        const xs = numbersOf(elementsOf(a.data), ignoreNodata(a));
        if (xs === undefined || xs.length === 0) return probabilities.map(() => null);
        if (xs.some((x) => x !== x)) return probabilities.map(() => NaN);
        const sorted = sortedNumbers(xs);
        return probabilities.map((p) => quantile(sorted, p));
      };
      return isPixelArray(args.data) ? perPixel(args, ['data'], compute) : compute(args);
    },
  ),
  defineProcess(
    'count',
    {
      summary: 'Count elements',
      description: 'Counts the valid elements of `data` by default, all elements when `condition` is true, or those for which the child process `condition` returns true.',
      parameters: {
        data: 'The elements to count.',
        condition: 'null to count valid values, true to count everything, or a child process deciding per element.',
        context: 'Extra data handed to the condition.',
      },
      returns: 'The number of counted elements.',
    },
    async ({ data, condition, context }) => {
      const valid = (v: unknown) => v !== null && !(typeof v === 'number' && !Number.isFinite(v));
      if (isPixelArray(data)) return countTile(data, condition, context);
      const values = elementsOf(data);
      if (condition === true) return values.length;
      if (condition === null || condition === undefined) return values.filter(valid).length;
      let counted = 0;
      for (const element of values) if ((await (condition as Callback).run({ x: element, context })) === true) counted++;
      return counted;
    },
  ),
];

async function countTile(data: PixelArray, condition: unknown, context: unknown): Promise<PixelVector> {
  const n = data.length;
  const out = new Float64Array(n);
  for (const vec of data.vectors) {
    let hits: unknown;
    if (condition === true) hits = 1;
    else if (condition === null || condition === undefined) hits = null;
    else hits = await (condition as Callback).run({ x: vec, context });
    for (let i = 0; i < n; i++) {
      if (hits === null) out[i] += Number.isFinite(vec[i]) ? 1 : 0;
      else if (isPixelVector(hits)) out[i] += hits[i] === 1 ? 1 : 0;
      else out[i] += hits === true || hits === 1 ? 1 : 0;
    }
  }
  return out;
}
