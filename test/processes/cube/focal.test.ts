import { TestServer } from '../../helpers/testServer';
import { demoBand, demoServer, errorResult, jsonResult, load, reducer, s2Extent, saveJson, S2 } from './helpers';

/**
 * apply_kernel, filter_labels, trim_cube and merge_cubes without resolver through POST /result over
 * the demo Sentinel-2 collection (tile size 32: the halo of a kernel crosses tile borders), checked
 * against computations straight from the files.
 */
let server: TestServer;
let auth: string;
const DATE = '2023-06-13';
const COL0 = 20, ROW0 = 30, W = 45, H = 38;
const EXTENT = s2Extent(COL0, ROW0, W, H);
const oneDate = [DATE, '2023-06-14'];

beforeAll(async () => {
  ({ server, auth } = await demoServer(32));
}, 120_000);
afterAll(() => server?.close());

const band = (name: string) => ({
  load: load([name], EXTENT, oneDate),
  plane: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 'bands', reducer: reducer('first') } },
});

/** The result plane of a (t, y, x) JSON cube with one date, as rows of numbers (null → NaN). */
const plane = (data: any): number[][] => (data[0] as Array<Array<number | null>>).map((r) => r.map((v) => (v === null ? NaN : v)));

/** Reference convolution written independently: explicit border rules, kernel flipped. */
function convolve(src: (c: number, r: number) => number, kernel: number[][], factor: number, border: string | number, replace: number) {
  const kh = kernel.length, kw = kernel[0].length;
  const at = (c: number, r: number): number => {
    const fold = (i: number, n: number): number => {
      if (border === 'reflect_pixel') {
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
      }
      if (border === 'replicate') return Math.min(n - 1, Math.max(0, i));
      if (border === 'wrap') return ((i % n) + n) % n;
      return i;
    };
    if (typeof border === 'number' && (c < 0 || c >= W || r < 0 || r >= H)) return border;
    const v = src(fold(c, W), fold(r, H));
    return Number.isFinite(v) ? v : replace;
  };
  const out: number[][] = [];
  for (let r = 0; r < H; r++) {
    out.push([]);
    for (let c = 0; c < W; c++) {
      let sum = 0;
      for (let j = 0; j < kh; j++) for (let i = 0; i < kw; i++) sum += kernel[kh - 1 - j][kw - 1 - i] * at(c + i - (kw - 1) / 2, r + j - (kh - 1) / 2);
      out[r].push(sum * factor);
    }
  }
  return out;
}

describe('apply_kernel', () => {
  const kernel = [
    [1, 0, 2, 0, -1],
    [0, 3, 1, -2, 0],
    [4, 0, 0, 1, 1],
  ];
  for (const border of ['reflect_pixel', 'replicate', 'wrap', 7] as const) {
    test(`an asymmetric 5×3 kernel with border ${border} matches a direct convolution`, async () => {
      const cube = await jsonResult(server, auth, {
        ...band('B08'),
        k: { process_id: 'apply_kernel', arguments: { data: { from_node: 'plane' }, kernel, factor: 0.5, border, replace_invalid: -3 } },
        save: saveJson('k'),
      });
      expect(cube.dimensions.x.values).toHaveLength(W);
      expect(cube.dimensions.y.values).toHaveLength(H);
      const b08 = demoBand(server.dataDir, DATE, 'B08');
      const expected = convolve((c, r) => b08[(ROW0 + r) * S2.width + COL0 + c], kernel, 0.5, border, -3);
      const got = plane(cube.data);
      for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) expect(got[r][c]).toBeCloseTo(expected[r][c], 6);
    }, 60_000);
  }

  test('even kernel sizes are refused with KernelDimensionsUneven', async () => {
    const res = await errorResult(server, auth, {
      ...band('B08'),
      k: { process_id: 'apply_kernel', arguments: { data: { from_node: 'plane' }, kernel: [[1, 1], [1, 1]] } },
      save: saveJson('k'),
    });
    expect(res).toEqual({ status: 400, code: 'KernelDimensionsUneven' });
  });
});

describe('filter_labels', () => {
  test('keeps the dates and bands the condition accepts', async () => {
    const cube = await jsonResult(server, auth, {
      load: load(['B02', 'B04', 'B08'], s2Extent(0, 0, 3, 2)),
      dates: {
        process_id: 'filter_labels',
        arguments: {
          data: { from_node: 'load' },
          dimension: 't',
          condition: { process_graph: { d: { process_id: 'date_between', arguments: { x: { from_parameter: 'value' }, min: '2023-04-01', max: '2023-08-01' }, result: true } } },
        },
      },
      bands: {
        process_id: 'filter_labels',
        arguments: {
          data: { from_node: 'dates' },
          dimension: 'bands',
          condition: { process_graph: { n: { process_id: 'neq', arguments: { x: { from_parameter: 'value' }, y: 'B04' }, result: true } } },
        },
      },
      save: saveJson('bands'),
    });
    expect((cube.dimensions.t.values as string[]).map((t) => t.slice(0, 10))).toEqual(['2023-04-09', '2023-04-29', '2023-05-24', '2023-06-13', '2023-07-08', '2023-07-28']);
    expect(cube.dimensions.bands.values).toEqual(['B02', 'B08']);
    const tIndex = cube.order.indexOf('t');
    const b08 = demoBand(server.dataDir, '2023-05-24', 'B08');
    const value = tIndex === 0 ? cube.data[2][1][1][2] : cube.data[1][2][1][2];
    expect(value).toBeCloseTo(b08[1 * S2.width + 2], 6);
  });

  test('x coordinates: a contiguous run is kept; an unknown dimension is DimensionNotAvailable', async () => {
    const limit = S2.west + 10 * S2.size;
    const cube = await jsonResult(server, auth, {
      ...band('B02'),
      f: {
        process_id: 'filter_labels',
        arguments: {
          data: { from_node: 'plane' },
          dimension: 'x',
          condition: { process_graph: { l: { process_id: 'lt', arguments: { x: { from_parameter: 'value' }, y: limit + COL0 * 10 + 50 }, result: true } } },
        },
      },
      save: saveJson('f'),
    });
    expect(cube.dimensions.x.values).toEqual(Array.from({ length: 15 }, (_, i) => S2.west + (COL0 + i) * 10 + 5));
    const res = await errorResult(server, auth, {
      ...band('B02'),
      f: { process_id: 'filter_labels', arguments: { data: { from_node: 'plane' }, dimension: 'nope', condition: { process_graph: { t: { process_id: 'constant', arguments: { x: true }, result: true } } } } },
      save: saveJson('f'),
    });
    expect(res).toEqual({ status: 400, code: 'DimensionNotAvailable' });
  });
});

test('trim_cube removes the outer rows, columns and dates without data', async () => {
  const dates = ['2023-06-13', '2023-07-08', '2023-07-28', '2023-08-22'];
  const bands = dates.map((d) => demoBand(server.dataDir, d, 'B08'));
  const inRegion = (k: number) => {
    const out: number[] = [];
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) out.push(bands[k][(ROW0 + r) * S2.width + COL0 + c]);
    return out;
  };
  // Keep only the brightest values (about 1 in 300) so that the data shrink to a smaller box.
  const all = dates.flatMap((_, k) => inRegion(k)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const threshold = all[Math.floor(all.length * 0.997)];
  let minC = Infinity, maxC = -1, minR = Infinity, maxR = -1;
  const used: boolean[] = [];
  dates.forEach((_, k) => {
    inRegion(k).forEach((v, i) => {
      if (!(v >= threshold)) return;
      used[k] = true;
      const c = i % W, r = Math.floor(i / W);
      minC = Math.min(minC, c); maxC = Math.max(maxC, c); minR = Math.min(minR, r); maxR = Math.max(maxR, r);
    });
  });
  const firstDate = used.findIndex(Boolean), lastDate = used.lastIndexOf(true);
  const cube = await jsonResult(server, auth, {
    load: load(['B08'], EXTENT, ['2023-06-01', '2023-09-01']),
    dark: {
      process_id: 'apply',
      arguments: { data: { from_node: 'load' }, process: { process_graph: { l: { process_id: 'lt', arguments: { x: { from_parameter: 'x' }, y: threshold }, result: true } } } },
    },
    masked: { process_id: 'mask', arguments: { data: { from_node: 'load' }, mask: { from_node: 'dark' } } },
    trimmed: { process_id: 'trim_cube', arguments: { data: { from_node: 'masked' } } },
    save: saveJson('trimmed'),
  });
  expect(maxC - minC + 1).toBeLessThan(W);
  expect(cube.dimensions.x.values).toEqual(Array.from({ length: maxC - minC + 1 }, (_, i) => S2.west + (COL0 + minC + i) * 10 + 5));
  expect(cube.dimensions.y.values).toEqual(Array.from({ length: maxR - minR + 1 }, (_, i) => S2.north - (ROW0 + minR + i) * 10 - 5));
  expect((cube.dimensions.t.values as string[]).map((t) => t.slice(0, 10))).toEqual(dates.slice(firstDate, lastDate + 1));
});

test('merge_cubes accepts an explicit null overlap_resolver when nothing overlaps', async () => {
  const cube = await jsonResult(server, auth, {
    a: load(['B02'], s2Extent(0, 0, 2, 2), oneDate),
    b: load(['B08'], s2Extent(0, 0, 2, 2), oneDate),
    m: { process_id: 'merge_cubes', arguments: { cube1: { from_node: 'a' }, cube2: { from_node: 'b' }, overlap_resolver: null } },
    save: saveJson('m'),
  });
  expect(cube.dimensions.bands.values).toEqual(['B02', 'B08']);
});
