import type { Logger } from 'pino';
import type { OutputDataType } from './dataTypes';
import { representable } from './dataTypes';
import type { FormatOptions } from './options';
import type { BandStatistics } from './statistics';

/**
 * What the client asked for with the `nodata` option: nothing (declare no-data only when the cube
 * has missing pixels, with a value the data does not use), a value (always declared), or null
 * (never declare one).
 */
export type NodataRequest = { kind: 'auto' } | { kind: 'value'; value: number } | { kind: 'none' };

export function nodataRequest(options: FormatOptions, type: OutputDataType): NodataRequest {
  const value = options.numberOrNull('nodata');
  if (value === undefined) return { kind: 'auto' };
  if (value === null) return { kind: 'none' };
  if (!representable(type, value)) {
    throw options.invalid(`option 'nodata' (${value}) cannot be stored as ${type.name}` + (type.integer ? `: give a whole number from ${type.min} to ${type.max}` : ''));
  }
  return { kind: 'value', value };
}

/** The first value to store for missing pixels (for `none` a float type keeps NaN, which is no value). */
export function firstCandidate(request: NodataRequest, type: OutputDataType): number {
  return request.kind === 'value' ? request.value : type.defaultNodata;
}

/** Thrown by `declaredNodata` when the write must be repeated with another stored value for missing pixels. */
export class RetryWithNodata extends Error {
  constructor(readonly value: number) {
    super(`retry with no-data ${value}`);
  }
}

export interface NodataDecision {
  request: NodataRequest;
  type: OutputDataType;
  /** The value missing pixels were stored as in this attempt. */
  stored: number;
  /** Whether another attempt with a different stored value is still allowed. */
  mayRetry: boolean;
  options: FormatOptions;
  logger: Logger;
}

/**
 * The no-data value to declare, from what the write saw: the GeoTIFF has one value for all bands,
 * so it is needed when any band has missing pixels and must not be held by valid pixels of any band.
 * The stored value is fixed before writing, but whether it clashes is only known afterwards; rather
 * than a pre-pass over the whole cube (it may be computed lazily and be large), the write is
 * repeated once with the other end of the type's range when that end is unused, else refused.
 */
export function declaredNodata(statistics: BandStatistics[], d: NodataDecision): number | null {
  const missing = statistics.reduce((n, s) => n + s.missing, 0);
  const holding = statistics.reduce((n, s) => n + s.holdingNodata, 0);
  if (d.request.kind === 'value') {
    if (holding > 0) d.logger.warn(`${holding} valid pixel(s) store the chosen no-data value ${d.stored} and will read as no-data`);
    return d.request.value;
  }
  if (missing === 0) return null;
  if (d.request.kind === 'none') {
    if (!d.type.integer) return null; // NaN stays in the file; readers see it as not-a-number.
    throw d.options.invalid(
      `the data cube has ${missing} no-data pixel(s), which ${d.type.name} cannot store without a no-data value, ` +
        "but option 'nodata' is null: give 'nodata' a value the data does not use, or choose datatype float32",
    );
  }
  if (holding === 0) return d.stored;
  const other = d.stored === d.type.max ? d.type.min : d.type.max;
  const otherFree = statistics.every((s) => s.validCount === 0 || s.min > other || s.max < other);
  if (otherFree && d.mayRetry) throw new RetryWithNodata(other);
  throw d.options.invalid(
    `the data cube has ${missing} no-data pixel(s), but its valid values (after conversion to ${d.type.name}) use both ${d.type.min} and ${d.type.max}, ` +
      `so no-data would be mistaken for data: choose a wider datatype (e.g. ${d.type.name === 'byte' ? 'uint16 or ' : ''}float32) ` +
      "or set option 'nodata' to a value the data does not use",
  );
}
