import { toRfc3339 } from './pattern';

const UNIT_MS: Record<string, number> = {
  second: 1000, seconds: 1000, sec: 1000, secs: 1000, s: 1000,
  minute: 60_000, minutes: 60_000, min: 60_000, mins: 60_000,
  hour: 3_600_000, hours: 3_600_000, hr: 3_600_000, h: 3_600_000,
  day: 86_400_000, days: 86_400_000, d: 86_400_000,
};

/** Calendars that agree with the proleptic Gregorian calendar for any date in satellite data. */
const GREGORIAN = new Set(['standard', 'gregorian', 'proleptic_gregorian', 'julian', '']);

/**
 * A CF time axis (`units = "days since 2020-01-01"`) as a converter from axis values to
 * RFC 3339, or undefined when the units are not a CF time unit or the calendar is not Gregorian.
 */
export function cfTimeConverter(units: string, calendar = 'standard'): ((value: number) => string) | undefined {
  if (!GREGORIAN.has(calendar.trim().toLowerCase())) return undefined;
  const m = /^\s*(\w+)\s+since\s+(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i.exec(units);
  if (!m) return undefined;
  const unitMs = UNIT_MS[m[1].toLowerCase()];
  if (!unitMs) return undefined;
  const [, , y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  let epoch = Date.UTC(+y, +mo - 1, +d, +h, +mi, 0) + Number(s) * 1000;
  if (zone && /^[+-]/.test(zone)) {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    const offsetMs = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
    epoch -= z[1] === '+' ? offsetMs : -offsetMs;
  }
  return (value: number) => toRfc3339(Math.round(epoch + value * unitMs));
}
