/**
 * Every configured limit answered with the API's error: body size, graph size and depth, pixels
 * and run time of synchronous requests, concurrent synchronous requests and jobs per user.
 * (Job run time and memory: test/jobs/limits.test.ts; storage quota: test/workspace/fileLimits.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../../helpers/testServer';
import { writeGeoTiff } from '../../catalog/rasters';
import { slowGraph } from '../../helpers/result';

const addGraph = { process: { process_graph: { a: { process_id: 'add', arguments: { x: 20, y: 22 }, result: true } } } };

function chain(n: number): Record<string, unknown> {
  const graph: Record<string, unknown> = { n0: { process_id: 'add', arguments: { x: 1, y: 1 } } };
  for (let i = 1; i < n; i++) graph[`n${i}`] = { process_id: 'add', arguments: { x: { from_node: `n${i - 1}` }, y: 1 } };
  (graph[`n${n - 1}`] as Record<string, unknown>).result = true;
  return graph;
}

/** Callbacks nested `depth` levels deep. */
function nested(depth: number): Record<string, unknown> {
  let inner: Record<string, unknown> = { a: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } };
  for (let i = 0; i < depth; i++) {
    inner = { a: { process_id: 'array_apply', arguments: { data: [1], process: { process_graph: inner } }, result: true } };
  }
  return inner;
}

let server: TestServer;
let data: string;
let bob: string;
let carol: string;

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-raster-'));
  await writeGeoTiff(path.join(data, 'dem.tif'), { width: 20, height: 10, bands: 1, fill: () => 7 });
  server = await startTestServer({
    collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 },
    limits: { requestBodyBytes: 4096, graphMaxNodes: 20, graphMaxDepth: 3, syncMaxPixels: 150, syncTimeoutSeconds: 1.5, syncConcurrentPerUser: 2, jobsPerUser: 2 },
  });
  bob = await server.login('bob');
  carol = await server.login('carol');
});

afterAll(() => {
  server.close();
  fs.rmSync(data, { recursive: true, force: true });
});

const post = (auth: string, body: unknown) => request(server.app).post('/result').set('Authorization', auth).send(body as object);

test('a body over limits.requestBodyBytes is 413 PayloadTooLarge on every JSON endpoint', async () => {
  const big = { process: { process_graph: { a: { process_id: 'constant', arguments: { x: 'x'.repeat(5000) }, result: true } } } };
  for (const [method, url] of [['post', '/result'], ['post', '/validation'], ['post', '/jobs'], ['put', '/process_graphs/big']] as const) {
    const res = await request(server.app)[method](url).set('Authorization', bob).send(big);
    expect([url, res.status, res.body.code]).toEqual([url, 413, 'PayloadTooLarge']);
    expect(res.body.message).toMatch(/4096 bytes/);
  }
});

test('more nodes than limits.graphMaxNodes are refused as ProcessGraphComplexity, for runs and for jobs', async () => {
  expect((await post(bob, { process: { process_graph: chain(20) } })).body).toBe(21);
  const run = await post(bob, { process: { process_graph: chain(21) } });
  expect([run.status, run.body.code]).toEqual([400, 'ProcessGraphComplexity']);
  const job = await request(server.app).post('/jobs').set('Authorization', bob).send({ process: { process_graph: chain(21) } });
  expect([job.status, job.body.code]).toEqual([400, 'ProcessGraphComplexity']);
});

test('callbacks nested deeper than limits.graphMaxDepth are refused as ProcessGraphComplexity', async () => {
  expect((await post(bob, { process: { process_graph: nested(2) } })).status).toBe(200);
  const res = await post(bob, { process: { process_graph: nested(5) } });
  expect([res.status, res.body.code]).toEqual([400, 'ProcessGraphComplexity']);
});

test('a synchronous result over limits.syncMaxPixels is ProcessGraphComplexity and tells to use a batch job', async () => {
  const graph = {
    l: { process_id: 'load_collection', arguments: { id: 'dem', spatial_extent: null, temporal_extent: null } },
    s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff' }, result: true },
  };
  const res = await post(bob, { process: { process_graph: graph } });
  expect([res.status, res.body.code]).toEqual([400, 'ProcessGraphComplexity']);
  expect(res.body.message).toMatch(/batch job/);
});

test('concurrent synchronous requests per user are limited (429), other users and metadata are still served', async () => {
  // `.then` sends the requests now (supertest requests are lazy).
  const firstTwo = [post(bob, slowGraph).then((r) => r), post(bob, slowGraph).then((r) => r)];
  // Give both a moment to be admitted and start computing.
  await new Promise((r) => setTimeout(r, 200));
  const third = await post(bob, addGraph);
  expect([third.status, third.body.code]).toEqual([429, 'TooManyRequests']);
  expect(third.body.message).toMatch(/limit 2/);
  expect(third.headers['retry-after']).toBeDefined();

  // Another user is not affected by bob's runs: a computation and metadata requests are answered.
  const latencies: Record<string, number> = {};
  for (const url of ['/processes', '/collections', '/jobs', '/me']) {
    const t0 = performance.now();
    const res = await request(server.app).get(url).set('Authorization', carol);
    latencies[url] = Math.round(performance.now() - t0);
    expect([url, res.status]).toEqual([url, 200]);
  }
  expect((await post(carol, addGraph)).body).toBe(42);
  console.log(`metadata latency for another user while two runaway runs compute: ${JSON.stringify(latencies)} ms`);

  // Both runaway runs end at the time limit with RequestTimeout, and give their slots back.
  for (const res of await Promise.all(firstTwo)) expect([res.status, res.body.code]).toEqual([408, 'RequestTimeout']);
  expect((await post(bob, addGraph)).body).toBe(42);
});

test('a failed run gives its slot back', async () => {
  for (let i = 0; i < 4; i++) {
    const res = await post(bob, { process: { process_graph: { a: { process_id: 'array_element', arguments: { data: [], index: 3 }, result: true } } } });
    expect(res.status).toBe(400);
  }
  expect((await post(bob, addGraph)).body).toBe(42);
});

test('starting more than limits.jobsPerUser jobs (queued + running) is 429 TooManyRequests', async () => {
  const create = async (auth: string) => {
    const res = await request(server.app).post('/jobs').set('Authorization', auth).send(addGraph);
    return String(res.headers['openeo-identifier']);
  };
  const start = (auth: string, id: string) => request(server.app).post(`/jobs/${id}/results`).set('Authorization', auth);
  // The job workers are not started in this server, so queued jobs stay queued.
  const [a, b, c] = [await create(bob), await create(bob), await create(bob)];
  expect((await start(bob, a)).status).toBe(202);
  expect((await start(bob, b)).status).toBe(202);
  const refused = await start(bob, c);
  expect([refused.status, refused.body.code]).toEqual([429, 'TooManyRequests']);
  expect(refused.body.message).toMatch(/limit 2/);
  expect((await request(server.app).get(`/jobs/${c}`).set('Authorization', bob)).body.status).toBe('created');
  // Starting a job that is already queued changes nothing and is not refused.
  expect((await start(bob, a)).status).toBe(202);
  // Other users have their own allowance.
  expect((await start(carol, await create(carol))).status).toBe(202);
  // Canceling one frees a place.
  expect((await request(server.app).delete(`/jobs/${a}/results`).set('Authorization', bob)).status).toBe(204);
  expect((await start(bob, c)).status).toBe(202);
});
