/**
 * Turns a run's result value into JSON for the client. JSON has no NaN or infinities: like
 * no-data, they become null. Tile vectors and labeled arrays become plain arrays.
 */
import { PixelArray } from './types';
import { InvalidValue, LabeledArray, isPlainObject } from './values';

export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Float64Array) return Array.from(value, (v) => (Number.isFinite(v) ? v : null));
  if (value instanceof LabeledArray) return value.values.map(toJsonValue);
  if (value instanceof PixelArray) return value.vectors.map(toJsonValue);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  throw new InvalidValue('the result cannot be represented as JSON');
}
