import { PixelArray, PixelVector } from './types';

/**
 * A value a process cannot work with although it passed the schema checks (e.g. a date string
 * that names no real day). The executor reports it as ProcessParameterInvalid; any other
 * exception from a process is a bug and stays a server error.
 */
export class InvalidValue extends Error {}

/** The longest array a process may build; far beyond real use, well below exhausting memory. */
export const MAX_ARRAY_LENGTH = 10_000_000;

/**
 * An array whose elements carry labels (e.g. band names), as openEO "labeled arrays".
 * Plain JS arrays stay plain arrays; only processes that care about labels look at them.
 */
export class LabeledArray {
  constructor(
    readonly values: unknown[],
    readonly labels: Array<string | number>,
  ) {}
}

export function isPixelVector(value: unknown): value is PixelVector {
  return value instanceof Float64Array;
}

export function isPixelArray(value: unknown): value is PixelArray {
  return value instanceof PixelArray;
}

/** True for the per-pixel tile types that processes must treat element-wise. */
export function isTileValue(value: unknown): value is PixelVector | PixelArray {
  return value instanceof Float64Array || value instanceof PixelArray;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value produced by the raster engine (data cubes and similar): anything object-like we don't know. */
export function isEngineValue(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !isPlainObject(value) &&
    !(value instanceof LabeledArray) &&
    !isTileValue(value)
  );
}

/** Elements of an array argument, whether plain or labeled. */
export function elementsOf(data: unknown): unknown[] {
  if (data instanceof LabeledArray) return data.values;
  if (Array.isArray(data)) return data;
  throw new InvalidValue('not an array');
}

export function labelsOf(data: unknown): Array<string | number> | undefined {
  return data instanceof LabeledArray ? data.labels : undefined;
}

/** Builds an array result that keeps the labels of the input when it had some. */
export function withLabelsOf(source: unknown, values: unknown[]): unknown[] | LabeledArray {
  return source instanceof LabeledArray ? new LabeledArray(values, source.labels) : values;
}

/** Converts a vector element to its JSON meaning: NaN is no-data. */
export function fromPixel(value: number): number | null {
  return value !== value ? null : value;
}

/** Converts a scalar process result to a vector element: null → NaN, booleans → 1/0. */
export function toPixel(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || value === undefined) return NaN;
  throw new InvalidValue(`a ${typeof value} value cannot be stored in a raster cell`);
}
