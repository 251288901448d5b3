/** Sorting, ordering, first/last and cumulative processes. */
import { defineProcess } from '../define';
import { perPixel } from '../lift';
import type { PixelArray, PixelVector } from '../types';
import { LabeledArray, elementsOf, isPixelArray, labelsOf } from '../values';
import { reducer } from './reduce';

/** Positions of `values` in sorted order; no-data dropped (nodata null), put last (true) or first (false). */
function orderOf(values: unknown[], asc: boolean, nodata: boolean | null): number[] {
  const present: number[] = [];
  const missing: number[] = [];
  values.forEach((v, k) => (v === null ? missing : present).push(k));
  // Dates are strings: compare the instants they denote, so offsets and precision don't matter.
  const key = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : v);
  present.sort((i, j) => {
    const a = key(values[i]) as number | string;
    const b = key(values[j]) as number | string;
    const cmp = a < b ? -1 : a > b ? 1 : 0;
    return asc ? cmp : -cmp; // Array.prototype.sort is stable, so ties keep their order.
  });
  if (nodata === null) return present;
  return nodata ? [...present, ...missing] : [...missing, ...present];
}

/** First/last non-no-data value of each pixel, straight from the vectors. */
function pickTile(data: PixelArray, ignoreNodata: boolean, fromEnd: boolean): PixelVector {
  const out = new Float64Array(data.length).fill(NaN);
  const ordered = fromEnd ? [...data.vectors].reverse() : data.vectors;
  if (!ignoreNodata) return ordered.length ? Float64Array.from(ordered[0]) : out;
  const done = new Uint8Array(data.length);
  for (const vec of ordered) {
    for (let i = 0; i < data.length; i++) {
      if (!done[i] && vec[i] === vec[i]) {
        out[i] = vec[i];
        done[i] = 1;
      }
    }
  }
  return out;
}

function pick(values: unknown[], ignoreNodata: boolean, fromEnd: boolean): unknown {
  const ordered = fromEnd ? [...values].reverse() : values;
  if (ordered.length === 0) return null;
  if (!ignoreNodata) return ordered[0];
  const found = ordered.find((v) => v !== null);
  return found === undefined ? null : found;
}

/** Running accumulation; skipped no-data stays no-data in place, unskipped no-data spoils the rest. */
function cumulative(values: unknown[], ignoreNodata: boolean, step: (acc: number, v: number) => number): Array<number | null> {
  const out: Array<number | null> = [];
  let acc: number | undefined;
  let spoiled = false;
  for (const v of values) {
    if (spoiled) out.push(null);
    else if (v === null) {
      if (!ignoreNodata) spoiled = true;
      out.push(null);
    } else {
      acc = acc === undefined ? (v as number) : step(acc, v as number);
      out.push(acc);
    }
  }
  return out;
}

function cumulativeProcess(id: string, what: string, step: (acc: number, v: number) => number) {
  return defineProcess(
    id,
    {
      summary: `Cumulative ${what}`,
      description: `Replaces each element by the ${what} of it and all elements before it. Skipped no-data stays in place; without skipping, everything after the first no-data becomes no-data.`,
      parameters: { data: 'The numbers to accumulate.' },
      returns: `The running ${what}, same length and labels as the input.`,
    },
    (args) => {
      const run = (a: Record<string, any>) => {
        const out = cumulative(elementsOf(a.data), a.ignore_nodata !== false, step);
        const labels = labelsOf(a.data);
        return labels ? new LabeledArray(out, labels) : out;
      };
      return isPixelArray(args.data) ? perPixel(args, ['data'], run) : run(args);
    },
  );
}

export const orderingProcesses = [
  defineProcess(
    'sort',
    {
      summary: 'Sort values',
      description: 'Sorts numbers, dates or strings ascending or descending. No-data values are removed unless `nodata` says where to put them.',
      parameters: { data: 'The values to sort.', asc: 'Ascending (true) or descending (false).', nodata: 'null removes no-data, true puts it last, false first.' },
      returns: 'The sorted values.',
    },
    (args) => {
      const run = (a: Record<string, any>) => {
        const values = elementsOf(a.data);
        return orderOf(values, a.asc, a.nodata).map((k) => values[k]);
      };
      return isPixelArray(args.data) ? perPixel(args, ['data'], run) : run(args);
    },
  ),
  defineProcess(
    'order',
    {
      summary: 'Sorting permutation',
      description: 'The indices that would sort `data`; ties keep their original order. No-data handling as in `sort`.',
      parameters: { data: 'The values to order.', asc: 'Ascending (true) or descending (false).', nodata: 'null removes no-data, true puts it last, false first.' },
      returns: 'Zero-based indices into `data`.',
    },
    (args) => {
      const run = (a: Record<string, any>) => orderOf(elementsOf(a.data), a.asc, a.nodata);
      return isPixelArray(args.data) ? perPixel(args, ['data'], run) : run(args);
    },
  ),
  defineProcess(
    'rearrange',
    {
      summary: 'Reorder an array',
      description: 'Picks the elements of `data` at the positions listed in `order`, e.g. the result of `order`. Labels move with their elements.',
      parameters: { data: 'The array to reorder.', order: 'Zero-based indices into `data`.' },
      returns: 'The reordered array.',
    },
    (args) => {
      const run = (a: Record<string, any>) => {
        const values = elementsOf(a.data);
        const indices = a.order as number[];
        const out = indices.map((k) => (k >= 0 && k < values.length ? values[k] : null));
        const labels = labelsOf(a.data);
        return labels ? new LabeledArray(out, indices.map((k) => labels[k])) : out;
      };
      return isPixelArray(args.data) ? perPixel(args, ['data'], run) : run(args);
    },
  ),
  reducer(
    'first',
    { summary: 'First element', description: 'The first element of `data`, skipping no-data values unless `ignore_nodata` is false.', parameters: { data: 'The array.' }, returns: 'The first value, or null.' },
    (values, args) => pick(values, args.ignore_nodata !== false, false),
    (data, args) => pickTile(data, args.ignore_nodata !== false, false),
  ),
  reducer(
    'last',
    { summary: 'Last element', description: 'The last element of `data`, skipping no-data values unless `ignore_nodata` is false.', parameters: { data: 'The array.' }, returns: 'The last value, or null.' },
    (values, args) => pick(values, args.ignore_nodata !== false, true),
    (data, args) => pickTile(data, args.ignore_nodata !== false, true),
  ),
  cumulativeProcess('cumsum', 'sum', (a, v) => a + v),
  cumulativeProcess('cumproduct', 'product', (a, v) => a * v),
  cumulativeProcess('cummin', 'minimum', (a, v) => (v !== v || a !== a ? NaN : Math.min(a, v))),
  cumulativeProcess('cummax', 'maximum', (a, v) => (v !== v || a !== a ? NaN : Math.max(a, v))),
];
