import { TestServer } from '../../helpers/testServer';
import { demoServer, errorResult, jsonResult, load, reducer, s2Extent, saveJson } from './helpers';

/**
 * apply_neighborhood through POST /result (tile size 32, neighbourhoods of 20 pixels, so chunks and
 * tiles cut each other): with a kernel as child process and enough overlap it must equal the kernel
 * applied to the whole cube.
 */
let server: TestServer;
let auth: string;
const EXTENT = s2Extent(10, 15, 70, 45);

beforeAll(async () => {
  ({ server, auth } = await demoServer(32));
}, 120_000);
afterAll(() => server?.close());

const kernel = [
  [1, 2, 1],
  [0, 5, -1],
  [2, 1, 3],
];
const base = {
  load: load(['B04', 'B08'], EXTENT, ['2023-07-01', '2023-08-01']),
};
const kernelNode = (from: unknown) => ({ process_id: 'apply_kernel', arguments: { data: from, kernel, factor: 0.25 } });

test('a kernel per neighbourhood with overlap equals the kernel over the whole cube', async () => {
  const whole = await jsonResult(server, auth, { ...base, k: kernelNode({ from_node: 'load' }), save: saveJson('k') });
  const chunked = await jsonResult(server, auth, {
    ...base,
    n: {
      process_id: 'apply_neighborhood',
      arguments: {
        data: { from_node: 'load' },
        process: { process_graph: { k: { ...kernelNode({ from_parameter: 'data' }), result: true } } },
        size: [{ dimension: 'x', value: 20, unit: 'px' }, { dimension: 'y', value: 200, unit: 'm' }, { dimension: 't', value: null }],
        overlap: [{ dimension: 'x', value: 2, unit: 'px' }, { dimension: 'y', value: 10, unit: 'm' }],
      },
    },
    save: saveJson('n'),
  });
  expect(chunked.order).toEqual(whole.order);
  expect(chunked.dimensions).toEqual(whole.dimensions);
  const flatA = (chunked.data as unknown[]).flat(4) as Array<number | null>;
  const flatB = (whole.data as unknown[]).flat(4) as Array<number | null>;
  expect(flatA.length).toBe(2 * 2 * 70 * 45);
  flatA.forEach((v, i) => (v === null ? expect(flatB[i]).toBeNull() : expect(v).toBeCloseTo(flatB[i]!, 6)));
}, 60_000);

test('without overlap the chunk edges see no-data, so values differ exactly there', async () => {
  const whole = await jsonResult(server, auth, { ...base, k: kernelNode({ from_node: 'load' }), save: saveJson('k') });
  const chunked = await jsonResult(server, auth, {
    ...base,
    n: {
      process_id: 'apply_neighborhood',
      arguments: {
        data: { from_node: 'load' },
        process: { process_graph: { k: { ...kernelNode({ from_parameter: 'data' }), result: true } } },
        size: [{ dimension: 'x', value: 20 }, { dimension: 'y', value: 20 }],
      },
    },
    save: saveJson('n'),
  });
  // First date, first band, row 5: columns 19 and 20 lie on both sides of a chunk border.
  const tb = (c: { data: any }) => c.data[0][0];
  const rowA = tb(chunked)[5] as number[];
  const rowB = tb(whole)[5] as number[];
  expect(rowA[10]).toBeCloseTo(rowB[10], 6);
  expect(rowA[19]).not.toBeCloseTo(rowB[19], 6);
  expect(rowA[20]).not.toBeCloseTo(rowB[20], 6);
}, 60_000);

test('changing the shape in the child process, or naming an unknown dimension, are openEO errors', async () => {
  const shrink = await errorResult(server, auth, {
    ...base,
    n: {
      process_id: 'apply_neighborhood',
      arguments: {
        data: { from_node: 'load' },
        process: { process_graph: { r: { process_id: 'reduce_dimension', arguments: { data: { from_parameter: 'data' }, dimension: 't', reducer: reducer('mean') }, result: true } } },
        size: [{ dimension: 'x', value: 16 }, { dimension: 'y', value: 16 }],
      },
    },
    save: saveJson('n'),
  });
  expect(shrink).toEqual({ status: 400, code: 'DataCubePropertiesImmutable' });
  const unknown = await errorResult(server, auth, {
    ...base,
    n: {
      process_id: 'apply_neighborhood',
      arguments: {
        data: { from_node: 'load' },
        process: { process_graph: { k: { ...kernelNode({ from_parameter: 'data' }), result: true } } },
        size: [{ dimension: 'z', value: 16 }],
      },
    },
    save: saveJson('n'),
  });
  expect(unknown).toEqual({ status: 400, code: 'DimensionNotAvailable' });
}, 60_000);
