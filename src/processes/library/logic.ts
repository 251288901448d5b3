/** Boolean logic with openEO's three-valued semantics (null = unknown). Vectors store 1/0 and NaN. */
import { defineProcess } from '../define';
import { zipVectors } from '../lift';
import { PixelArray, PixelVector } from '../types';
import { elementsOf, isPixelArray, isPixelVector } from '../values';

/** Kleene logic on vector elements: NaN is unknown. */
function vectorLogic(x: unknown, y: unknown, kernel: (a: number, b: number) => number): PixelVector {
  const asNumber = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const a = asNumber(x);
  const b = asNumber(y);
  const n = isPixelVector(a) ? a.length : (b as PixelVector).length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = typeof a === 'number' ? a : a === null ? NaN : (a as PixelVector)[i];
    const q = typeof b === 'number' ? b : b === null ? NaN : (b as PixelVector)[i];
    out[i] = kernel(p, q);
  }
  return out;
}

const andKernel = (p: number, q: number) => (p === 0 || q === 0 ? 0 : p !== p || q !== q ? NaN : 1);
const orKernel = (p: number, q: number) => (p === 1 || q === 1 ? 1 : p !== p || q !== q ? NaN : 0);

/** Reduces booleans with all/any semantics; `dominant` is the value that decides alone. */
function quantifier(values: unknown[], ignoreNodata: boolean, dominant: boolean): boolean | null {
  let sawNodata = false;
  for (const v of values) {
    if (v === null) sawNodata = true;
    else if (v === dominant) return dominant;
  }
  return sawNodata && !ignoreNodata ? null : !dominant;
}

/** all/any over a pixel array, pixel by pixel without leaving typed arrays. */
function quantifierTile(data: PixelArray, ignoreNodata: boolean, dominant: number): PixelVector {
  const out = new Float64Array(data.length).fill(1 - dominant);
  for (let i = 0; i < data.length; i++) {
    let sawNodata = false;
    for (const vec of data.vectors) {
      const v = vec[i];
      if (v !== v) sawNodata = true;
      else if (v === dominant) {
        out[i] = dominant;
        sawNodata = false;
        break;
      }
    }
    if (sawNodata && !ignoreNodata) out[i] = NaN;
  }
  return out;
}

export const logicProcesses = [
  defineProcess(
    'and',
    { summary: 'Logical and', description: 'true when both are true; false as soon as one is false, even if the other is no-data; otherwise null.', parameters: { x: 'A boolean.', y: 'A boolean.' }, returns: 'The conjunction, or null.' },
    ({ x, y }) => {
      if (isPixelVector(x) || isPixelVector(y)) return vectorLogic(x, y, andKernel);
      if (x === false || y === false) return false;
      return x === null || y === null ? null : true;
    },
  ),
  defineProcess(
    'or',
    { summary: 'Logical or', description: 'true as soon as one is true, even if the other is no-data; false when both are false; otherwise null.', parameters: { x: 'A boolean.', y: 'A boolean.' }, returns: 'The disjunction, or null.' },
    ({ x, y }) => {
      if (isPixelVector(x) || isPixelVector(y)) return vectorLogic(x, y, orKernel);
      if (x === true || y === true) return true;
      return x === null || y === null ? null : false;
    },
  ),
  defineProcess(
    'xor',
    { summary: 'Logical exclusive or', description: 'true when exactly one of the two is true; null when either is no-data.', parameters: { x: 'A boolean.', y: 'A boolean.' }, returns: 'The exclusive disjunction, or null.' },
    ({ x, y }) => {
      if (isPixelVector(x) || isPixelVector(y)) return vectorLogic(x, y, (p, q) => (p !== p || q !== q ? NaN : p !== q ? 1 : 0));
      if (x === null || y === null) return null;
      return x !== y;
    },
  ),
  defineProcess(
    'not',
    { summary: 'Logical negation', description: 'Inverts a boolean; no-data stays no-data.', parameters: { x: 'A boolean.' }, returns: 'The negated value, or null.' },
    ({ x }) => {
      if (isPixelVector(x)) return zipVectors(x, 0, (a) => (a === 0 ? 1 : 0));
      return x === null ? null : !x;
    },
  ),
  defineProcess(
    'if',
    {
      summary: 'Choose between two values',
      description: 'Returns `accept` when `value` is true and `reject` otherwise (also for no-data).',
      parameters: { value: 'The condition.', accept: 'Returned when the condition is true.', reject: 'Returned when the condition is false or no-data.' },
      returns: 'Either `accept` or `reject`.',
    },
    (args) => {
      if (isPixelVector(args.value)) {
        const { value, accept, reject } = args as { value: PixelVector; accept: unknown; reject: unknown };
        const pick = (v: unknown, i: number) => (isPixelVector(v) ? v[i] : typeof v === 'number' ? v : typeof v === 'boolean' ? +v : NaN);
        const out = new Float64Array(value.length);
        for (let i = 0; i < value.length; i++) out[i] = value[i] === 1 ? pick(accept, i) : pick(reject, i);
        return out;
      }
      return args.value === true ? args.accept : args.reject;
    },
  ),
  defineProcess(
    'all',
    { summary: 'Are all values true?', description: 'true when no value is false. No-data values are skipped unless `ignore_nodata` is false, in which case they make the result null when nothing is false.', parameters: { data: 'Booleans to check.' }, returns: 'The result, or null.' },
    ({ data, ignore_nodata }) =>
      isPixelArray(data) ? quantifierTile(data, ignore_nodata, 0) : quantifier(elementsOf(data), ignore_nodata, false),
  ),
  defineProcess(
    'any',
    { summary: 'Is any value true?', description: 'true when at least one value is true. No-data values are skipped unless `ignore_nodata` is false, in which case they make the result null when nothing is true.', parameters: { data: 'Booleans to check.' }, returns: 'The result, or null.' },
    ({ data, ignore_nodata }) =>
      isPixelArray(data) ? quantifierTile(data, ignore_nodata, 1) : quantifier(elementsOf(data), ignore_nodata, true),
  ),
];


