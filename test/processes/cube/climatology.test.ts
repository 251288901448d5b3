import { TestServer } from '../../helpers/testServer';
import { DEMO_DATES } from '../../../src/catalog/demo/generate';
import { demoBand, demoServer, errorResult, jsonResult, load, nanMean, reducer, s2Extent, s2Pixel, saveJson, S2 } from './helpers';

/**
 * climatological_normal, anomaly and resample_cube_temporal through POST /result over the demo
 * Sentinel-2 collection (2023 only), checked against values computed from the files.
 */
let server: TestServer;
let auth: string;
let b04: Float64Array[];
const EXTENT = s2Extent(30, 40, 50, 40);

beforeAll(async () => {
  ({ server, auth } = await demoServer(32));
  b04 = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B04'));
}, 120_000);
afterAll(() => server?.close());

const red = {
  load: load(['B04'], EXTENT),
  red: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 'bands', reducer: reducer('first') } },
};

/** Every value of a (t, y, x) JSON cube against `expected(t, col, row)`; returns the number of valid values seen. */
function check(cube: { order: string[]; dimensions: Record<string, { values: Array<string | number> }>; data: any }, expected: (t: number, col: number, row: number) => number): number {
  const xs = cube.dimensions.x.values as number[];
  const ys = cube.dimensions.y.values as number[];
  let valid = 0;
  (cube.data as Array<Array<Array<number | null>>>).forEach((plane, t) =>
    plane.forEach((line, r) =>
      line.forEach((v, c) => {
        const { col, row } = s2Pixel(xs[c], ys[r]);
        const want = expected(t, col, row);
        if (Number.isNaN(want)) expect(v).toBeNull();
        else {
          valid++;
          expect(v).toBeCloseTo(want, 6);
        }
      }),
    ),
  );
  return valid;
}

const at = (k: number, col: number, row: number) => b04[k][row * S2.width + col];
const datesIn = (pred: (d: string) => boolean) => DEMO_DATES.flatMap((d, k) => (pred(d) ? [k] : []));

test('seasonal normals count a winter to the year it ends in', async () => {
  const cube = await jsonResult(server, auth, {
    ...red,
    n: { process_id: 'climatological_normal', arguments: { data: { from_node: 'red' }, period: 'season', climatology_period: [2022, 2023] } },
    save: saveJson('n'),
  });
  expect(cube.dimensions.t.values).toEqual(['djf', 'mam', 'jja', 'son']);
  const seasons = [['01', '02'], ['03', '04', '05'], ['06', '07', '08'], ['09', '10', '11']];
  const valid = check(cube, (s, col, row) => nanMean(datesIn((d) => seasons[s].includes(d.slice(5, 7))).map((k) => at(k, col, row))));
  expect(valid).toBeGreaterThan(4 * 50 * 40 * 0.5);
}, 60_000);

test('monthly normals have all twelve labels; a climatology outside the data gives no-data', async () => {
  const cube = await jsonResult(server, auth, {
    ...red,
    n: { process_id: 'climatological_normal', arguments: { data: { from_node: 'red' }, period: 'month', climatology_period: [2023, 2024] } },
    save: saveJson('n'),
  });
  expect(cube.dimensions.t.values).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
  check(cube, (m, col, row) => nanMean(datesIn((d) => Number(d.slice(5, 7)) === m + 1).map((k) => at(k, col, row))));
  const empty = await jsonResult(server, auth, {
    ...red,
    n: { process_id: 'climatological_normal', arguments: { data: { from_node: 'red' }, period: 'climatology-period', climatology_period: [1990, 1999] } },
    save: saveJson('n'),
  });
  expect(empty.dimensions.t.values).toEqual(['climatology-period']);
  expect(check(empty, () => NaN)).toBe(0);
}, 60_000);

test('anomaly: the December 2023 season minus the winter normal', async () => {
  const cube = await jsonResult(server, auth, {
    ...red,
    agg: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'red' }, period: 'season', reducer: reducer('mean') } },
    n: { process_id: 'climatological_normal', arguments: { data: { from_node: 'red' }, period: 'season', climatology_period: [2022, 2023] } },
    a: { process_id: 'anomaly', arguments: { data: { from_node: 'agg' }, normals: { from_node: 'n' }, period: 'season' } },
    save: saveJson('a'),
  });
  expect(cube.dimensions.t.values).toEqual(['2022-djf', '2023-mam', '2023-jja', '2023-son', '2023-djf']);
  const winter = (col: number, row: number) => nanMean(datesIn((d) => d < '2023-03-01').map((k) => at(k, col, row)));
  const valid = check(cube, (s, col, row) => {
    if (s === 4) return at(DEMO_DATES.indexOf('2023-12-10'), col, row) - winter(col, row);
    // The other seasons are their own normals: zero wherever there is data.
    const v = winter(col, row);
    if (s === 0) return Number.isNaN(v) ? NaN : 0;
    const months = [[], ['03', '04', '05'], ['06', '07', '08'], ['09', '10', '11']][s];
    const mean = nanMean(datesIn((d) => months.includes(d.slice(5, 7))).map((k) => at(k, col, row)));
    return Number.isNaN(mean) ? NaN : 0;
  });
  expect(valid).toBeGreaterThan(1000);
  expect(await errorResult(server, auth, {
    ...red,
    agg: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'red' }, period: 'month', reducer: reducer('mean') } },
    n: { process_id: 'climatological_normal', arguments: { data: { from_node: 'red' }, period: 'season', climatology_period: [2022, 2023] } },
    a: { process_id: 'anomaly', arguments: { data: { from_node: 'agg' }, normals: { from_node: 'n' }, period: 'month' } },
    save: saveJson('a'),
  })).toEqual({ status: 400, code: 'ProcessParameterInvalid' });
}, 60_000);

describe('resample_cube_temporal', () => {
  const target = {
    tgt: {
      process_id: 'aggregate_temporal',
      arguments: {
        data: { from_node: 'red' },
        intervals: [['2023-01-01', '2023-02-01'], ['2023-02-01', '2023-03-01']],
        labels: ['2023-03-01T00:00:00Z', '2023-07-20T00:00:00Z'],
        reducer: reducer('mean'),
      },
    },
  };

  test('each target date takes the nearest date (as it is)', async () => {
    const cube = await jsonResult(server, auth, {
      ...red,
      ...target,
      r: { process_id: 'resample_cube_temporal', arguments: { data: { from_node: 'red' }, target: { from_node: 'tgt' } } },
      save: saveJson('r'),
    });
    expect(cube.dimensions.t.values).toEqual(['2023-03-01T00:00:00Z', '2023-07-20T00:00:00Z']);
    const source = [DEMO_DATES.indexOf('2023-02-18'), DEMO_DATES.indexOf('2023-07-28')];
    check(cube, (t, col, row) => at(source[t], col, row));
  }, 60_000);

  test('with valid_within each pixel takes the nearest valid value in the window', async () => {
    const cube = await jsonResult(server, auth, {
      ...red,
      ...target,
      r: { process_id: 'resample_cube_temporal', arguments: { data: { from_node: 'red' }, target: { from_node: 'tgt' }, valid_within: 15 } },
      save: saveJson('r'),
    });
    const candidates = [['2023-02-18', '2023-03-15'], ['2023-07-28', '2023-07-08']].map((ds) => ds.map((d) => DEMO_DATES.indexOf(d)));
    check(cube, (t, col, row) => {
      for (const k of candidates[t]) if (!Number.isNaN(at(k, col, row))) return at(k, col, row);
      return NaN;
    });
    expect(await errorResult(server, auth, {
      ...red,
      ...target,
      r: { process_id: 'resample_cube_temporal', arguments: { data: { from_node: 'red' }, target: { from_node: 'tgt' }, dimension: 'bands' } },
      save: saveJson('r'),
    })).toEqual({ status: 400, code: 'DimensionNotAvailable' });
  }, 60_000);
});
