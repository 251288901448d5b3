import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { ensureDemoData, DEMO_S2_ID } from '../../src/catalog/demo/generate';
import { requireBuiltWorker, waitFor } from '../jobs/helpers';

/** A UDF in a batch job runs in the job's worker process, and its inspect messages land in the job's log. */
let server: TestServer;
let auth: string;

beforeAll(async () => {
  requireBuiltWorker();
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections, jobs: { maxConcurrent: 1 } });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  server.ctx.jobs.start();
  auth = await server.login();
}, 120_000);
afterAll(() => server?.close());

test('a batch job with a UDF finishes and logs the UDF inspect message; a failing UDF fails the job with its traceback', async () => {
  const graph = (udf: string) => ({
    process_graph: {
      l: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: { west: 471000, south: 5265000, east: 471040, north: 5265040, crs: 32632 }, temporal_extent: ['2023-01-01', '2023-03-01'], bands: ['B04', 'B08'] } },
      r: {
        process_id: 'reduce_dimension',
        arguments: { data: { from_node: 'l' }, dimension: 'bands', reducer: { process_graph: { u: { process_id: 'run_udf', arguments: { data: { from_parameter: 'data' }, udf, runtime: 'Python' }, result: true } } } },
      },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'GTiff' }, result: true },
    },
  });
  const runJob = async (udf: string) => {
    const created = await request(server.app).post('/jobs').set('Authorization', auth).send({ process: graph(udf) });
    expect(created.status).toBe(201);
    const id = created.headers['openeo-identifier'];
    expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', auth)).status).toBe(202);
    const status = await waitFor(`job ${id}`, async () => {
      const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', auth);
      return ['finished', 'error', 'canceled'].includes(res.body.status) ? res.body.status : undefined;
    }, 60_000, 200);
    const logs = (await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', auth)).body.logs as Array<{ level: string; message: string }>;
    return { status, logs };
  };
  const good = await runJob('import xarray\nfrom openeo.udf.debug import inspect\ndef apply_datacube(cube: xarray.DataArray, context):\n    inspect(message="red minus nir", level="info")\n    return cube.sel(bands="B04") - cube.sel(bands="B08")\n');
  expect(good.status).toBe('finished');
  expect(good.logs.some((e) => e.message === 'red minus nir' && e.level === 'info')).toBe(true);
  const bad = await runJob('import xarray\ndef apply_datacube(cube: xarray.DataArray, context):\n    return cube / undefined_name\n');
  expect(bad.status).toBe('error');
  expect(bad.logs.some((e) => e.level === 'error' && e.message.includes('line 3, in apply_datacube') && e.message.includes('NameError'))).toBe(true);
}, 120_000);
