import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { additionChain, processAlive, requireBuiltWorker, waitFor } from './helpers';

// Each process call in a worker waits this long, so graphs take a predictable time.
process.env.OPENEO_JOBS_TEST_PAUSE_MS = '100';

const servers: TestServer[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function serverWith(jobs: Record<string, unknown>): Promise<{ server: TestServer; auth: (name: string) => Promise<string> }> {
  requireBuiltWorker();
  const server = await startTestServer({ jobs });
  servers.push(server);
  server.ctx.jobs.start();
  return { server, auth: (name) => server.login(name) };
}

async function runJob(server: TestServer, auth: string, n: number): Promise<string> {
  const res = await request(server.app).post('/jobs').set('Authorization', auth).send({ process: additionChain(n) });
  const id = res.headers['openeo-identifier'];
  await request(server.app).post(`/jobs/${id}/results`).set('Authorization', auth).expect(202);
  return id;
}

function endOf(server: TestServer, auth: string, id: string, timeoutMs = 20_000) {
  return waitFor(`job ${id} to end`, async () => {
    const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', auth);
    return ['finished', 'error', 'canceled'].includes(res.body.status) ? res.body : undefined;
  }, timeoutMs);
}

test('a job over its run time is stopped and reported as an error', async () => {
  const { server, auth } = await serverWith({ maxRunSeconds: 1.5 });
  const alice = await auth('alice');
  const id = await runJob(server, alice, 300);
  const pid = await waitFor('the worker', () => server.ctx.jobs.workerPids().get(id));
  const job = await endOf(server, alice, id);
  expect(job.status).toBe('error');
  expect(job.usage.duration.value).toBeGreaterThanOrEqual(1.4);
  const res = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
  expect(res.status).toBe(424);
  expect(res.body.message).toMatch(/maximum run time of 1.5 seconds/);
  await waitFor('the worker to be gone', () => !processAlive(pid), 5000);
});

test('a job over its memory limit is stopped and reported as an error', async () => {
  // A Node.js worker with GDAL loaded needs far more than 64 MB resident memory.
  const { server, auth } = await serverWith({ maxMemoryMb: 64 });
  const alice = await auth('alice');
  const id = await runJob(server, alice, 300);
  const job = await endOf(server, alice, id);
  expect(job.status).toBe('error');
  const res = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
  expect(res.body.message).toMatch(/memory/);
  expect(res.body.message).toMatch(/64 MB/);
});

test('the queue takes turns between users and keeps each user’s order', async () => {
  const { server, auth } = await serverWith({ maxConcurrent: 1 });
  const alice = await auth('alice');
  const bob = await auth('bob');
  const a0 = await runJob(server, alice, 8);
  await waitFor('a0 to run', () => server.ctx.jobs.workerPids().get(a0));
  const a1 = await runJob(server, alice, 1);
  const a2 = await runJob(server, alice, 1);
  const b1 = await runJob(server, bob, 1);
  for (const [id, who] of [[a0, alice], [a1, alice], [a2, alice], [b1, bob]] as const) {
    expect((await endOf(server, who, id, 40_000)).status).toBe('finished');
  }
  const started = (id: string) => {
    const entry = server.ctx.jobs.logs(id, 0, 'info', 100).find((e) => e.message === 'The job started running.');
    return Date.parse(entry!.time);
  };
  const order = [a0, a1, a2, b1].sort((x, y) => started(x) - started(y));
  expect(order).toEqual([a0, b1, a1, a2]);

  // The estimate now uses what finished jobs measured; a graph without data still costs the start-up.
  const estimate = await request(server.app).get(`/jobs/${a1}/estimate`).set('Authorization', alice);
  expect(estimate.status).toBe(200);
  expect(estimate.body).toMatchObject({ size: 0, duration: 'PT2S' });
}, 60_000);

// /dev/full answers every write with ENOSPC: a real "disk full" without filling a disk.
(fs.existsSync('/dev/full') ? test : test.skip)('a full disk while writing results ends the job with StorageFailure, and the server keeps serving', async () => {
  const { server, auth } = await serverWith({ maxConcurrent: 1 });
  const alice = await auth('alice');
  const id = await runJob(server, alice, 10);
  const jobDir = path.join(server.dataDir, 'jobs', id);
  const outDir = await waitFor('the output folder', () => {
    const run = fs.existsSync(jobDir) ? fs.readdirSync(jobDir).find((f) => f.startsWith('.run-')) : undefined;
    const out = run ? fs.readdirSync(path.join(jobDir, run)).find((f) => f.startsWith('out-')) : undefined;
    return run && out ? path.join(jobDir, run, out) : undefined;
  }, 10_000, 20);
  // The unit writes the graph's value to result.json in its output folder; make that file the full device.
  fs.symlinkSync('/dev/full', path.join(outDir, 'result.json'));
  const job = await endOf(server, alice, id);
  expect(job.status).toBe('error');
  const res = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
  expect(res.status).toBe(424);
  expect(res.body.code).toBe('StorageFailure');
  expect(res.body.message).toMatch(/disk is full/);
  expect(fs.existsSync(path.dirname(outDir))).toBe(false);
  expect((await request(server.app).get('/jobs').set('Authorization', alice)).status).toBe(200);
});
