import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { cubeFromTestEncoding, cubeToTestEncoding, EncodedCube } from '../../../src/raster/jsonEncoding';
import { runContext } from '../../helpers/processContext';

/**
 * fit_curve (inside apply_dimension, per pixel of a tile) and predict_curve through the real
 * executor, on a harmonic time series whose true parameters are known per pixel.
 */
const registry = createProcessRegistry();
const ctx = runContext();

const YEAR = 31557600;
const W = (2 * Math.PI) / YEAR;
const harmonic = (p: number[], seconds: number) => p[0] + p[1] * Math.cos(W * seconds) + p[2] * Math.sin(W * seconds);
const el = (i: number) => ({ process_id: 'array_element', arguments: { data: { from_parameter: 'parameters' }, index: i } });
const FUNCTION = {
  process_graph: {
    a: el(0),
    b: el(1),
    c: el(2),
    wx: { process_id: 'multiply', arguments: { x: W, y: { from_parameter: 'x' } } },
    cos: { process_id: 'cos', arguments: { x: { from_node: 'wx' } } },
    sin: { process_id: 'sin', arguments: { x: { from_node: 'wx' } } },
    bc: { process_id: 'multiply', arguments: { x: { from_node: 'b' }, y: { from_node: 'cos' } } },
    cs: { process_id: 'multiply', arguments: { x: { from_node: 'c' }, y: { from_node: 'sin' } } },
    s1: { process_id: 'add', arguments: { x: { from_node: 'a' }, y: { from_node: 'bc' } } },
    s2: { process_id: 'add', arguments: { x: { from_node: 's1' }, y: { from_node: 'cs' } }, result: true },
  },
};

// Pixel i (of 2 × 2) has parameters TRUE[i]; dates every 23 days; pixel 3 misses two values.
const TRUE = [[10, 3, -2], [0.5, -1, 0.25], [100, 20, 5], [-4, 0, 2]];
const DATES = Array.from({ length: 16 }, (_, k) => new Date(Date.UTC(2022, 0, 5) + k * 23 * 86_400_000).toISOString().replace('.000', ''));

function series(): DataCube {
  const data = DATES.map((d, k) => {
    const s = Date.parse(d) / 1000;
    const v = TRUE.map((p, i) => (i === 3 && (k === 2 || k === 9) ? NaN : harmonic(p, s)));
    return [[v[0], v[1]], [v[2], v[3]]];
  });
  return cubeFromTestEncoding({
    type: 'datacube',
    order: ['t', 'y', 'x'],
    dimensions: {
      t: { type: 'temporal', values: DATES },
      y: { type: 'spatial', axis: 'y', values: [5757495, 5757485], reference_system: 'EPSG:25832' },
      x: { type: 'spatial', axis: 'x', values: [404835, 404845], reference_system: 'EPSG:25832' },
    } as EncodedCube['dimensions'],
    data,
  });
}

const fitNode = {
  process_id: 'apply_dimension',
  arguments: {
    data: { from_parameter: 'cube' },
    dimension: 't',
    target_dimension: 'coefficients',
    process: { process_graph: { f: { process_id: 'fit_curve', arguments: { data: { from_parameter: 'data' }, parameters: [1, 1, 1], function: FUNCTION }, result: true } } },
  },
};

test('fit_curve recovers the parameters of every pixel, also with gaps', async () => {
  const fitted = (await evaluateGraph({ fit: { ...fitNode, result: true } } as unknown as ProcessGraph, { cube: series() }, registry, ctx)) as DataCube;
  const encoded = await cubeToTestEncoding(fitted);
  expect(encoded.order).toEqual(['coefficients', 'y', 'x']);
  const data = encoded.data as number[][][];
  TRUE.forEach((p, i) => p.forEach((v, j) => expect(data[j][Math.floor(i / 2)][i % 2]).toBeCloseTo(v, 4)));
});

test('predict_curve evaluates the fitted model at new dates', async () => {
  const labels = ['2024-03-01T00:00:00Z', '2024-09-15T12:00:00Z'];
  const graph = {
    fit: fitNode,
    p: { process_id: 'predict_curve', arguments: { parameters: { from_node: 'fit' }, function: FUNCTION, dimension: 't', labels }, result: true },
  } as unknown as ProcessGraph;
  const encoded = await cubeToTestEncoding((await evaluateGraph(graph, { cube: series() }, registry, ctx)) as DataCube);
  expect(encoded.order).toEqual(['t', 'y', 'x']);
  expect(encoded.dimensions.t.values).toEqual(labels);
  const data = encoded.data as number[][][];
  labels.forEach((l, k) => TRUE.forEach((p, i) => expect(data[k][Math.floor(i / 2)][i % 2]).toBeCloseTo(harmonic(p, Date.parse(l) / 1000), 3)));
  await expect(
    evaluateGraph({ fit: fitNode, p: { ...graph.p, arguments: { ...(graph.p as any).arguments, labels: null } } } as unknown as ProcessGraph, { cube: series() }, registry, ctx),
  ).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
});

test('fit_curve on a plain labeled array outside a cube', async () => {
  const graph = {
    f: { process_id: 'fit_curve', arguments: { data: [1, 3, 5, 7.5], parameters: [0, 0], function: { process_graph: {
      a: el(0), b: el(1),
      bx: { process_id: 'multiply', arguments: { x: { from_node: 'b' }, y: { from_parameter: 'x' } } },
      s: { process_id: 'add', arguments: { x: { from_node: 'a' }, y: { from_node: 'bx' } }, result: true },
    } } }, result: true },
  } as unknown as ProcessGraph;
  // Least squares line through (0,1), (1,3), (2,5), (3,7.5): slope 2.15, intercept 0.9.
  const [a, b] = (await evaluateGraph(graph, {}, registry, ctx)) as number[];
  expect(a).toBeCloseTo(0.9, 6);
  expect(b).toBeCloseTo(2.15, 6);
});
