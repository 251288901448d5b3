import { cubeFromTestEncoding, cubeToTestEncoding, EncodedCube } from '../../src/raster/jsonEncoding';
import { readAll } from '../../src/raster/tiles';
import { SubsetCube } from '../../src/raster/cube/SubsetCube';
import { WindowCube } from '../../src/raster/cube/WindowCube';
import { createProcessRegistry } from '../../src/processes';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { runContext } from '../helpers/processContext';

const tileCtx = () => ({ signal: new AbortController().signal, stats: { inputPixels: 0 } });

/** bands × t × y × x with value 1000 b + 100 t + 10 y + x, given in the unusual order x, bands, y, t. */
function encoded(): EncodedCube {
  const bands = ['red', 'nir'];
  const times = ['2020-06-01T00:00:00Z', '2020-06-03T00:00:00Z', '2020-06-06T00:00:00Z'];
  const ys = [5757495, 5757485];
  const xs = [404835, 404845, 404855, 404865];
  const data = xs.map((_, x) => bands.map((_, b) => ys.map((_, y) => times.map((_, t) => (b === 1 && t === 2 && x === 0 ? null : 1000 * b + 100 * t + 10 * y + x)))));
  return {
    type: 'datacube',
    order: ['x', 'bands', 'y', 't'],
    nodata: [NaN],
    dimensions: {
      x: { type: 'spatial', axis: 'x', values: xs, reference_system: 'EPSG:25832' },
      bands: { type: 'bands', values: bands },
      y: { type: 'spatial', axis: 'y', values: ys, reference_system: 'EPSG:25832' },
      t: { type: 'temporal', values: times },
    },
    data,
  };
}

test('decoding builds a grid from centre coordinates and lays values out as [bands][t][y][x]', async () => {
  const cube = cubeFromTestEncoding(encoded());
  expect(cube.grid).toEqual({ xName: 'x', yName: 'y', crs: 'EPSG:25832', epsg: 25832, transform: [404830, 10, 0, 5757500, 0, -10], width: 4, height: 2 });
  expect(cube.dims.map((d) => d.name)).toEqual(['bands', 't']);
  expect(cube.order).toEqual(['x', 'bands', 'y', 't']);
  const values = await readAll(cube, tileCtx());
  const at = (b: number, t: number, y: number, x: number) => values[((b * 3 + t) * 2 + y) * 4 + x];
  expect(at(0, 1, 1, 2)).toBe(112);
  expect(at(1, 2, 0, 3)).toBe(1203);
  expect(at(1, 2, 0, 0)).toBeNaN();
});

test('encoding restores the original order, labels and values', async () => {
  const original = encoded();
  const roundTrip = await cubeToTestEncoding(cubeFromTestEncoding(original));
  expect(roundTrip.order).toEqual(original.order);
  expect(roundTrip.dimensions).toEqual({
    x: { ...original.dimensions.x, reference_system: 25832 },
    bands: original.dimensions.bands,
    y: { ...original.dimensions.y, reference_system: 25832 },
    t: original.dimensions.t,
  });
  expect(roundTrip.data).toEqual((original.data as unknown[]).map(function nanForNull(v: unknown): unknown {
    return Array.isArray(v) ? v.map(nanForNull) : v === null ? NaN : v;
  }));
});

test('the no-data values of the encoding become NaN; booleans become 1 and 0', async () => {
  const cube = cubeFromTestEncoding({
    type: 'datacube',
    order: ['b'],
    nodata: [255],
    dimensions: { b: { type: 'other', values: ['p', 'q', 'r'] } },
    data: [255, true, false],
  });
  expect(cube.grid).toBeNull();
  expect(Array.from(await readAll(cube, tileCtx()))).toEqual([NaN, 1, 0]);
});

test('label selections and windows compose over the parent tile', async () => {
  const cube = cubeFromTestEncoding(encoded());
  const picked = SubsetCube.select(SubsetCube.select(cube, 1, [2, 0]), 0, [1]);
  expect(picked.dims.map((d) => d.labels)).toEqual([['nir'], ['2020-06-06T00:00:00Z', '2020-06-01T00:00:00Z']]);
  const cropped = new WindowCube(picked, { x: 1, y: 1, width: 3, height: 1 });
  expect(cropped.grid!.transform).toEqual([404840, 10, 0, 5757490, 0, -10]);
  expect(Array.from(await readAll(cropped, tileCtx()))).toEqual([1211, 1212, 1213, 1011, 1012, 1013]);
});

test('reduce_dimension over x turns y into a labelled dimension', async () => {
  const ctx = runContext();
  const graph = {
    r: {
      process_id: 'reduce_dimension',
      arguments: {
        data: { from_parameter: 'cube' },
        dimension: 'x',
        reducer: { process_graph: { max: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } },
      },
      result: true,
    },
  } as unknown as ProcessGraph;
  const result = await evaluateGraph(graph, { cube: cubeFromTestEncoding(encoded()) }, createProcessRegistry(), ctx);
  const out = await cubeToTestEncoding(result as never);
  expect(out.order).toEqual(['bands', 'y', 't']);
  expect(out.dimensions.y).toEqual({ type: 'other', values: [5757495, 5757485] });
  // max over x = value at x = 3
  expect(out.data).toEqual([
    [[3, 103, 203], [13, 113, 213]],
    [[1003, 1103, 1203], [1013, 1113, 1213]],
  ]);
});
