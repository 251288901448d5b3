import { defineProcess } from '../define';
import { PixelArray } from '../types';
import type { Callback, PixelVector } from '../types';
import { parseInstant } from '../../raster/cube/time';
import { parameterInvalid, requireCube } from './common';
import type { LabelGroup } from '../../raster/cube/alongDimension';
import { groupAlongDimension, temporalDimensionIndex } from './temporalGroups';

/** Per-pixel mean of the valid values (NaN where there are none), as a reducer for groupAlongDimension. */
const MEAN: Callback = {
  parameterNames: new Set(['data']),
  async run(parameters: Record<string, unknown>): Promise<PixelVector> {
    const data = parameters.data as PixelArray;
    const sum = new Float64Array(data.length);
    const count = new Uint32Array(data.length);
    for (const v of data.vectors) {
      for (let i = 0; i < data.length; i++) {
        const x = v[i];
        if (x === x) {
          sum[i] += x;
          count[i]++;
        }
      }
    }
    for (let i = 0; i < data.length; i++) sum[i] = count[i] ? sum[i] / count[i] : NaN;
    return sum;
  },
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const SEASONS = ['djf', 'mam', 'jja', 'son'];
const TROPICAL = ['ndjfma', 'mjjaso'];

/**
 * The climatological group of an instant for a period, with the year the group's season belongs to
 * (a December counts to the next year's winter, November and December to the next tropical year).
 */
function climateKey(ms: number, period: string): { key: string; year: number } {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  switch (period) {
    case 'day':
      return { key: pad(Math.floor((ms - Date.UTC(year, 0, 1)) / 86_400_000) + 1, 3), year };
    case 'month':
      return { key: pad(month + 1), year };
    case 'season':
      return { key: SEASONS[Math.floor(((month + 1) % 12) / 3)], year: month === 11 ? year + 1 : year };
    case 'tropical-season':
      return { key: TROPICAL[month >= 4 && month <= 9 ? 1 : 0], year: month >= 10 ? year + 1 : year };
    default:
      return { key: 'climatology-period', year };
  }
}

function allKeys(period: string, keys: Set<string>): string[] {
  switch (period) {
    case 'day':
      return Array.from({ length: keys.has('366') ? 366 : 365 }, (_, i) => pad(i + 1, 3));
    case 'month':
      return Array.from({ length: 12 }, (_, i) => pad(i + 1));
    case 'season':
      return SEASONS;
    case 'tropical-season':
      return TROPICAL;
    default:
      return ['climatology-period'];
  }
}

export const climatologicalNormal = defineProcess(
  'climatological_normal',
  {
    summary: 'Long-term mean per day, month or season',
    description:
      'Averages the values of the years in `climatology_period` (both included) per day of the year (`001`…), month (`01`…`12`), ' +
      'season (`djf`, `mam`, `jja`, `son`), tropical season (`ndjfma`, `mjjaso`) or over the whole period (`climatology-period`). ' +
      'A winter (or tropical season) is counted to the year it ends in, so the December before the first year is used when the ' +
      'cube has it and the December of the last year is not. All labels of the period appear; those without data are no-data. ' +
      'The mean is computed per tile over the time series of every pixel.',
    parameters: {
      data: 'A data cube with exactly one temporal dimension.',
      period: 'What to average over: `day`, `month`, `season`, `tropical-season` or `climatology-period`.',
      climatology_period: 'First and last year of the climatology, both included.',
    },
    returns: 'The data cube with the normals as labels of the temporal dimension.',
  },
  (args) => {
    const cube = requireCube(args.data, 'climatological_normal');
    const index = temporalDimensionIndex(cube, null);
    const period = String(args.period);
    if (!['day', 'month', 'season', 'tropical-season', 'climatology-period'].includes(period)) {
      throw parameterInvalid('climatological_normal', 'period', `unknown period '${period}'`);
    }
    const years = (args.climatology_period ?? [1981, 2010]) as unknown[];
    const [first, last] = years.map((y) => Number(y));
    if (!Array.isArray(years) || years.length !== 2 || !Number.isInteger(first) || !Number.isInteger(last) || last < first) {
      throw parameterInvalid('climatological_normal', 'climatology_period', 'expected [first year, last year] with first ≤ last');
    }
    const members = new Map<string, number[]>();
    cube.dims[index].labels.forEach((label, k) => {
      const t = parseInstant(String(label));
      if (Number.isNaN(t)) return;
      const { key, year } = climateKey(t, period);
      if (year < first || year > last) return;
      if (!members.has(key)) members.set(key, []);
      members.get(key)!.push(k);
    });
    const groups: LabelGroup[] = allKeys(period, new Set(members.keys())).map((key) => ({ label: key, members: members.get(key) ?? [] }));
    return groupAlongDimension(cube, index, groups, MEAN, null, 'climatological_normal');
  },
);
