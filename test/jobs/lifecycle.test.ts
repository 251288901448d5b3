import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { additionChain, processAlive, requireBuiltWorker, waitFor } from './helpers';

// Each process call in a worker waits this long, so a short graph stays running long enough to observe.
process.env.OPENEO_JOBS_TEST_PAUSE_MS = '150';

let server: TestServer;
let alice: string;
let bob: string;
const PUBLIC = 'https://openeo.example.edu/api/v1';

beforeAll(async () => {
  requireBuiltWorker();
  server = await startTestServer({ publicUrl: PUBLIC, jobs: { maxConcurrent: 2 } });
  server.ctx.jobs.start();
  alice = await server.login('alice');
  bob = await server.login('bob');
});
afterAll(() => server?.close());

async function createJob(auth: string, body: Record<string, unknown>): Promise<string> {
  const res = await request(server.app).post('/jobs').set('Authorization', auth).send(body);
  expect(res.status).toBe(201);
  return res.headers['openeo-identifier'];
}

async function statusOf(id: string, auth = alice) {
  const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', auth);
  expect(res.status).toBe(200);
  return res.body as { status: string; progress?: number; usage?: Record<string, { value: number; unit: string }> };
}

function waitForStatus(id: string, wanted: string[], timeoutMs = 20_000) {
  return waitFor(`job ${id} to reach ${wanted.join('/')}`, async () => {
    const job = await statusOf(id);
    return wanted.includes(job.status) ? job : undefined;
  }, timeoutMs);
}

describe('batch job lifecycle', () => {
  test('create, inspect, update, start, finish, read results and logs', async () => {
    const res = await request(server.app)
      .post('/jobs')
      .set('Authorization', alice)
      .set('Host', 'evil.example')
      .send({ title: 'Two plus', process: additionChain(3), log_level: 'debug' });
    expect(res.status).toBe(201);
    expectMatchesSpec('/jobs', 'post', res);
    const id = res.headers['openeo-identifier'];
    expect(id).toMatch(/^[\w\-.~]+$/);
    expect(res.headers.location).toBe(`${PUBLIC}/jobs/${id}`);

    const created = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice);
    expectMatchesSpec('/jobs/{job_id}', 'get', created);
    expect(created.body).toMatchObject({ id, title: 'Two plus', status: 'created', log_level: 'debug', process: additionChain(3) });
    expect(created.body.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const patched = await request(server.app).patch(`/jobs/${id}`).set('Authorization', alice).send({ description: 'adds up' });
    expect(patched.status).toBe(204);
    expect((await request(server.app).get(`/jobs/${id}`).set('Authorization', alice)).body.description).toBe('adds up');

    const start = await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice);
    expect(start.status).toBe(202);
    const running = await waitForStatus(id, ['running']);
    expect(running.progress).toBeGreaterThanOrEqual(0);
    // Changing a running job is refused, and starting it again has no effect.
    const locked = await request(server.app).patch(`/jobs/${id}`).set('Authorization', alice).send({ title: 'x' });
    expect(locked.status).toBe(400);
    expect(locked.body.code).toBe('JobLocked');
    expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice)).status).toBe(202);
    const notYet = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
    expect(notYet.status).toBe(400);
    expect(notYet.body.code).toBe('JobNotFinished');
    const partial = await request(server.app).get(`/jobs/${id}/results?partial=true`).set('Authorization', alice);
    expect(partial.status).toBe(200);
    expectMatchesSpec('/jobs/{job_id}/results', 'get', partial);
    expect(partial.body).toMatchObject({ 'openeo:status': 'running', assets: {} });

    const finished = await waitForStatus(id, ['finished', 'error']);
    expect(finished.status).toBe('finished');
    expect(finished.progress).toBe(100);
    expect(finished.usage?.duration.value).toBeGreaterThan(0);
    expect(finished.usage?.cpu.unit).toBe('cpu-seconds');
    expect(finished.usage?.memory.value).toBeGreaterThan(0);
    const full = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice);
    expectMatchesSpec('/jobs/{job_id}', 'get', full);
    expect(full.body.links.map((l: { rel: string }) => l.rel)).toEqual(['monitor', 'result']);

    const results = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
    expect(results.status).toBe(200);
    expectMatchesSpec('/jobs/{job_id}/results', 'get', results);
    expect(results.body).toMatchObject({ type: 'Feature', id, 'openeo:status': 'finished', geometry: null });
    const asset = results.body.assets['result.json'];
    expect(asset).toMatchObject({ type: 'application/json', roles: ['data'], 'file:size': 1 });
    expect(asset.href.startsWith(`${PUBLIC}/jobs/${id}/results/result.json?expires=`)).toBe(true);

    // The signed link works without a token; the value is 1 + 1 + 1 + 1.
    const local = asset.href.slice(PUBLIC.length);
    const download = await request(server.app).get(local).buffer(true);
    expect(download.status).toBe(200);
    expect(download.headers['access-control-allow-origin']).toBe('*');
    expect(download.text).toBe('4');
    const head = await request(server.app).head(local);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1');
    const range = await request(server.app).get(local).set('Range', 'bytes=0-0').buffer(true);
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe('bytes 0-0/1');

    const logs = await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', alice);
    expect(logs.status).toBe(200);
    expectMatchesSpec('/jobs/{job_id}/logs', 'get', logs);
    const entries = logs.body.logs as Array<{ id: string; level: string; message: string }>;
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.some((e) => e.level === 'debug' && e.message.includes("'add'"))).toBe(true);
    expect(entries.some((e) => e.message.includes('result.json'))).toBe(true);
    // offset: only what came after the given entry; level: only entries at or above it.
    const after = await request(server.app).get(`/jobs/${id}/logs`).query({ offset: entries[1].id }).set('Authorization', alice);
    expect(after.body.logs.map((e: { id: string }) => e.id)).toEqual(entries.slice(2).map((e) => e.id));
    const infoOnly = await request(server.app).get(`/jobs/${id}/logs?level=info`).set('Authorization', alice);
    expect(infoOnly.body.level).toBe('info');
    expect(infoOnly.body.logs.length).toBeGreaterThan(0);
    expect(infoOnly.body.logs.every((e: { level: string }) => e.level !== 'debug')).toBe(true);
    const page = await request(server.app).get(`/jobs/${id}/logs?limit=2`).set('Authorization', alice);
    expect(page.body.logs).toHaveLength(2);
    expect(page.body.links[0].rel).toBe('next');

    const estimate = await request(server.app).get(`/jobs/${id}/estimate`).set('Authorization', alice);
    expect(estimate.status).toBe(200);
    expectMatchesSpec('/jobs/{job_id}/estimate', 'get', estimate);
    expect(estimate.body.duration).toMatch(/^PT\d+S$/);
  });

  test('a job that fails is in error and its results answer 424 with the error entry', async () => {
    const id = await createJob(alice, {
      process: {
        process_graph: {
          pick: { process_id: 'array_element', arguments: { data: [1, 2], index: 7 }, result: true },
        },
      },
    });
    await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
    const job = await waitForStatus(id, ['error', 'finished']);
    expect(job.status).toBe('error');
    const res = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
    expect(res.status).toBe(424);
    expectMatchesSpec('/jobs/{job_id}/results', 'get', res);
    expect(res.body).toMatchObject({ level: 'error', code: 'ArrayElementNotAvailable', path: [{ node_id: 'pick', process_id: 'array_element' }] });
    expect(res.body.message).toContain("node 'pick'");

    // A failure inside a callback names the inner node first, then the node that called it.
    const nested = await createJob(alice, {
      process: {
        process_graph: {
          each: {
            process_id: 'array_apply',
            arguments: {
              data: [1, 2],
              process: { process_graph: { inner: { process_id: 'array_element', arguments: { data: [5], index: 3 }, result: true } } },
            },
            result: true,
          },
        },
      },
    });
    await request(server.app).post(`/jobs/${nested}/results`).set('Authorization', alice).expect(202);
    await waitForStatus(nested, ['error', 'finished']);
    const inner = await request(server.app).get(`/jobs/${nested}/results`).set('Authorization', alice);
    expect(inner.status).toBe(424);
    expect(inner.body.path).toEqual([
      { node_id: 'inner', process_id: 'array_element' },
      { node_id: 'each', process_id: 'array_apply' },
    ]);
    expect(inner.body.message).toContain("node 'inner' inside 'each'");
  });

  test('canceling a running job kills its worker; a queued job goes back to created', async () => {
    const long = await createJob(alice, { process: additionChain(200) });
    await request(server.app).post(`/jobs/${long}/results`).set('Authorization', alice).expect(202);
    await waitForStatus(long, ['running']);
    const pid = await waitFor('the worker pid', () => server.ctx.jobs.workerPids().get(long));
    await waitFor('progress', async () => ((await statusOf(long)).progress ?? 0) > 0);
    expect(processAlive(pid)).toBe(true);
    // The computation runs in another process: the API answers at once meanwhile.
    const askedAt = Date.now();
    expect((await request(server.app).get('/jobs').set('Authorization', alice)).status).toBe(200);
    expect(Date.now() - askedAt).toBeLessThan(1000);

    const started = Date.now();
    const cancel = await request(server.app).delete(`/jobs/${long}/results`).set('Authorization', alice);
    expect(cancel.status).toBe(204);
    // No partial results are kept, so the API's rule sends the job back to `created`.
    const job = await statusOf(long);
    expect(job.status).toBe('created');
    expect(job.usage?.duration.value).toBeGreaterThan(0);
    await waitFor('the worker to be gone', () => !processAlive(pid), 5000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.ctx.jobs.workerPids().has(long)).toBe(false);
    expect(fs.readdirSync(path.join(server.dataDir, 'jobs', long))).toEqual([]);
    const logs = await request(server.app).get(`/jobs/${long}/logs`).set('Authorization', alice);
    expect(logs.body.logs.at(-1).message).toMatch(/^The job was canceled by the user at \d+%/);
    const results = await request(server.app).get(`/jobs/${long}/results`).set('Authorization', alice);
    expect(results.body.code).toBe('JobNotFinished');
    // It can be started again.
    await request(server.app).post(`/jobs/${long}/results`).set('Authorization', alice).expect(202);
    await waitForStatus(long, ['running']);
    await request(server.app).delete(`/jobs/${long}/results`).set('Authorization', alice).expect(204);

    // Two long jobs fill both slots; a third waits in the queue and is taken out of it again.
    const a = await createJob(bob, { process: additionChain(200) });
    const b = await createJob(bob, { process: additionChain(200) });
    const c = await createJob(bob, { process: additionChain(2) });
    for (const id of [a, b, c]) await request(server.app).post(`/jobs/${id}/results`).set('Authorization', bob).expect(202);
    const queued = await request(server.app).get(`/jobs/${c}`).set('Authorization', bob);
    expect(queued.body).toMatchObject({ status: 'queued', progress: 0 });
    await request(server.app).delete(`/jobs/${c}/results`).set('Authorization', bob).expect(204);
    expect((await request(server.app).get(`/jobs/${c}`).set('Authorization', bob)).body.status).toBe('created');
    // Deleting a running job stops it and removes it.
    const pidA = await waitFor('worker of a', () => server.ctx.jobs.workerPids().get(a));
    await request(server.app).delete(`/jobs/${a}`).set('Authorization', bob).expect(204);
    expect((await request(server.app).get(`/jobs/${a}`).set('Authorization', bob)).status).toBe(404);
    await waitFor('worker of a to be gone', () => !processAlive(pidA), 5000);
    await request(server.app).delete(`/jobs/${b}/results`).set('Authorization', bob).expect(204);
  });

  test("users never see each other's jobs", async () => {
    const id = await createJob(alice, { process: additionChain(1) });
    for (const [method, path] of [
      ['get', `/jobs/${id}`],
      ['patch', `/jobs/${id}`],
      ['delete', `/jobs/${id}`],
      ['get', `/jobs/${id}/results`],
      ['post', `/jobs/${id}/results`],
      ['delete', `/jobs/${id}/results`],
      ['get', `/jobs/${id}/logs`],
      ['get', `/jobs/${id}/estimate`],
    ] as const) {
      const res = await (request(server.app) as any)[method](path).set('Authorization', bob).send({ title: 'mine now' });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('JobNotFound');
    }
    const list = await request(server.app).get('/jobs').set('Authorization', bob);
    expect(list.body.jobs.map((j: { id: string }) => j.id)).not.toContain(id);
    expect((await statusOf(id)).status).toBe('created');
    expect((await request(server.app).get('/jobs')).status).toBe(401);
  });

  test('listing pages through jobs with limit and next links', async () => {
    const user = await server.login('carol');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createJob(user, { title: `job ${i}`, process: additionChain(1) }));
    const first = await request(server.app).get('/jobs?limit=2').set('Authorization', user);
    expect(first.status).toBe(200);
    expectMatchesSpec('/jobs', 'get', first);
    expect(first.body.jobs).toHaveLength(2);
    expect(first.body.jobs[0]).not.toHaveProperty('process');
    const next = first.body.links.find((l: { rel: string }) => l.rel === 'next');
    expect(next.href.startsWith(`${PUBLIC}/jobs?`)).toBe(true);
    // Deleting a job already seen does not shift the next page: the cursor is a key, not an offset.
    const gone = first.body.jobs[0].id;
    expect((await request(server.app).delete(`/jobs/${gone}`).set('Authorization', user)).status).toBe(204);
    const second = await request(server.app).get(next.href.slice(PUBLIC.length)).set('Authorization', user);
    expect(second.status).toBe(200);
    expect(second.body.jobs).toHaveLength(1);
    expect(second.body.links.find((l: { rel: string }) => l.rel === 'next')).toBeUndefined();
    expect(second.body.links.find((l: { rel: string }) => l.rel === 'first')).toBeDefined();
    const seen = [...first.body.jobs, ...second.body.jobs].map((j: { id: string }) => j.id).sort();
    expect(seen).toEqual([...ids].sort());
    // Newest first, also among jobs created within the same second.
    const all = await request(server.app).get('/jobs').set('Authorization', user);
    expect(all.body.jobs.map((j: { id: string }) => j.id)).toEqual([...ids].reverse().filter((id) => id !== gone));
  });

  test('bad input is refused with openEO errors, never a crash', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['post', '/jobs', { title: 'no process' }, 400, 'ProcessGraphMissing'],
      ['post', '/jobs', { process: { process_graph: {} } }, 400, 'ProcessGraphInvalid'],
      ['post', '/jobs', { process: additionChain(1), log_level: 'loud' }, 400, 'BadRequest'],
      ['post', '/jobs', { process: additionChain(1), title: 5 }, 400, 'BadRequest'],
      ['post', '/jobs', { process: { process_graph: { a: { process_id: 'no_such_process', arguments: {}, result: true } } } }, 400, 'ProcessUnsupported'],
      ['post', '/jobs', [1, 2], 400, 'BadRequest'],
      ['get', '/jobs?limit=0', undefined, 400, 'BadRequest'],
      ['get', '/jobs?after=abc', undefined, 400, 'BadRequest'],
      ['get', '/jobs/..%2F..%2Fetc', undefined, 404, 'JobNotFound'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await (request(server.app) as any)[method](path).set('Authorization', alice).send(body);
      expect({ path, body, status: res.status, code: res.body.code }).toEqual({ path, body, status, code });
    }
    const id = await createJob(alice, { process: additionChain(1) });
    const empty = await request(server.app).patch(`/jobs/${id}`).set('Authorization', alice).send({});
    expect(empty.body.code).toBe('NoDataForUpdate');
    const level = await request(server.app).get(`/jobs/${id}/logs?level=loud`).set('Authorization', alice);
    expect(level.status).toBe(400);
    const notStarted = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
    expect(notStarted.body.code).toBe('JobNotFinished');
  });
});
