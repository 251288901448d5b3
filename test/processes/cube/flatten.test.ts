import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { cubeFromTestEncoding, cubeToTestEncoding, EncodedCube } from '../../../src/raster/jsonEncoding';
import { runContext } from '../../helpers/processContext';

/** flatten_dimensions and unflatten_dimension on small in-memory cubes through the real executor. */
const registry = createProcessRegistry();
const ctx = runContext();

async function run(processId: string, args: Record<string, unknown>): Promise<unknown> {
  const graph = { n: { process_id: processId, arguments: { ...args, data: { from_parameter: 'cube' } }, result: true } } as unknown as ProcessGraph;
  return evaluateGraph(graph, { cube: args.data }, registry, ctx);
}

// A (2 years) × B (3 bands) × y (1) × x (2); value = 100·a + 10·b + x.
const cube = () =>
  cubeFromTestEncoding({
    type: 'datacube',
    order: ['A', 'B', 'y', 'x'],
    dimensions: {
      A: { type: 'other', values: [2020, 2021] },
      B: { type: 'bands', values: ['B1', 'B2', 'B3'] },
      y: { type: 'spatial', axis: 'y', values: [5757495], reference_system: 'EPSG:25832' },
      x: { type: 'spatial', axis: 'x', values: [404835, 404845], reference_system: 'EPSG:25832' },
    } as EncodedCube['dimensions'],
    data: [0, 1].map((a) => [0, 1, 2].map((b) => [[100 * a + 10 * b, 100 * a + 10 * b + 1]])),
  });

test('flatten in either order joins the labels and keeps each value with its labels', async () => {
  const ab = await cubeToTestEncoding((await run('flatten_dimensions', { data: cube(), dimensions: ['A', 'B'], target_dimension: 'X' })) as DataCube);
  expect(ab.order).toEqual(['X', 'y', 'x']);
  expect(ab.dimensions.X.values).toEqual(['2020~B1', '2020~B2', '2020~B3', '2021~B1', '2021~B2', '2021~B3']);
  expect(ab.data).toEqual([[[0, 1]], [[10, 11]], [[20, 21]], [[100, 101]], [[110, 111]], [[120, 121]]]);
  const ba = await cubeToTestEncoding(
    (await run('flatten_dimensions', { data: cube(), dimensions: ['B', 'A'], target_dimension: 'X', label_separator: '/' })) as DataCube,
  );
  expect(ba.dimensions.X.values).toEqual(['B1/2020', 'B1/2021', 'B2/2020', 'B2/2021', 'B3/2020', 'B3/2021']);
  expect((ba.data as number[][][]).map((p) => p[0][1])).toEqual([1, 101, 11, 111, 21, 121]);
});

test('unflatten restores the dimensions; missing combinations are no-data', async () => {
  const flat = (await run('flatten_dimensions', { data: cube(), dimensions: ['A', 'B'], target_dimension: 'X' })) as DataCube;
  const back = await cubeToTestEncoding((await run('unflatten_dimension', { data: flat, dimension: 'X', target_dimensions: ['A', 'B'] })) as DataCube);
  const original = await cubeToTestEncoding(cube());
  expect(back.order).toEqual(original.order);
  expect(back.data).toEqual(original.data);
  expect(back.dimensions.A.values).toEqual(['2020', '2021']);
  // Drop one label first: its combination comes back as no-data.
  const partial = (await evaluateGraph(
    {
      f: { process_id: 'filter_labels', arguments: { data: { from_parameter: 'cube' }, dimension: 'X', condition: { process_graph: { n: { process_id: 'neq', arguments: { x: { from_parameter: 'value' }, y: '2021~B2' }, result: true } } } } },
      u: { process_id: 'unflatten_dimension', arguments: { data: { from_node: 'f' }, dimension: 'X', target_dimensions: ['year', 'band'] }, result: true },
    } as unknown as ProcessGraph,
    { cube: flat },
    registry,
    ctx,
  )) as DataCube;
  const encoded = await cubeToTestEncoding(partial);
  expect(encoded.order).toEqual(['year', 'band', 'y', 'x']);
  expect((encoded.data as number[][][][])[1][1][0]).toEqual([NaN, NaN]);
  expect((encoded.data as number[][][][])[1][2][0]).toEqual([120, 121]);
});

test('unknown and existing dimension names are openEO errors', async () => {
  await expect(run('flatten_dimensions', { data: cube(), dimensions: ['A', 'C'], target_dimension: 'X' })).rejects.toMatchObject({ code: 'DimensionNotAvailable' });
  await expect(run('flatten_dimensions', { data: cube(), dimensions: ['A'], target_dimension: 'B' })).rejects.toMatchObject({ code: 'TargetDimensionExists' });
  await expect(run('unflatten_dimension', { data: cube(), dimension: 'Z', target_dimensions: ['P', 'Q'] })).rejects.toMatchObject({ code: 'DimensionNotAvailable' });
  await expect(run('unflatten_dimension', { data: cube(), dimension: 'B', target_dimensions: ['A', 'Q'] })).rejects.toMatchObject({ code: 'TargetDimensionExists' });
});
