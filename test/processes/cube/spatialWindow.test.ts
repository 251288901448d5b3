import { TestServer } from '../../helpers/testServer';
import { WindowAggregateCube } from '../../../src/processes/cube/aggregateSpatialWindow';
import { demoBand, demoServer, jsonResult, load, nanMean, reducer, s2Extent, saveJson, S2 } from './helpers';

/** aggregate_spatial_window through POST /result (tile size 16: blocks of several tiles' pixels), checked against block means from the file. */
let server: TestServer;
let auth: string;
const DATE = '2023-05-24';
const COL0 = 7, ROW0 = 11, W = 45, H = 38;

beforeAll(async () => {
  ({ server, auth } = await demoServer(16));
}, 120_000);
afterAll(() => server?.close());

const graph = (args: Record<string, unknown>) => ({
  load: load(['B08'], s2Extent(COL0, ROW0, W, H), [DATE, '2023-05-25']),
  w: { process_id: 'aggregate_spatial_window', arguments: { data: { from_node: 'load' }, reducer: reducer('mean'), size: [4, 3], ...args } },
  save: saveJson('w'),
});

for (const [boundary, align, limit] of [['pad', 'upper-left', 0], ['trim', 'lower-right', 0], ['pad', 'lower-right', 100]] as const) {
  test(`block means with boundary ${boundary}, align ${align}${limit ? ', windows split to read at most 100 values' : ''}`, async () => {
    const saved = WindowAggregateCube.maxSourceValues;
    if (limit) WindowAggregateCube.maxSourceValues = limit;
    const cube = await jsonResult(server, auth, graph({ boundary, align })).finally(() => (WindowAggregateCube.maxSourceValues = saved));
    const nx = boundary === 'pad' ? Math.ceil(W / 4) : Math.floor(W / 4);
    const ny = boundary === 'pad' ? Math.ceil(H / 3) : Math.floor(H / 3);
    const shiftX = align.endsWith('right') ? W - nx * 4 : 0;
    const shiftY = align.startsWith('lower') ? H - ny * 3 : 0;
    const xs = cube.dimensions.x.values as number[];
    const ys = cube.dimensions.y.values as number[];
    expect(xs).toHaveLength(nx);
    expect(ys).toHaveLength(ny);
    expect(xs[0]).toBeCloseTo(S2.west + (COL0 + shiftX) * 10 + 20, 6);
    expect(ys[0]).toBeCloseTo(S2.north - (ROW0 + shiftY) * 10 - 15, 6);
    const b08 = demoBand(server.dataDir, DATE, 'B08');
    const data = cube.data as Array<Array<Array<Array<number | null>>>>;
    // One date and one band: the plane is data[0][0] whatever the order of t and bands.
    const plane = data[0][0];
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const values: number[] = [];
        for (let r = j * 3 + shiftY; r < j * 3 + shiftY + 3; r++) {
          for (let c = i * 4 + shiftX; c < i * 4 + shiftX + 4; c++) {
            if (r >= 0 && r < H && c >= 0 && c < W) values.push(b08[(ROW0 + r) * S2.width + COL0 + c]);
          }
        }
        const want = nanMean(values);
        if (Number.isNaN(want)) expect(plane[j][i]).toBeNull();
        else expect(plane[j][i]).toBeCloseTo(want, 6);
      }
    }
  }, 60_000);
}

test('reduce_spatial: the median of every plane, per date and band', async () => {
  const cube = await jsonResult(server, auth, {
    load: load(['B04', 'B08'], s2Extent(COL0, ROW0, W, H), ['2023-04-01', '2023-05-01']),
    r: { process_id: 'reduce_spatial', arguments: { data: { from_node: 'load' }, reducer: reducer('median') } },
    save: saveJson('r'),
  });
  expect(cube.order).not.toContain('x');
  expect(cube.order).not.toContain('y');
  const dates = (cube.dimensions.t.values as string[]).map((d) => d.slice(0, 10));
  expect(dates).toEqual(['2023-04-09', '2023-04-29']);
  const bands = cube.dimensions.bands.values as string[];
  const tFirst = cube.order.indexOf('t') < cube.order.indexOf('bands');
  for (let t = 0; t < 2; t++) {
    for (let b = 0; b < 2; b++) {
      const values = demoBand(server.dataDir, dates[t], bands[b]);
      const region: number[] = [];
      for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) region.push(values[(ROW0 + r) * S2.width + COL0 + c]);
      const v = region.filter((x) => !Number.isNaN(x)).sort((p, q) => p - q);
      const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      expect(tFirst ? cube.data[t][b] : cube.data[b][t]).toBeCloseTo(median, 6);
    }
  }
}, 60_000);
