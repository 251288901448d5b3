/** Type and validity checks on single values. In tiles, NaN stands for no-data and NaN alike. */
import { defineProcess } from '../define';
import { isPixelVector } from '../values';

function check(id: string, summary: string, description: string, scalar: (x: unknown) => boolean, pixel: (v: number) => boolean) {
  return defineProcess(id, { summary, description, parameters: { x: 'The value to check.' }, returns: 'The result of the check.' }, ({ x }) => {
    if (!isPixelVector(x)) return scalar(x);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = pixel(x[i]) ? 1 : 0;
    return out;
  });
}

export const checkProcesses = [
  check('is_nan', 'Is NaN?', 'true only for the number NaN; no-data and non-numbers give false.', (x) => typeof x === 'number' && x !== x, (v) => v !== v),
  check('is_nodata', 'Is no-data?', 'true when `x` is no-data (null).', (x) => x === null, (v) => v !== v),
  check(
    'is_valid',
    'Is valid?',
    'true unless `x` is no-data, NaN or infinite.',
    (x) => x !== null && !(typeof x === 'number' && !Number.isFinite(x)),
    (v) => Number.isFinite(v),
  ),
  check('is_infinite', 'Is infinite?', 'true for positive or negative infinity.', (x) => x === Infinity || x === -Infinity, (v) => v === Infinity || v === -Infinity),
];
