import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestServer } from '../../helpers/testServer';
import { freePort } from '../../helpers/ports';
import { additionChain, requireBuiltWorker } from '../helpers';

/** The queue runner set up wrongly or with its Redis away: clear messages, no crash, no lost job. */
const ROOT = path.resolve(__dirname, '../../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function configWithout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-queue-config-'));
  dirs.push(dir);
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ dataDir: path.join(dir, 'data'), demo: false, jobs: { runner: 'bullmq' } }));
  return file;
}

function cli(script: string, args: string[], configFile: string) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist/cli', script), ...args], { env: { ...process.env, OPENEO_CONFIG: configFile }, encoding: 'utf8', timeout: 20_000 });
}

test('a worker and the status command without a Redis URL say which setting is missing', () => {
  requireBuiltWorker();
  const file = configWithout();
  const worker = cli('worker.js', [], file);
  expect(worker.status).toBe(1);
  expect(worker.stderr).toContain("setting 'jobs.bullmq.redisUrl' is needed");
  const status = cli('jobs.js', ['status'], file);
  expect(status.status).toBe(1);
  expect(status.stderr).toContain("setting 'jobs.bullmq.redisUrl' is needed");
  const usage = cli('jobs.js', [], file);
  expect(usage.status).toBe(2);
  expect(usage.stdout).toContain('npm run jobs -- status');
  expect(cli('worker.js', ['--grace', 'soon'], file).stderr).toContain('--grace takes a number of seconds');
});

test('the API server with the bullmq runner and no Redis URL does not start, naming the setting', async () => {
  await expect(startTestServer({ jobs: { runner: 'bullmq' } })).rejects.toThrow("setting 'jobs.bullmq.redisUrl' is needed");
});

test('while its Redis cannot be reached the API server answers and keeps started jobs queued', async () => {
  requireBuiltWorker();
  const nobody = await freePort();
  const server = await startTestServer({ jobs: { runner: 'bullmq', bullmq: { redisUrl: `redis://127.0.0.1:${nobody}` } } });
  try {
    server.ctx.jobs.start();
    const alice = await server.login('alice');
    const created = await request(server.app).post('/jobs').set('Authorization', alice).send({ process: additionChain(2) }).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
    await new Promise((r) => setTimeout(r, 1500));
    const job = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200);
    expect(job.body.status).toBe('queued');
    await request(server.app).get('/jobs').set('Authorization', alice).expect(200);
  } finally {
    await server.close();
  }
});
