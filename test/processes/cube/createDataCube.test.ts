import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { cubeToTestEncoding } from '../../../src/raster/jsonEncoding';
import { runContext } from '../../helpers/processContext';

/** create_data_cube through the real executor, built up into a cube with add_dimension. */
const registry = createProcessRegistry();
const ctx = runContext();

test('an empty cube gets dimensions with add_dimension and holds no-data', async () => {
  const graph = {
    c: { process_id: 'create_data_cube', arguments: {} },
    t: { process_id: 'add_dimension', arguments: { data: { from_node: 'c' }, name: 't', label: '2020-01-01T00:00:00Z', type: 'temporal' } },
    b: { process_id: 'add_dimension', arguments: { data: { from_node: 't' }, name: 'bands', label: 'red', type: 'bands' } },
    l: { process_id: 'dimension_labels', arguments: { data: { from_node: 'b' }, dimension: 'bands' } },
  } as unknown as ProcessGraph;
  const empty = (await evaluateGraph({ c: { ...graph.c, result: true } } as unknown as ProcessGraph, {}, registry, ctx)) as DataCube;
  expect(empty.order).toEqual([]);
  expect(empty.grid).toBeNull();
  const built = (await evaluateGraph({ ...graph, b: { ...graph.b, result: true } } as unknown as ProcessGraph, {}, registry, ctx)) as DataCube;
  const encoded = await cubeToTestEncoding(built);
  expect(encoded.order).toEqual(['bands', 't']);
  expect(encoded.data).toEqual([[NaN]]);
  expect(await evaluateGraph({ ...graph, l: { ...graph.l, result: true } } as unknown as ProcessGraph, {}, registry, ctx)).toEqual(['red']);
});
