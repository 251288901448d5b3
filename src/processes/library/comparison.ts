/** Comparison processes: numbers compare numerically, anything else as the spec says per process. */
import { defineProcess, ProcessText } from '../define';
import { FastOp, fastZip, zipVectors } from '../lift';
import { isPixelVector, toPixel } from '../values';

type Compare = (a: number, b: number) => boolean;

/**
 * Comparing pixel values with a string (or another non-number) has a fixed answer per the
 * scalar rules (never equal, never ordered): that answer for every pixel, no-data staying no-data.
 */
function fixedAnswer(x: unknown, y: unknown, answer: 0 | 1): Float64Array | undefined {
  const other = isPixelVector(x) ? y : x;
  const vector = (isPixelVector(x) ? x : y) as Float64Array;
  if (other === null || typeof other === 'number' || typeof other === 'boolean' || isPixelVector(other)) return undefined;
  const out = new Float64Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] !== vector[i] ? NaN : answer;
  return out;
}

/** Scalar semantics of gt/gte/lt/lte: null propagates, only two numbers can be ordered. */
function ordering(id: string, text: ProcessText, compare: Compare, fast: FastOp) {
  return defineProcess(id, text, ({ x, y }) => {
    if (isPixelVector(x) || isPixelVector(y)) return fixedAnswer(x, y, 0) ?? fastZip(x, y, fast);
    if (x === null || y === null) return null;
    if (typeof x !== 'number' || typeof y !== 'number') return false;
    return compare(x, y);
  });
}

/** Equality as eq defines it: numbers within `delta`, strings optionally case-insensitive, mixed types unequal. */
function equals(x: unknown, y: unknown, delta: number | null, caseSensitive: boolean): boolean | null {
  if (x === null || y === null) return null;
  if (typeof x === 'number' && typeof y === 'number') return delta !== null ? Math.abs(x - y) <= delta : x === y;
  if (typeof x === 'string' && typeof y === 'string') {
    return caseSensitive ? x === y : x.toLocaleLowerCase() === y.toLocaleLowerCase();
  }
  return typeof x === typeof y && x === y;
}

function equalityVector(x: unknown, y: unknown, delta: number | null, negate: boolean) {
  const numeric = (v: unknown) => (typeof v === 'boolean' ? toPixel(v) : v);
  return zipVectors(numeric(x), numeric(y), (a, b) => {
    const same = delta !== null ? Math.abs(a - b) <= delta : a === b;
    return same !== negate ? 1 : 0;
  });
}

const eqParams = {
  delta: 'Largest difference for which two numbers still count as equal; null for exact comparison.',
  case_sensitive: 'Compare strings case-sensitively (true, the default) or ignore case (false).',
};

export const comparisonProcesses = [
  defineProcess(
    'eq',
    { summary: 'Equal to', description: 'Tests whether `x` equals `y`. Values of different types are never equal; no-data in either operand gives no-data.', parameters: eqParams, returns: 'true when equal, false otherwise, or null.' },
    ({ x, y, delta, case_sensitive }) => {
      if (isPixelVector(x) || isPixelVector(y)) return fixedAnswer(x, y, 0) ?? equalityVector(x, y, delta, false);
      return equals(x, y, delta, case_sensitive);
    },
  ),
  defineProcess(
    'neq',
    { summary: 'Not equal to', description: 'The negation of `eq`: tests whether `x` differs from `y`.', parameters: eqParams, returns: 'true when different, false otherwise, or null.' },
    ({ x, y, delta, case_sensitive }) => {
      if (isPixelVector(x) || isPixelVector(y)) return fixedAnswer(x, y, 1) ?? equalityVector(x, y, delta, true);
      const same = equals(x, y, delta, case_sensitive);
      return same === null ? null : !same;
    },
  ),
  ordering('gt', { summary: 'Greater than', description: 'Tests whether `x` is strictly greater than `y`. Non-numbers give false.', returns: 'The comparison result, or null.' }, (a, b) => a > b, '>'),
  ordering('gte', { summary: 'Greater than or equal to', description: 'Tests whether `x` is greater than or equal to `y`. Non-numbers give false.', returns: 'The comparison result, or null.' }, (a, b) => a >= b, '>='),
  ordering('lt', { summary: 'Less than', description: 'Tests whether `x` is strictly less than `y`. Non-numbers give false.', returns: 'The comparison result, or null.' }, (a, b) => a < b, '<'),
  ordering('lte', { summary: 'Less than or equal to', description: 'Tests whether `x` is less than or equal to `y`. Non-numbers give false.', returns: 'The comparison result, or null.' }, (a, b) => a <= b, '<='),
  defineProcess(
    'between',
    {
      summary: 'Within a range',
      description: 'Tests whether `x` lies between `min` and `max` (both inclusive unless `exclude_max` is set).',
      parameters: { x: 'The value to test.', min: 'Lower bound (inclusive).', max: 'Upper bound.', exclude_max: 'Treat `max` as exclusive.' },
      returns: 'true when inside the range, false otherwise, or null for no-data.',
    },
    ({ x, min, max, exclude_max }) => {
      const inside = (v: number) => v >= min && (exclude_max ? v < max : v <= max);
      if (isPixelVector(x)) {
        const out = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) out[i] = x[i] !== x[i] ? NaN : inside(x[i]) ? 1 : 0;
        return out;
      }
      if (x === null) return null;
      return typeof x === 'number' && inside(x);
    },
  ),
];
