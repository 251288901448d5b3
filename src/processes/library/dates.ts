/**
 * Date and time processes on RFC 3339 strings. Dates without time are midnight UTC; date-times
 * keep their UTC offset, so shifting "…T00:00:00+02:00" by days stays at local midnight.
 */
import { defineProcess } from '../define';
import { InvalidValue } from '../values';

interface ParsedDate {
  /** Wall-clock time in the string's own offset, as if it were UTC. */
  wall: Date;
  /** Offset from UTC in minutes. */
  offsetMinutes: number;
  /** The suffix to write back (`Z` or `+02:00`). */
  offsetText: string;
  dateOnly: boolean;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_ONLY = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function parseDate(text: string): ParsedDate {
  if (DATE_ONLY.test(text)) {
    return { wall: new Date(`${text}T00:00:00Z`), offsetMinutes: 0, offsetText: 'Z', dateOnly: true };
  }
  const m = DATE_TIME.exec(text);
  if (!m) throw new InvalidValue(`'${text}' is not an RFC 3339 date or date-time`);
  const offsetText = m[6].toUpperCase() === 'Z' ? 'Z' : m[6];
  const offsetMinutes = offsetText === 'Z' ? 0 : (offsetText[0] === '-' ? -1 : 1) * (Number(offsetText.slice(1, 3)) * 60 + Number(offsetText.slice(4, 6)));
  const fraction = m[5] ? m[5].slice(0, 4).padEnd(4, '0') : '.000';
  const wall = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}${fraction}Z`);
  if (Number.isNaN(wall.getTime())) throw new InvalidValue(`'${text}' is not a valid date-time`);
  return { wall, offsetMinutes, offsetText, dateOnly: false };
}

/** Milliseconds since the epoch of the instant the string denotes. */
function instant(text: string): number {
  const p = parseDate(text);
  return p.wall.getTime() - p.offsetMinutes * 60_000;
}

function formatDate(p: ParsedDate, wall: Date): string {
  if (Number.isNaN(wall.getTime())) throw new InvalidValue('the shifted date lies outside the supported range');
  const iso = wall.toISOString();
  if (p.dateOnly) return iso.slice(0, 10);
  const ms = wall.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${ms ? iso.slice(19, 23) : ''}${p.offsetText}`;
}

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** Adds calendar months, keeping the day of month where it exists and using the month's last day otherwise. */
function addMonths(wall: Date, months: number): Date {
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const out = new Date(wall.getTime());
  out.setUTCFullYear(targetYear, targetMonth, Math.min(wall.getUTCDate(), lastDay));
  return out;
}

/** Seconds of the day for time-only strings, so they can be compared among themselves. */
function timeOfDay(text: string): number | undefined {
  const m = TIME_ONLY.exec(text);
  if (!m) return undefined;
  const offset = m[5] && m[5] !== 'Z' ? (m[5][0] === '-' ? -1 : 1) * (Number(m[5].slice(1, 3)) * 3600 + Number(m[5].slice(4, 6)) * 60) : 0;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) - offset;
}

function comparable(text: string): number {
  const t = timeOfDay(text);
  return t !== undefined ? t * 1000 : instant(text);
}

const AVERAGE_MONTH_MS = (365.2425 / 12) * 86_400_000;

export const dateProcesses = [
  defineProcess(
    'date_shift',
    {
      summary: 'Shift a date',
      description:
        'Adds `value` units to a date or date-time. Months and years keep the day of month, falling back to the last day of shorter months. Dates without time stay dates: time units are applied and the time of day is dropped.',
      parameters: { date: 'The date or date-time to shift.', value: 'How many units to add; negative values go back in time.', unit: 'The unit of `value`.' },
      returns: 'The shifted date, in the same form as the input.',
    },
    ({ date, value, unit }) => {
      const parsed = parseDate(date);
      let wall: Date;
      if (unit === 'month') wall = addMonths(parsed.wall, value);
      else if (unit === 'year') wall = addMonths(parsed.wall, value * 12);
      else wall = new Date(parsed.wall.getTime() + value * UNIT_MS[unit]);
      return formatDate(parsed, wall);
    },
  ),
  defineProcess(
    'date_difference',
    {
      summary: 'Time between two dates',
      description: 'How much time passes from `date1` to `date2` in the given unit (negative when `date2` is earlier). Months and years use their average length.',
      parameters: { date1: 'The start.', date2: 'The end.', unit: 'The unit of the result.' },
      returns: 'The difference as a (possibly fractional) number of units.',
    },
    ({ date1, date2, unit }) => {
      const ms = instant(date2) - instant(date1);
      if (unit === 'month') return ms / AVERAGE_MONTH_MS;
      if (unit === 'year') return ms / (AVERAGE_MONTH_MS * 12);
      return ms / UNIT_MS[unit];
    },
  ),
  defineProcess(
    'date_between',
    {
      summary: 'Date within a range',
      description: 'Tests whether `x` lies between `min` and `max` (inclusive unless `exclude_max`). Dates without time count as midnight UTC; times of day compare with other times of day.',
      parameters: { x: 'The date, date-time or time to test.', min: 'Start of the range (inclusive).', max: 'End of the range.', exclude_max: 'Treat `max` as exclusive.' },
      returns: 'true when inside the range, false otherwise.',
    },
    ({ x, min, max, exclude_max }) => {
      if (x === null) return null;
      const v = comparable(x);
      const lo = comparable(min);
      const hi = comparable(max);
      return v >= lo && (exclude_max ? v < hi : v <= hi);
    },
  ),
];
