import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/store/database';
import { UserStore } from '../../src/auth/UserStore';
import { additionChain, processAlive, requireBuiltWorker, waitFor } from './helpers';
import { freePort } from '../helpers/ports';

/**
 * The real server (dist/index.js) as a child process, killed with SIGKILL in the middle of a job
 * and started again on the same data directory: every job must come back with a truthful status.
 */
const ROOT = path.resolve(__dirname, '../..');
const PASSWORD = 'correct horse battery';
let dir: string;
let port: number;
let base: string;
let server: ChildProcess | undefined;

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], {
    cwd: dir,
    env: {
      ...process.env,
      OPENEO_CONFIG: path.join(dir, 'config.json'),
      OPENEO_DATA_DIR: path.join(dir, 'data'),
      PORT: String(port),
      // Every process call in a worker waits this long, so a job can be caught while running.
      OPENEO_JOBS_TEST_PAUSE_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor('the server to answer', async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    try {
      return (await fetch(`${base}/`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, 30_000, 100);
  return child;
}

async function api(method: string, url: string, auth?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(auth ? { Authorization: auth } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

async function login(): Promise<string> {
  const res = await fetch(`${base}/credentials/basic`, { headers: { Authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` } });
  return `Bearer basic//${((await res.json()) as { access_token: string }).access_token}`;
}

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  requireBuiltWorker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-restart-'));
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      port,
      host: '127.0.0.1',
      publicUrl: base,
      dataDir: 'data',
      logLevel: 'warn',
      demo: false,
      collections: { sources: [] },
      jobs: { maxConcurrent: 1 },
    }),
  );
  const db = openDatabase(path.join(dir, 'data', 'openeo.sqlite'));
  await new UserStore(db).add('alice', PASSWORD);
  db.close();
});

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('after SIGKILL and a restart, finished jobs keep results, the running job is marked interrupted, queued jobs still run', async () => {
  server = await startServer();
  let auth = await login();
  const create = async (n: number) => {
    const res = await api('POST', '/jobs', auth, { process: additionChain(n) });
    expect(res.status).toBe(201);
    return res.headers.get('openeo-identifier')!;
  };
  const status = async (id: string) => (await api('GET', `/jobs/${id}`, auth)).body;

  const done = await create(2);
  await api('POST', `/jobs/${done}/results`, auth);
  await waitFor('the first job to finish', async () => ((await status(done)).status === 'finished' ? true : undefined), 30_000);
  const before = await api('GET', `/jobs/${done}/results`, auth);
  const oldLink = (Object.values(before.body.assets)[0] as { href: string }).href;

  const interrupted = await create(100);
  const waiting = await create(2);
  await api('POST', `/jobs/${interrupted}/results`, auth);
  await waitFor('the long job to make progress', async () => {
    const job = await status(interrupted);
    return job.status === 'running' && job.progress > 0 ? true : undefined;
  }, 30_000);
  await api('POST', `/jobs/${waiting}/results`, auth);
  expect((await status(waiting)).status).toBe('queued');
  const workers = childPids(server.pid!);
  expect(workers).toHaveLength(1);

  server.kill('SIGKILL');
  await waitFor('the server to die', () => (server!.exitCode !== null || server!.signalCode !== null ? true : undefined), 5000);
  // The orphaned worker notices that its parent is gone and stops by itself.
  await waitFor('the orphaned worker to stop', () => (!processAlive(workers[0]) ? true : undefined), 5000);

  server = await startServer();
  auth = await login();
  const finished = await status(done);
  expect(finished.status).toBe('finished');
  const after = await api('GET', `/jobs/${done}/results`, auth);
  expect(after.status).toBe(200);
  // Links signed before the crash still work: the signing key lives in the data directory.
  const download = await fetch(oldLink);
  expect(download.status).toBe(200);
  expect(await download.text()).toBe('3');

  const broken = await status(interrupted);
  expect(broken.status).toBe('error');
  const failure = await api('GET', `/jobs/${interrupted}/results`, auth);
  expect(failure.status).toBe(424);
  expect(failure.body.message).toMatch(/interrupted/);
  const leftovers = fs.readdirSync(path.join(dir, 'data', 'jobs', interrupted));
  expect(leftovers.filter((f) => f.startsWith('.run-') || f === 'results')).toEqual([]);

  await waitFor('the queued job to finish after the restart', async () => ((await status(waiting)).status === 'finished' ? true : undefined), 30_000);
  const listed = await api('GET', '/jobs', auth);
  expect(listed.body.jobs.map((j: { id: string; status: string }) => [j.id, j.status]).sort()).toEqual(
    [
      [done, 'finished'],
      [interrupted, 'error'],
      [waiting, 'finished'],
    ].sort(),
  );

  // A graceful stop ends the process cleanly.
  server.kill('SIGTERM');
  await waitFor('a clean exit', () => (server!.exitCode !== null ? true : undefined), 10_000);
  expect(server.exitCode).toBe(0);
}, 120_000);

test('with onRestart "requeue", a job interrupted by a crash is queued again and finishes', async () => {
  const configFile = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  fs.writeFileSync(configFile, JSON.stringify({ ...config, jobs: { maxConcurrent: 1, onRestart: 'requeue' } }));
  server = await startServer();
  let auth = await login();
  const res = await api('POST', '/jobs', auth, { process: additionChain(12) });
  const id = res.headers.get('openeo-identifier')!;
  await api('POST', `/jobs/${id}/results`, auth);
  await waitFor('the job to make progress', async () => {
    const job = (await api('GET', `/jobs/${id}`, auth)).body;
    return job.status === 'running' && job.progress > 0 ? true : undefined;
  }, 30_000);
  server.kill('SIGKILL');
  await waitFor('the server to die', () => (server!.signalCode !== null ? true : undefined), 5000);

  server = await startServer();
  auth = await login();
  await waitFor('the re-queued job to finish', async () => ((await api('GET', `/jobs/${id}`, auth)).body.status === 'finished' ? true : undefined), 30_000);
  const logs = (await api('GET', `/jobs/${id}/logs`, auth)).body.logs as Array<{ level: string; message: string }>;
  expect(logs.some((l) => l.level === 'warning' && /interrupted.*queued again/.test(l.message))).toBe(true);
  const result = await api('GET', `/jobs/${id}/results`, auth);
  const download = await fetch((Object.values(result.body.assets)[0] as { href: string }).href);
  expect(await download.text()).toBe('13');
  server.kill('SIGTERM');
  await waitFor('a clean exit', () => (server!.exitCode !== null ? true : undefined), 10_000);
}, 120_000);
