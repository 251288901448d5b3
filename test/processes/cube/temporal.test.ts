import { TestServer } from '../../helpers/testServer';
import { DEMO_DATES } from '../../../src/catalog/demo/generate';
import { demoBand, demoServer, errorResult, jsonResult, load, nanMean, reducer, s2Extent, s2Pixel, saveJson, JsonCube, S2 } from './helpers';

/**
 * aggregate_temporal_period and aggregate_temporal through POST /result over the demo Sentinel-2
 * collection (tile size 64, so the region spans several tiles), checked against means computed
 * directly from the files.
 */
let server: TestServer;
let auth: string;
// Crosses the 64-pixel tile borders in both directions.
const EXTENT = s2Extent(40, 100, 70, 50);

beforeAll(async () => {
  ({ server, auth } = await demoServer(64));
}, 120_000);
afterAll(() => server?.close());

/** Checks every cell of a (t, y, x) result against `expected(dateGroup, col, row)`. */
function compare(cube: JsonCube, expected: (t: number, col: number, row: number) => number): number {
  const ys = cube.dimensions[cube.order[cube.order.length - 2]].values as number[];
  const xs = cube.dimensions[cube.order[cube.order.length - 1]].values as number[];
  let checked = 0;
  const planes = cube.data as Array<Array<Array<number | null>>>;
  planes.forEach((plane, t) => {
    plane.forEach((line, r) => {
      line.forEach((value, c) => {
        const { col, row } = s2Pixel(xs[c], ys[r]);
        const want = expected(t, col, row);
        if (Number.isNaN(want)) expect(value).toBeNull();
        else expect(value).toBeCloseTo(want, 6);
        checked++;
      });
    });
  });
  return checked;
}

test('monthly means per pixel, one label per month of the extent', async () => {
  const cube = await jsonResult(server, auth, {
    load: load(['B04'], EXTENT),
    drop: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 'bands', reducer: reducer('first') } },
    agg: {
      process_id: 'aggregate_temporal_period',
      arguments: { data: { from_node: 'drop' }, period: 'month', reducer: reducer('mean') },
    },
    save: saveJson('agg'),
  });
  expect(cube.order).toEqual(['t', 'y', 'x']);
  const months = Array.from({ length: 12 }, (_, m) => `2023-${String(m + 1).padStart(2, '0')}`);
  expect(cube.dimensions.t.values).toEqual(months);
  expect(cube.dimensions.x.values).toHaveLength(70);
  const bands = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B04'));
  const checked = compare(cube, (t, col, row) =>
    nanMean(DEMO_DATES.flatMap((d, k) => (d.startsWith(months[t]) ? [bands[k][row * S2.width + col]] : []))),
  );
  expect(checked).toBe(12 * 70 * 50);
}, 120_000);

test('seasons are named after the year they start in; bands stay', async () => {
  const cube = await jsonResult(server, auth, {
    load: load(['B04', 'B08'], EXTENT),
    agg: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'load' }, period: 'season', reducer: reducer('max') } },
    save: saveJson('agg'),
  });
  expect(cube.dimensions.t.values).toEqual(['2022-djf', '2023-mam', '2023-jja', '2023-son', '2023-djf']);
  expect(cube.dimensions.bands.values).toEqual(['B04', 'B08']);
  const seasonOf = (date: string) => {
    const m = Number(date.slice(5, 7));
    return m <= 2 ? 0 : m === 12 ? 4 : Math.floor(m / 3);
  };
  const b08 = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B08'));
  const bandIndex = cube.order.indexOf('bands');
  const tIndex = cube.order.indexOf('t');
  // Pick the B08 planes out of the nested data, whatever the order of t and bands.
  const planes = Array.from({ length: 5 }, (_, s) => (tIndex < bandIndex ? cube.data[s][1] : cube.data[1][s]));
  const checked = compare({ ...cube, data: planes }, (s, col, row) => {
    const values = DEMO_DATES.flatMap((d, k) => (seasonOf(d) === s ? [b08[k][row * S2.width + col]] : [])).filter((v) => !Number.isNaN(v));
    return values.length ? Math.max(...values) : NaN;
  });
  expect(checked).toBe(5 * 70 * 50);
}, 120_000);

test('aggregate_temporal: overlapping intervals with labels, and an empty interval gives no-data', async () => {
  const intervals = [['2023-01-01', '2023-07-01'], ['2023-04-01', '2024-01-01'], ['2022-01-01', '2022-06-01']];
  const cube = await jsonResult(server, auth, {
    load: load(['B02'], EXTENT),
    drop: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 'bands', reducer: reducer('first') } },
    agg: {
      process_id: 'aggregate_temporal',
      arguments: { data: { from_node: 'drop' }, intervals, labels: ['h1', 'late', 'before'], reducer: reducer('median') },
    },
    save: saveJson('agg'),
  });
  expect(cube.dimensions.t.values).toEqual(['h1', 'late', 'before']);
  const b02 = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B02'));
  const median = (values: number[]) => {
    const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    if (v.length === 0) return NaN;
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  compare(cube, (g, col, row) =>
    median(DEMO_DATES.flatMap((d, k) => (d >= intervals[g][0] && d < intervals[g][1] ? [b02[k][row * S2.width + col]] : []))),
  );
}, 120_000);

test('default labels are the interval starts; bad intervals and dimensions are openEO errors', async () => {
  const graph = (args: Record<string, unknown>) => ({
    load: load(['B02'], s2Extent(0, 0, 4, 4)),
    agg: { process_id: 'aggregate_temporal', arguments: { data: { from_node: 'load' }, reducer: reducer('mean'), ...args } },
    save: saveJson('agg'),
  });
  const ok = await jsonResult(server, auth, graph({ intervals: [['2023-01-01', '2023-03-01'], ['2023-03-01T00:00:00Z', '2023-05-01']] }));
  expect(ok.dimensions.t.values).toEqual(['2023-01-01', '2023-03-01T00:00:00Z']);
  expect(await errorResult(server, auth, graph({ intervals: [['2023-03-01', '2023-01-01']] }))).toEqual({ status: 400, code: 'TemporalExtentEmpty' });
  expect(await errorResult(server, auth, graph({ intervals: [['2023-01-01', '2023-02-01'], ['2023-01-01', '2023-03-01']] }))).toEqual({
    status: 400,
    code: 'DistinctDimensionLabelsRequired',
  });
  expect(await errorResult(server, auth, graph({ intervals: [['2023-01-01', '2023-02-01']], dimension: 'bands' }))).toEqual({
    status: 400,
    code: 'DimensionNotAvailable',
  });
  const noTime = {
    load: load(['B02'], s2Extent(0, 0, 4, 4)),
    red: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 't', reducer: reducer('mean') } },
    agg: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'red' }, period: 'year', reducer: reducer('mean') } },
    save: saveJson('agg'),
  };
  expect(await errorResult(server, auth, noTime)).toEqual({ status: 400, code: 'DimensionNotAvailable' });
}, 120_000);
