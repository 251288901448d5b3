/** Instants for temporal filtering: RFC 3339 date-times or plain dates (midnight UTC). */
import type { LabelDimension } from './model';

/** Milliseconds since the epoch, or NaN when the text is not a date or date-time. */
export function parseInstant(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(text)) return NaN;
  return Date.parse(text);
}

/** A half-open interval [start, end) in epoch milliseconds; open ends are ±Infinity. */
export interface Interval {
  start: number;
  end: number;
}

/** Parses a temporal extent `[start, end]` (either may be null); errors name the problem. */
export function parseInterval(extent: unknown): Interval | { error: string } {
  if (!Array.isArray(extent) || extent.length !== 2) return { error: 'expected an array of two date-times' };
  const [a, b] = extent;
  if (a === null && b === null) return { error: 'at least one end of the interval must be set' };
  const start = a === null ? -Infinity : typeof a === 'string' ? parseInstant(a) : NaN;
  const end = b === null ? Infinity : typeof b === 'string' ? parseInstant(b) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end)) return { error: 'the interval contains something that is not a date-time' };
  return { start, end };
}

export function isEmptyInterval(interval: Interval): boolean {
  return interval.end <= interval.start;
}

export function inInterval(label: string, interval: Interval): boolean {
  const t = parseInstant(label);
  return t >= interval.start && t < interval.end;
}

/** The instant a label of a temporal dimension stands for: a period's start, the label itself, else NaN. */
export function labelInstant(dim: Pick<LabelDimension, 'labelInstants'>, label: string | number): number {
  return dim.labelInstants?.[String(label)] ?? parseInstant(String(label));
}

/**
 * The label instants of a temporal dimension after its labels were replaced by `labels` (same
 * positions): a new label that is not an instant keeps the instant its old label stood for.
 */
export function relabelledInstants(dim: LabelDimension, labels: Array<string | number>): Record<string, number> | undefined {
  const kept: Record<string, number> = {};
  labels.forEach((label, i) => {
    const instant = labelInstant(dim, dim.labels[i]);
    if (Number.isFinite(instant) && Number.isNaN(parseInstant(String(label)))) kept[String(label)] = instant;
  });
  return Object.keys(kept).length > 0 ? kept : undefined;
}
