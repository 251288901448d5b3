import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenEO } from '@openeo/js-client';
import request from 'supertest';
import { ensureDemoData } from '../../../src/catalog/demo/generate';
import { startTestServer, type TestServer } from '../../helpers/testServer';
import { type TestRedis, startTestRedis } from '../../helpers/redis';
import { type DemoServer, plainClientErrors, startDemoServer } from '../../scenarios/e2e/helpers';
import { halvedDemGraph, requireBuiltWorker, waitFor } from '../helpers';
import { type TestWorker, childPids, killWorkers, spawnWorker } from './cluster';

/**
 * The API server with `jobs.runner: "bullmq"`: jobs submitted through the openEO JavaScript
 * client are split into blocks that `npm run worker` processes take from a private Redis, and
 * the server alone records what they report.
 */
const PASSWORD = 'correct horse battery';
const SETTINGS = { processing: { tileSize: 64 }, jobs: { blockRows: 64 } };
const BULLMQ = (redis: TestRedis) => ({ runner: 'bullmq', blockRows: 64, bullmq: { redisUrl: redis.url, prefix: 'api', lockSeconds: 2, workerConcurrency: 1 } });

let redis: TestRedis;
let api: DemoServer;
let workers: TestWorker[] = [];
let configFile: string;
let reference: Buffer;
const cleanup: Array<() => void> = [];

plainClientErrors();

/** The workers read the API server's own settings from a file of their "host", with logs on. */
function writeWorkerConfig(server: TestServer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-worker-host-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ ...server.ctx.config, logLevel: 'info' }));
  return file;
}

type Job = { status: string; progress?: number };

async function jobState(server: TestServer, auth: string, id: string): Promise<Job> {
  return (await request(server.app).get(`/jobs/${id}`).set('Authorization', auth).expect(200)).body as Job;
}

async function logMessages(server: TestServer, auth: string, id: string): Promise<string[]> {
  const res = await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', auth).expect(200);
  return (res.body.logs as Array<{ message: string }>).map((l) => l.message);
}

function blockCount(messages: string[]): number {
  return Number(messages.map((m) => /computed in (\d+) block/.exec(m)?.[1]).find(Boolean) ?? 0);
}

/** The same job on the embedded runner: the bytes every other runner must publish. */
async function localResult(): Promise<Buffer> {
  const server = await startTestServer({ ...SETTINGS, collections: { sources: [{ type: 'folder', path: 'demo/dem' }] } });
  try {
    await ensureDemoData(server.dataDir);
    await server.ctx.catalog.refresh?.(true);
    server.ctx.jobs.start();
    const alice = await server.login('alice');
    const created = await request(server.app).post('/jobs').set('Authorization', alice).send({ process: halvedDemGraph() }).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
    const job = await waitFor('the local job to end', async () => {
      const state = await jobState(server, alice, id);
      return ['finished', 'error'].includes(state.status) ? state : undefined;
    }, 60_000);
    expect(job.status).toBe('finished');
    expect(blockCount(await logMessages(server, alice, id))).toBeGreaterThan(2);
    return fs.readFileSync(path.join(server.dataDir, 'jobs', id, 'results', 'result.tif'));
  } finally {
    await server.close();
  }
}

beforeAll(async () => {
  requireBuiltWorker();
  reference = await localResult();
  redis = await startTestRedis();
  api = await startDemoServer({ ...SETTINGS, collections: { sources: [{ type: 'folder', path: 'demo/dem' }] }, jobs: BULLMQ(redis) });
  await api.server.ctx.users.add('alice', PASSWORD);
  api.server.ctx.jobs.start();
  cleanup.push(() => fs.rmSync(api.dataDir, { recursive: true, force: true }));
  configFile = writeWorkerConfig(api.server);
}, 120_000);

/** Two fresh workers whose process calls each wait `pauseMs` (the previous ones are stopped). */
async function useWorkers(pauseMs: number): Promise<void> {
  await killWorkers(workers);
  const env = { OPENEO_JOBS_TEST_PAUSE_MS: String(pauseMs) };
  workers = [await spawnWorker(configFile, env), await spawnWorker(configFile, env)];
}

afterAll(async () => {
  await killWorkers(workers);
  await api?.close();
  await redis?.close();
  cleanup.forEach((f) => f());
});

test('a job from the JavaScript client runs in blocks on two workers and publishes the bytes of the local runner', async () => {
  await useWorkers(30);
  const con = await OpenEO.connect(api.url);
  await con.authenticateBasic('alice', PASSWORD);
  const job = await con.createJob(halvedDemGraph() as never, 'Half the elevation');
  await job.startJob();
  const seen: number[] = [];
  await waitFor('the job to end', async () => {
    await job.describeJob();
    if (typeof job.progress === 'number') seen.push(job.progress);
    return ['finished', 'error'].includes(String(job.status)) ? true : undefined;
  }, 90_000, 100);
  const logs = (await job.debugJob().nextLogs()).map((l) => String(l.message));
  expect({ status: job.status, logs }).toMatchObject({ status: 'finished' });

  // Both workers took blocks of this job.
  const blocks = blockCount(logs);
  expect(blocks).toBeGreaterThan(2);
  for (const w of workers) expect(w.logs().filter((l) => l.msg === 'worker took a unit' && l.jobId === job.id && l.kind === 'block').length).toBeGreaterThan(0);

  // Progress only grows, and while blocks run it is the share of finished blocks (between 5 and 95 %).
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  const shares = new Set(Array.from({ length: blocks + 1 }, (_, k) => Math.round(5 + (90 * k) / blocks)));
  for (const p of seen.filter((v) => v > 5 && v < 95)) expect(shares).toContain(p);
  expect(job.progress).toBe(100);

  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-downloads-'));
  cleanup.push(() => fs.rmSync(downloads, { recursive: true, force: true }));
  const files = (await job.downloadResults(downloads)) as string[];
  expect(files).toHaveLength(1);
  expect(fs.readFileSync(files[0]).equals(reference)).toBe(true);
}, 120_000);

test('cancelling a job stops its blocks on every worker within 2 s', async () => {
  // Slow workers, so the job is surely still running when it is cancelled.
  await useWorkers(400);
  const alice = `Bearer basic//${(await request(api.server.app).get('/credentials/basic').auth('alice', PASSWORD)).body.access_token}`;
  const created = await request(api.server.app).post('/jobs').set('Authorization', alice).send({ process: halvedDemGraph() }).expect(201);
  const id = created.headers['openeo-identifier'];
  await request(api.server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
  await waitFor('blocks to run on both workers', () => workers.every((w) => childPids(w.pid).length > 0) || undefined, 30_000, 20);

  const cancelled = Date.now();
  await request(api.server.app).delete(`/jobs/${id}/results`).set('Authorization', alice).expect(204);
  await waitFor('every unit process to be gone', () => workers.every((w) => childPids(w.pid).length === 0) || undefined, 2000, 20);
  expect(Date.now() - cancelled).toBeLessThan(2000);
  expect((await jobState(api.server, alice, id)).status).toBe('created');
  // Nothing of the cancelled run is published, however late its reports come.
  await new Promise((r) => setTimeout(r, 1000));
  expect(fs.existsSync(path.join(api.dataDir, 'jobs', id, 'results'))).toBe(false);
}, 90_000);

test('an API server restarted in the middle of a job re-attaches to its blocks and publishes the same bytes', async () => {
  await useWorkers(60);
  const dataDir = api.dataDir;
  const alice = `Bearer basic//${(await request(api.server.app).get('/credentials/basic').auth('alice', PASSWORD)).body.access_token}`;
  const created = await request(api.server.app).post('/jobs').set('Authorization', alice).send({ process: halvedDemGraph() }).expect(201);
  const id = created.headers['openeo-identifier'];
  await request(api.server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
  await waitFor('a block to finish', async () => ((await jobState(api.server, alice, id)).progress ?? 0) > 5 || undefined, 60_000, 50);

  // The server goes away while the workers go on; blocks finish meanwhile and their reports wait in Redis.
  await api.close();
  await new Promise((r) => setTimeout(r, 1500));
  const again = await startTestServer({ ...SETTINGS, dataDir, collections: { sources: [{ type: 'folder', path: 'demo/dem' }] }, jobs: BULLMQ(redis) });
  api = { server: again, url: api.url, dataDir, close: () => again.close() };
  again.ctx.jobs.start();

  const job = await waitFor('the job to end', async () => {
    const state = await jobState(again, alice, id);
    return ['finished', 'error'].includes(state.status) ? state : undefined;
  }, 90_000, 100);
  const logs = await logMessages(again, alice, id);
  expect({ status: job.status, logs }).toMatchObject({ status: 'finished' });
  expect(logs).toContain('The server restarted; the job goes on where it was.');
  expect(fs.readFileSync(path.join(dataDir, 'jobs', id, 'results', 'result.tif')).equals(reference)).toBe(true);
}, 150_000);
