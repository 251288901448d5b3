import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import { OpenEOError } from '../../../src/errors/OpenEOError';
import { cubeFromTestEncoding, cubeToTestEncoding, EncodedCube } from '../../../src/raster/jsonEncoding';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { runContext } from '../../helpers/processContext';

/** Bad arguments to the new cube processes end as openEO errors with their codes, never as internal errors. */
const registry = createProcessRegistry();
const ctx = runContext();

const cube = () =>
  cubeFromTestEncoding({
    type: 'datacube',
    order: ['t', 'bands', 'y', 'x'],
    dimensions: {
      t: { type: 'temporal', values: ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z'] },
      bands: { type: 'bands', values: ['a', 'b'] },
      y: { type: 'spatial', axis: 'y', values: [5757495, 5757485], reference_system: 'EPSG:25832' },
      x: { type: 'spatial', axis: 'x', values: [404835, 404845, 404855], reference_system: 'EPSG:25832' },
    } as EncodedCube['dimensions'],
    data: [0, 1].map((t) => [0, 1].map((b) => [[1, 2, 3], [4, 5, NaN]].map((r) => r.map((v) => v + 10 * t + 100 * b)))),
  });

const mean = { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } };
/** A 'reducer' that returns an array per pixel instead of one value. */
const notReducing = { process_graph: { s: { process_id: 'sort', arguments: { data: { from_parameter: 'data' } }, result: true } } };
/** A neighbourhood process that returns labels instead of a cube. */
const notACube = { process_graph: { l: { process_id: 'dimension_labels', arguments: { data: { from_parameter: 'data' }, dimension: 'x' }, result: true } } };

async function run(processId: string, args: Record<string, unknown>): Promise<unknown> {
  const graph = { n: { process_id: processId, arguments: { data: { from_parameter: 'cube' }, ...args }, result: true } } as unknown as ProcessGraph;
  const result = await evaluateGraph(graph, { cube: cube() }, registry, ctx);
  // Compute the values too: lazy cubes fail only when their tiles are read.
  if (result instanceof DataCube) await cubeToTestEncoding(result);
  return result;
}

const cases: Array<[string, Record<string, unknown>, string]> = [
  ['aggregate_temporal_period', { period: 'fortnight', reducer: mean }, 'ProcessParameterInvalid'],
  ['aggregate_temporal_period', { period: 'month', reducer: mean, dimension: 'bands' }, 'DimensionNotAvailable'],
  ['aggregate_temporal', { intervals: [['2020-01-01', 'soon']], reducer: mean }, 'ProcessParameterInvalid'],
  ['aggregate_temporal', { intervals: [['2020-01-01', '2020-02-01']], labels: ['a', 'b'], reducer: mean }, 'ProcessParameterInvalid'],
  ['aggregate_temporal', { intervals: [['2020-01-01', '2020-02-01']], reducer: notReducing }, 'ProcessParameterInvalid'],
  ['apply_kernel', { kernel: [[1, 2, 3], [1, 2]] }, 'ProcessParameterInvalid'],
  ['apply_kernel', { kernel: [[1, 2]] }, 'KernelDimensionsUneven'],
  ['apply_kernel', { kernel: [[1]], border: 'mirror' }, 'ProcessParameterInvalid'],
  ['resample_spatial', { resolution: [10, 0] }, 'ProcessParameterInvalid'],
  ['resample_spatial', { projection: 'not a crs' }, 'ProcessParameterInvalid'],
  ['resample_spatial', { resolution: -5 }, 'ProcessParameterInvalid'],
  ['filter_labels', { dimension: 'y', condition: { process_graph: { c: { process_id: 'constant', arguments: { x: false }, result: true } } } }, 'ProcessParameterInvalid'],
  ['filter_labels', { dimension: 'x', condition: { process_graph: { c: { process_id: 'neq', arguments: { x: { from_parameter: 'value' }, y: 404845 }, result: true } } } }, 'ProcessParameterInvalid'],
  ['apply_neighborhood', { process: notACube, size: [{ dimension: 'x', value: 2, unit: 'px' }, { dimension: 'y', value: 2, unit: 'px' }] }, 'ProcessParameterInvalid'],
  ['apply_neighborhood', { process: { process_graph: { k: { process_id: 'apply_kernel', arguments: { data: { from_parameter: 'data' }, kernel: [[1]] }, result: true } } }, size: [{ dimension: 't', value: 1, unit: 'px' }] }, 'ProcessParameterInvalid'],
  ['resample_cube_temporal', { target: { from_parameter: 'cube' }, dimension: 'bands' }, 'DimensionMismatch'],
  ['climatological_normal', { period: 'month', climatology_period: [2010, 2001] }, 'ProcessParameterInvalid'],
  ['flatten_dimensions', { dimensions: ['t', 'x'], target_dimension: 'z' }, 'ProcessParameterInvalid'],
  ['unflatten_dimension', { dimension: 'bands', target_dimensions: ['p', 'q'] }, 'ProcessParameterInvalid'],
  ['aggregate_spatial_window', { size: [2, 2], reducer: notReducing }, 'ProcessParameterInvalid'],
  ['aggregate_spatial_window', { size: [5, 5], boundary: 'trim', reducer: mean }, 'ProcessParameterInvalid'],
  ['reduce_spatial', { reducer: notReducing }, 'ProcessParameterInvalid'],
];

test.each(cases)('%s with %j fails with %s', async (processId, args, code) => {
  const error = await run(processId, args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenEOError);
  expect((error as OpenEOError).code).toBe(code);
});

test('anomaly needs normals for every label', async () => {
  const graph = {
    agg: { process_id: 'aggregate_temporal_period', arguments: { data: { from_parameter: 'cube' }, period: 'month', reducer: mean } },
    n: { process_id: 'climatological_normal', arguments: { data: { from_parameter: 'cube' }, period: 'season', climatology_period: [2019, 2020] } },
    a: { process_id: 'anomaly', arguments: { data: { from_node: 'agg' }, normals: { from_node: 'n' }, period: 'month' }, result: true },
  } as unknown as ProcessGraph;
  await expect(evaluateGraph(graph, { cube: cube() }, registry, ctx)).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
});
