/**
 * Fused callbacks end to end: graphs over the demo Sentinel-2 collection posted to /result give
 * the values computed directly from the files; in-process, the same graphs are checked to be one
 * kernel over the collection (or, for a reducer outside the compiler's table, the general path).
 */
import pino from 'pino';
import { TestServer } from '../../helpers/testServer';
import { DEMO_DATES } from '../../../src/catalog/demo/generate';
import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import { createProcessContext } from '../../../src/processes/runContext';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { FusedCube } from '../../../src/raster/cube/FusedCube';
import { CollectionCube } from '../../../src/raster/read/CollectionCube';
import { JsonCube, S2, demoBand, demoServer, jsonResult, load, nanMean, reducer, s2Extent, s2Pixel, saveJson } from './helpers';

let server: TestServer;
let auth: string;
// Crosses the 64-pixel tile borders in both directions.
const EXTENT = s2Extent(40, 100, 70, 50);
const registry = createProcessRegistry();

beforeAll(async () => {
  ({ server, auth } = await demoServer(64));
}, 120_000);
afterAll(() => server?.close());

/** The cube a graph (without save_result) evaluates to, computed by nothing yet. */
async function cubeOf(graph: Record<string, unknown>): Promise<DataCube> {
  const ctx = createProcessContext(
    { config: server.ctx.config, catalog: server.ctx.catalog, logger: pino({ level: 'silent' }), signal: new AbortController().signal },
    '/nonexistent',
  );
  return (await evaluateGraph(graph as ProcessGraph, {}, registry, ctx)) as DataCube;
}

/** Every cell of a (y, x) result against `expected(col, row)`; returns how many were checked. */
function compare(plane: Array<Array<number | null>>, cube: JsonCube, expected: (col: number, row: number) => number): number {
  const ys = cube.dimensions[cube.order[cube.order.length - 2]].values as number[];
  const xs = cube.dimensions[cube.order[cube.order.length - 1]].values as number[];
  let checked = 0;
  plane.forEach((line, r) => {
    line.forEach((value, c) => {
      const { col, row } = s2Pixel(xs[c], ys[r]);
      const want = expected(col, row);
      if (Number.isNaN(want)) expect(value).toBeNull();
      else expect(value).toBeCloseTo(want, 12);
      checked++;
    });
  });
  return checked;
}

const ndviMax = {
  load: load(['B04', 'B08'], EXTENT),
  ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' } } },
  max: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: reducer('max') } },
};

test('NDVI then the maximum over time is one kernel over the collection, reading both bands of every date', async () => {
  const cube = (await cubeOf({ ...ndviMax, max: { ...ndviMax.max, result: true } })) as FusedCube;
  expect(cube).toBeInstanceOf(FusedCube);
  expect(cube.source).toBeInstanceOf(CollectionCube);
  expect(cube.kernel.inputCells).toHaveLength(2 * DEMO_DATES.length);
  expect(cube.kernel.outputCells).toBe(1);
}, 60_000);

test('NDVI then the maximum over time, posted to /result, equals the maximum computed from the files', async () => {
  const cube = await jsonResult(server, auth, { ...ndviMax, save: saveJson('max') });
  expect(cube.order).toEqual(['y', 'x']);
  const red = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B04'));
  const nir = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B08'));
  const checked = compare(cube.data, cube, (col, row) => {
    const i = row * S2.width + col;
    const values = DEMO_DATES.map((_, k) => (nir[k][i] - red[k][i]) / (nir[k][i] + red[k][i])).filter((v) => !Number.isNaN(v));
    return values.length === 0 ? NaN : Math.max(...values);
  });
  expect(checked).toBe(70 * 50);
}, 120_000);

test('a temporal mean, posted to /result, equals the mean computed from the files', async () => {
  const graph = {
    load: load(['B08'], EXTENT),
    mean: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 't', reducer: reducer('mean') } },
  };
  expect(await cubeOf({ ...graph, mean: { ...graph.mean, result: true } })).toBeInstanceOf(FusedCube);
  const cube = await jsonResult(server, auth, { ...graph, save: saveJson('mean') });
  expect(cube.order).toEqual(['bands', 'y', 'x']);
  const nir = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B08'));
  const checked = compare(cube.data[0], cube, (col, row) => nanMean(nir.map((b) => b[row * S2.width + col])));
  expect(checked).toBe(70 * 50);
}, 120_000);

test('a reducer outside the compiler\'s table runs on the general path with the same meaning', async () => {
  const median = {
    process_graph: {
      q: { process_id: 'quantiles', arguments: { data: { from_parameter: 'data' }, probabilities: [0.5] } },
      r: { process_id: 'array_element', arguments: { data: { from_node: 'q' }, index: 0 }, result: true },
    },
  };
  const graph = {
    load: load(['B04'], EXTENT),
    med: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 't', reducer: median } },
  };
  const planned = await cubeOf({ ...graph, med: { ...graph.med, result: true } });
  expect(planned).not.toBeInstanceOf(FusedCube);
  const cube = await jsonResult(server, auth, { ...graph, save: saveJson('med') });
  const red = DEMO_DATES.map((d) => demoBand(server.dataDir, d, 'B04'));
  const checked = compare(cube.data[0], cube, (col, row) => {
    const v = red.map((b) => b[row * S2.width + col]).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    if (v.length === 0) return NaN;
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  });
  expect(checked).toBe(70 * 50);
}, 120_000);
