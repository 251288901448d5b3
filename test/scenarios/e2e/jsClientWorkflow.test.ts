import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { Connection, OpenEO, UserFile } from '@openeo/js-client';
import { DEMO_S2_ID } from '../../../src/catalog/demo/generate';
import { requireBuiltWorker, waitFor } from '../../jobs/helpers';
import { DemoServer, plainClientErrors, startDemoServer, streamToFile } from './helpers';
import { expectDemoNdvi, Window } from './ndviReference';

/**
 * The openEO JavaScript client used as its documentation shows, with default arguments, over
 * real HTTP: discovery, the Builder, validation, synchronous and batch processing, the file
 * workspace and user-defined processes. The tests run in order on one connection.
 */
let demo: DemoServer;
let con: Connection;
let work: string;
const USER = 'student';
const PASSWORD = 'student password';

// 1.2 km × 0.8 km in the collection's UTM zone: 100 px right and 420 px down in the demo scenes.
const WINDOW: Window = { west: 471000, north: 5265800, width: 120, height: 80 };
const EXTENT = { west: 471000, south: 5265000, east: 472200, north: 5265800, crs: 32632 };

plainClientErrors();

beforeAll(async () => {
  requireBuiltWorker();
  demo = await startDemoServer({ jobs: { maxConcurrent: 1 } });
  demo.server.ctx.jobs.start();
  await demo.server.ctx.users.add(USER, PASSWORD);
  work = path.join(demo.dataDir, 'client');
  fs.mkdirSync(work);
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

/** load_collection -> ndvi -> save_result, built with the client's Builder; returns the result node. */
async function ndviProcess(id: string, dates: [string, string]) {
  const builder = await con.buildProcess(id);
  const cube = builder.process('load_collection', { id: DEMO_S2_ID, spatial_extent: EXTENT, temporal_extent: dates, bands: ['B04', 'B08'] });
  const ndvi = builder.process('ndvi', { data: cube, nir: 'B08', red: 'B04' });
  return builder.process('save_result', { data: ndvi, format: 'GTiff' });
}

test('connects and logs in with HTTP Basic', async () => {
  con = await OpenEO.connect(demo.url);
  expect(con.capabilities().apiVersion()).toBe('1.2.0');
  expect(con.isAuthenticated()).toBe(false);
  await con.authenticateBasic(USER, PASSWORD);
  expect(con.isAuthenticated()).toBe(true);
  expect((await con.describeAccount()).name).toBe(USER);
});

test('listCollections returns every collection, describeCollection the full metadata', async () => {
  const listed = await con.listCollections();
  const ids = listed.collections.map((c) => c.id).sort();
  expect(ids).toEqual(demo.server.ctx.catalog.list().map((c) => c.id).sort());
  expect(ids).toContain(DEMO_S2_ID);
  const s2 = await con.describeCollection(DEMO_S2_ID);
  expect(s2.id).toBe(DEMO_S2_ID);
  const dimensions = s2['cube:dimensions'] as Record<string, { type: string; values?: string[] }>;
  const bands = Object.values(dimensions).find((d) => d.type === 'bands');
  expect(bands?.values).toEqual(expect.arrayContaining(['B04', 'B08']));
});

test('listProcesses returns every process in one call, describeProcess one of them', async () => {
  const listed = await con.listProcesses();
  const ids: string[] = listed.processes.map((p) => p.id);
  expect(ids.length).toBeGreaterThan(50);
  expect(ids.sort()).toEqual(demo.server.ctx.processing.registry.specs().map((s) => s.id).sort());
  for (const id of ['load_collection', 'ndvi', 'save_result']) expect(ids).toContain(id);
  const ndvi = await con.describeProcess('ndvi');
  expect(ndvi?.id).toBe('ndvi');
  expect(ndvi?.parameters?.map((p: { name: string }) => p.name)).toEqual(['data', 'nir', 'red', 'target_band']);
});

test('the Builder builds load_collection -> ndvi -> save_result, and validateProcess accepts it', async () => {
  const result = await ndviProcess('ndvi_sync', ['2023-07-08', '2023-07-09']);
  expect([...(await con.validateProcess(result))]).toEqual([]);
  // What was sent: the three nodes, save_result marked as the result by the client.
  const graph = result.parent.toJSON().process_graph as Record<string, { process_id: string; result?: boolean }>;
  expect(Object.values(graph).map((n) => n.process_id).sort()).toEqual(['load_collection', 'ndvi', 'save_result']);
  expect(Object.values(graph).filter((n) => n.result).map((n) => n.process_id)).toEqual(['save_result']);

  // A collection that does not exist is found without running anything.
  const broken = await con.buildProcess('broken');
  const cube = broken.process('load_collection', { id: 'NO_SUCH_COLLECTION', spatial_extent: EXTENT, temporal_extent: null });
  const errors = await con.validateProcess(broken.process('save_result', { data: cube, format: 'GTiff' }));
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.map((e: { code: string }) => e.code)).toContain('CollectionNotFound');
});

test('computeResult returns a GeoTIFF with the NDVI GDAL computes from the files', async () => {
  const response = await con.computeResult(await ndviProcess('ndvi_sync', ['2023-07-08', '2023-07-09']));
  expect(response.type).toMatch(/^image\/tiff/);
  const file = path.join(work, 'sync.tif');
  await streamToFile(response.data, file);
  await expectDemoNdvi(file, 1, demo.dataDir, '2023-07-08', WINDOW);
}, 120_000);

test('a batch job runs to the end; its results, downloaded, hold the NDVI of both dates', async () => {
  const job = await con.createJob(await ndviProcess('ndvi_batch', ['2023-07-08', '2023-07-29']), 'NDVI of two dates');
  expect(job.status).toBe('created');
  expect((await con.listJobs()).map((j: { id: string }) => j.id)).toContain(job.id);
  await job.startJob();
  const finished = await waitFor(
    'the batch job to end',
    async () => {
      const state = await job.describeJob();
      return state.status === 'finished' || state.status === 'error' ? state.status : undefined;
    },
    120_000,
    250,
  );
  expect(finished).toBe('finished');

  const stac = await job.getResultsAsStac();
  expect(['Feature', 'Collection']).toContain(stac.type);
  const assets = await job.listResults();
  expect(assets.length).toBe(1);
  expect(assets[0].type).toMatch(/^image\/tiff/);
  const folder = path.join(work, 'batch');
  fs.mkdirSync(folder);
  const files = await job.downloadResults(folder);
  expect(files).toHaveLength(1);
  const file = (files as string[])[0];

  const ds = await gdal.openAsync(file);
  try {
    // One band per date, in date order.
    expect(ds.bands.count()).toBe(2);
  } finally {
    ds.close();
  }
  await expectDemoNdvi(file, 1, demo.dataDir, '2023-07-08', WINDOW);
  await expectDemoNdvi(file, 2, demo.dataDir, '2023-07-28', WINDOW);
}, 180_000);

test('files: uploadFile, listFiles, getFile and download, deleteFile', async () => {
  const local = path.join(work, 'area.geojson');
  const content = JSON.stringify({ type: 'Polygon', coordinates: [[[8.6, 47.5], [8.7, 47.5], [8.7, 47.6], [8.6, 47.5]]] });
  fs.writeFileSync(local, content);

  const uploaded = await con.uploadFile(local, 'areas/area.geojson');
  expect(uploaded.path).toBe('areas/area.geojson');
  expect(uploaded.size).toBe(Buffer.byteLength(content));
  const listed = await con.listFiles();
  expect(listed.map((f: UserFile) => f.path)).toEqual(['areas/area.geojson']);

  const file = await con.getFile('areas/area.geojson');
  const copy = path.join(work, 'area-copy.geojson');
  await file.downloadFile(copy);
  expect(fs.readFileSync(copy, 'utf8')).toBe(content);

  await file.deleteFile();
  expect(await con.listFiles()).toHaveLength(0);
});

test('user processes: setUserProcess, listUserProcesses, getUserProcess, describeUserProcess, delete', async () => {
  const process = {
    summary: 'Doubles a number',
    parameters: [{ name: 'x', description: 'The number', schema: { type: 'number' } }],
    returns: { description: 'Twice x', schema: { type: 'number' } },
    process_graph: { double: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } },
  };
  const stored = await con.setUserProcess('double', process);
  expect(stored.id).toBe('double');
  expect((await con.listUserProcesses()).map((p: { id: string }) => p.id)).toEqual(['double']);

  const fetched = await con.getUserProcess('double');
  expect(fetched.summary).toBe('Doubles a number');
  const described = await fetched.describeUserProcess();
  expect(described.processGraph).toEqual(process.process_graph);

  // The stored process is callable from a graph.
  const run = await con.computeResult({
    process_graph: { d: { process_id: 'double', namespace: 'user', arguments: { x: 21 }, result: true } },
  });
  const chunks: Buffer[] = [];
  for await (const chunk of run.data as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toBe(42);

  await fetched.deleteUserProcess();
  expect(await con.listUserProcesses()).toHaveLength(0);
  await expect(con.getUserProcess('double')).rejects.toThrow();
});

test("the client's paginate…() calls, as the Web Editor's job and file panels use them, follow the next links to the end", async () => {
  const pagesOf = async (pages: AsyncIterable<Array<{ id?: string; path?: string }> | { collections: Array<{ id: string }> }>) => {
    const keys: string[] = [];
    let count = 0;
    for await (const page of pages) {
      count++;
      const items = Array.isArray(page) ? page : page.collections;
      keys.push(...items.map((item) => ('path' in item && item.path ? item.path : String(item.id))));
    }
    return { keys, count };
  };

  const collections = await pagesOf(con.paginateCollections(1) as never);
  expect(collections.keys.sort()).toEqual(demo.server.ctx.catalog.list().map((c) => c.id).sort());
  expect(collections.count).toBe(collections.keys.length);

  const local = path.join(work, 'page.txt');
  fs.writeFileSync(local, 'x');
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await con.uploadFile(local, `pages/${name}`);
  const files = await pagesOf(con.paginateFiles(2) as never);
  expect(files).toEqual({ keys: ['pages/a.txt', 'pages/b.txt', 'pages/c.txt'], count: 2 });

  const graph = { process_graph: { one: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } } };
  const created = [];
  for (let i = 0; i < 3; i++) created.push((await con.createJob(graph, `paged ${i}`)).id);
  const all = (await con.listJobs()).map((j: { id: string }) => j.id);
  const jobs = await pagesOf(con.paginateJobs(2) as never);
  expect(jobs.keys).toEqual(all);
  expect(jobs.keys).toEqual(expect.arrayContaining(created));
  expect(jobs.count).toBe(Math.ceil(all.length / 2));
});
