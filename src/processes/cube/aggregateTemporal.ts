import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { parseInstant } from '../../raster/cube/time';
import { parameterInvalid, requireCallback, requireCube } from './common';
import type { LabelGroup } from '../../raster/cube/alongDimension';
import { groupAlongDimension, temporalDimensionIndex } from './temporalGroups';

const DAY = 86_400_000;

/** Milliseconds of a bound given as a date, a date-time or a year (integer / four digits). */
function boundInstant(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return Date.UTC(value, 0, 1);
  if (typeof value !== 'string') return NaN;
  if (/^\d{4}$/.test(value)) return Date.UTC(Number(value), 0, 1);
  return parseInstant(value);
}

/** Seconds since midnight of a time without date (`hh:mm:ss`, optional fraction and zone ignored), else NaN. */
function timeOfDay(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const m = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return NaN;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

export const aggregateTemporal = defineProcess(
  'aggregate_temporal',
  {
    summary: 'Temporal aggregation over given intervals',
    description:
      'For each interval `[start, end)`, combines all values of the temporal dimension whose labels fall into it with the reducer; ' +
      'intervals may overlap and may be empty (the reducer then sees no values, which usually gives no-data). ' +
      'Results are labelled with the given labels, or with the start of each interval. The reducer runs on whole tiles.',
    parameters: {
      data: 'A data cube with a temporal dimension.',
      intervals: 'Half-open intervals `[start, end)` of dates or date-times.',
      reducer: 'The child process combining the values of one interval (`data`, with `context`) into one value.',
      labels: 'One distinct label per interval; by default the interval starts.',
      dimension: 'The temporal dimension to aggregate; `null` when the cube has exactly one.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'The data cube with one label per interval on the aggregated dimension.',
    exceptions: {
      TooManyDimensions: 'The cube has more than one temporal dimension, so `dimension` must be given.',
      DimensionNotAvailable: 'No such temporal dimension, or no temporal dimension at all.',
      DistinctDimensionLabelsRequired: 'The labels of the intervals are not distinct; give distinct `labels`.',
      TemporalExtentEmpty: 'An interval ends at or before its start.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'aggregate_temporal');
    const reducer = requireCallback(args.reducer, 'aggregate_temporal', 'reducer');
    const index = temporalDimensionIndex(cube, args.dimension);
    const intervals = args.intervals;
    if (!Array.isArray(intervals)) throw parameterInvalid('aggregate_temporal', 'intervals', 'expected an array of intervals');
    const bounds = intervals.map((iv: unknown) => {
      if (!Array.isArray(iv) || iv.length !== 2) throw parameterInvalid('aggregate_temporal', 'intervals', 'each interval needs a start and an end');
      const daily = iv.map(timeOfDay);
      if (daily.every((t) => !Number.isNaN(t))) {
        // Times without date: a daily window, which may wrap around midnight.
        const [start, end] = daily;
        if (start === end) throw new ProcessException('TemporalExtentEmpty', `The interval [${String(iv[0])}, ${String(iv[1])}) is empty.`);
        return { start, end, daily: true };
      }
      const start = iv[0] === null ? -Infinity : boundInstant(iv[0]);
      const end = iv[1] === null ? Infinity : boundInstant(iv[1]);
      if (Number.isNaN(start) || Number.isNaN(end)) throw parameterInvalid('aggregate_temporal', 'intervals', 'an interval bound is not a date or date-time');
      if (end <= start) throw new ProcessException('TemporalExtentEmpty', `The interval [${String(iv[0])}, ${String(iv[1])}) is empty.`);
      return { start, end, daily: false };
    });
    const given = Array.isArray(args.labels) && args.labels.length > 0 ? (args.labels as unknown[]) : null;
    if (given && given.length !== intervals.length) {
      throw parameterInvalid('aggregate_temporal', 'labels', `${given.length} labels for ${intervals.length} intervals`);
    }
    const labels = (given ?? intervals.map((iv: unknown[]) => iv[0])).map(String);
    if (new Set(labels).size !== labels.length) {
      throw new ProcessException('DistinctDimensionLabelsRequired', 'Several intervals would get the same label; give distinct `labels`.');
    }
    const times = cube.dims[index].labels.map((l) => parseInstant(String(l)));
    const inside = (t: number, { start, end, daily }: { start: number; end: number; daily: boolean }): boolean => {
      if (!daily) return t >= start && t < end;
      const s = (((t % DAY) + DAY) % DAY) / 1000;
      return start < end ? s >= start && s < end : s >= start || s < end;
    };
    const groups: LabelGroup[] = bounds.map((b, g) => ({
      label: labels[g],
      members: times.flatMap((t, k) => (inside(t, b) ? [k] : [])),
      start: b.daily ? undefined : b.start,
    }));
    return groupAlongDimension(cube, index, groups, reducer, args.context ?? null, 'aggregate_temporal');
  },
);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A calendar period as consecutive integers: `index` maps an instant to its period, `label`
 * names a period. Consecutive integers make it easy to list every period of an extent.
 */
interface PeriodScheme {
  index(ms: number): number;
  label(index: number): string;
  /** The first instant of a period (labels like "2023-06" cannot say whether they mean a week, dekad or month). */
  start(index: number): number;
}

/** Epoch ms of the first day of a month counted as year * 12 + month (Date.UTC would read years 0-99 as 19xx). */
function monthStart(months: number): number {
  const d = new Date(0);
  d.setUTCFullYear(Math.floor(months / 12), ((months % 12) + 12) % 12, 1);
  return d.getTime();
}

const monthIndex = (ms: number) => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

const PERIODS: Record<string, PeriodScheme> = {
  hour: {
    index: (ms) => Math.floor(ms / 3_600_000),
    label: (i) => {
      const d = new Date(i * 3_600_000);
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}`;
    },
    start: (i) => i * 3_600_000,
  },
  day: {
    index: (ms) => Math.floor(ms / DAY),
    label: (i) => {
      const d = new Date(i * DAY);
      const year = d.getUTCFullYear();
      return `${year}-${pad(i - Date.UTC(year, 0, 1) / DAY + 1, 3)}`;
    },
    start: (i) => i * DAY,
  },
  week: {
    // Days since the epoch + 3 counts weeks from Monday (1970-01-01 was a Thursday).
    index: (ms) => Math.floor((Math.floor(ms / DAY) + 3) / 7),
    label: (i) => {
      // ISO weeks belong to the year of their Thursday.
      const thursday = i * 7 * DAY;
      const year = new Date(thursday).getUTCFullYear();
      const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY / 7) + 1;
      return `${year}-${pad(week)}`;
    },
    start: (i) => (i * 7 - 3) * DAY,
  },
  dekad: {
    index: (ms) => {
      const d = new Date(ms);
      return (d.getUTCFullYear() * 12 + d.getUTCMonth()) * 3 + Math.min(2, Math.floor((d.getUTCDate() - 1) / 10));
    },
    label: (i) => `${Math.floor(i / 36)}-${pad((i % 36) + 1)}`,
    start: (i) => monthStart(Math.floor(i / 3)) + (i % 3) * 10 * DAY,
  },
  month: {
    index: monthIndex,
    label: (i) => `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`,
    start: monthStart,
  },
  season: {
    // December starts a season, which is named after the year of its first month.
    index: (ms) => Math.floor((monthIndex(ms) + 1) / 3),
    label: (i) => `${Math.floor((i * 3 - 1) / 12)}-${['djf', 'mam', 'jja', 'son'][i % 4]}`,
    start: (i) => monthStart(i * 3 - 1),
  },
  'tropical-season': {
    index: (ms) => Math.floor((monthIndex(ms) + 2) / 6),
    label: (i) => `${Math.floor((i * 6 - 2) / 12)}-${['ndjfma', 'mjjaso'][i % 2]}`,
    start: (i) => monthStart(i * 6 - 2),
  },
  year: {
    index: (ms) => new Date(ms).getUTCFullYear(),
    label: (i) => String(i),
    start: (i) => monthStart(i * 12),
  },
  decade: {
    index: (ms) => Math.floor(new Date(ms).getUTCFullYear() / 10),
    label: (i) => String(i * 10),
    start: (i) => monthStart(i * 120),
  },
  'decade-ad': {
    index: (ms) => Math.floor((new Date(ms).getUTCFullYear() - 1) / 10),
    label: (i) => String(i * 10 + 1),
    start: (i) => monthStart((i * 10 + 1) * 12),
  },
};

/** How many periods one aggregation may produce (a guard against e.g. hours over centuries). */
const MAX_PERIODS = 100_000;

export const aggregateTemporalPeriod = defineProcess(
  'aggregate_temporal_period',
  {
    summary: 'Temporal aggregation by calendar period',
    description:
      'Groups the labels of the temporal dimension by calendar period (hour, day, ISO week, dekad, month, season, tropical season, ' +
      'year, decade) and combines each group with the reducer. The result has every period from the first to the last date of the ' +
      'cube, also those without data (the reducer then sees no values). Labels: `YYYY-MM-DD-hh`, `YYYY-ddd`, `YYYY-ww`, ' +
      '`YYYY-dd` (dekad 01-36), `YYYY-MM`, `YYYY-djf`…`YYYY-son`, `YYYY-ndjfma`/`YYYY-mjjaso`, `YYYY`, and the decade\'s first year. ' +
      'A season is named after the year it starts in. The reducer runs on whole tiles.',
    parameters: {
      data: 'A data cube with a temporal dimension.',
      period: 'The calendar period to group by.',
      reducer: 'The child process combining the values of one period (`data`, with `context`) into one value.',
      dimension: 'The temporal dimension to aggregate; `null` when the cube has exactly one.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'The data cube with one label per period on the aggregated dimension.',
    exceptions: {
      TooManyDimensions: 'The cube has more than one temporal dimension, so `dimension` must be given.',
      DimensionNotAvailable: 'No such temporal dimension, or no temporal dimension at all.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'aggregate_temporal_period');
    const reducer = requireCallback(args.reducer, 'aggregate_temporal_period', 'reducer');
    const index = temporalDimensionIndex(cube, args.dimension);
    const scheme = PERIODS[String(args.period)];
    if (!scheme) throw parameterInvalid('aggregate_temporal_period', 'period', `unknown period '${String(args.period)}'`);
    const periods = cube.dims[index].labels.map((l) => {
      const t = parseInstant(String(l));
      return Number.isNaN(t) ? NaN : scheme.index(t);
    });
    const valid = periods.filter((p) => !Number.isNaN(p));
    const groups: LabelGroup[] = [];
    if (valid.length > 0) {
      const first = Math.min(...valid);
      const last = Math.max(...valid);
      if (last - first + 1 > MAX_PERIODS) {
        throw parameterInvalid('aggregate_temporal_period', 'period', `the cube spans ${last - first + 1} periods, more than ${MAX_PERIODS}`);
      }
      for (let p = first; p <= last; p++) groups.push({ label: scheme.label(p), members: [], start: scheme.start(p) });
      periods.forEach((p, k) => {
        if (!Number.isNaN(p)) groups[p - first].members.push(k);
      });
    }
    return groupAlongDimension(cube, index, groups, reducer, args.context ?? null, 'aggregate_temporal_period');
  },
);
