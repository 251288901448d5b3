import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Cluster, childPids, startCluster } from './cluster';
import { waitFor } from '../helpers';
import { queueStatus } from '../../../src/jobs/queue/queueStatus';

/**
 * The bullmq runner end to end with real parts: a private Redis, the API side's QueueExecutor in
 * this process, and `npm run worker` processes that run each unit in a child of their own.
 */
let cluster: Cluster;

beforeEach(async () => {
  cluster = await startCluster();
});

afterEach(async () => {
  await cluster?.close();
});

test('a worker runs a unit and its reports come back in order, each attempt with a greater token', async () => {
  const worker = await cluster.startWorker();
  await cluster.executor.submit(cluster.task('job-a'));
  const first = await cluster.waitForReport('the first attempt to finish', (r) => r.jobId === 'job-a' && r.report.type === 'done');
  // The same unit again (as after a no-data retry): a new attempt, a new token.
  await cluster.executor.submit(cluster.task('job-a'));
  const second = await cluster.waitForReport('the second attempt to finish', (r) => r.jobId === 'job-a' && r.report.type === 'done' && r !== first);

  const reports = cluster.reportsOf('job-a');
  expect(first.token).toBeGreaterThan(0);
  expect(second.token).toBeGreaterThan(first.token);
  for (const token of [first.token, second.token]) {
    const attempt = reports.filter((r) => r.token === token).map((r) => r.report);
    expect(attempt[0]).toEqual({ type: 'started', host: worker.host });
    expect(attempt[attempt.length - 1].type).toBe('done');
    expect(attempt.filter((r) => r.type === 'done' || r.type === 'failed')).toHaveLength(1);
    const progress = attempt.flatMap((r) => (r.type === 'progress' ? [r.value] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(attempt.some((r) => r.type === 'log')).toBe(true);
  }
  // Attempts do not interleave: every report of the first comes before the second's.
  expect(reports.map((r) => r.token)).toEqual([...reports.map((r) => r.token)].sort((a, b) => a - b));

  // The result is a real file in the shared data folder: the chain of five additions gives 6.
  const done = second.report;
  if (done.type !== 'done' || done.result.kind !== 'outputs') throw new Error(`unexpected result ${JSON.stringify(done)}`);
  const output = path.join(cluster.config.dataDir, done.result.dir, done.result.outputs[0].file);
  expect(JSON.parse(fs.readFileSync(output, 'utf8'))).toBe(6);

  const logs = worker.logs().map((l) => l.msg);
  expect(logs).toEqual(expect.arrayContaining(['worker registered: taking units', 'worker took a unit', 'worker ended a unit']));
});

test('two workers share the units, and `npm run jobs -- status` shows them at work', async () => {
  const [a, b] = [await cluster.startWorker(), await cluster.startWorker()];
  // Eight additions of 200 ms each: every unit holds its worker for about two seconds.
  for (const unitId of ['block-0', 'block-1', 'block-2', 'block-3']) await cluster.executor.submit(cluster.task('job-b', unitId, 8));
  await waitFor('both workers to run a unit', () => {
    const hosts = new Set(cluster.reportsOf('job-b').flatMap((r) => (r.report.type === 'started' ? [r.report.host] : [])));
    return hosts.size === 2 || undefined;
  });

  const status = spawnSync(process.execPath, [path.join(__dirname, '../../../dist/cli/jobs.js'), 'status'], {
    env: { ...process.env, OPENEO_CONFIG: cluster.configFile },
    encoding: 'utf8',
  });
  expect(status.stderr).toBe('');
  expect(status.status).toBe(0);
  expect(status.stdout).toMatch(/^units: \d+ waiting, 2 running, 0 delayed, 0 failed/);
  expect(status.stdout).toContain('workers: 2');
  for (const w of [a, b]) expect(status.stdout).toContain(w.host);
  expect(status.stdout).toMatch(/job-b: 2 unit\(s\)/);

  await waitFor('every unit to finish', () => cluster.reportsOf('job-b').filter((r) => r.report.type === 'done').length === 4 || undefined);
  const ran = new Map<string, string>();
  for (const r of cluster.reportsOf('job-b')) if (r.report.type === 'started') ran.set(r.unitId, r.report.host);
  expect([...ran.keys()].sort()).toEqual(['block-0', 'block-1', 'block-2', 'block-3']);
  expect(new Set(ran.values())).toEqual(new Set([a.host, b.host]));
});

test('cancelling a run kills its running unit on the worker within 2 s and takes its queued units out', async () => {
  const worker = await cluster.startWorker();
  // 40 additions of 200 ms: eight seconds unless cancelled.
  await cluster.executor.submit(cluster.task('job-c', 'block-0', 40));
  await cluster.executor.submit(cluster.task('job-c', 'block-1', 40));
  await cluster.waitForReport('the unit to make progress', (r) => r.jobId === 'job-c' && r.report.type === 'progress');
  expect(childPids(worker.pid)).toHaveLength(1);

  const cancelled = Date.now();
  await cluster.executor.cancel('job-c', 'run1');
  await waitFor('the unit process to be gone', () => childPids(worker.pid).length === 0 || undefined, 2000, 20);
  expect(Date.now() - cancelled).toBeLessThan(2000);
  expect(worker.logs().some((l) => l.msg === 'worker killed a unit of a cancelled run' && l.unitId === 'block-0')).toBe(true);

  // The queued unit never starts, the killed one never reports an outcome, and the worker goes on with other work.
  await cluster.executor.submit(cluster.task('job-d'));
  await cluster.waitForReport('the next job to finish', (r) => r.jobId === 'job-d' && r.report.type === 'done');
  expect(cluster.reportsOf('job-c', 'block-1')).toEqual([]);
  expect(cluster.reportsOf('job-c').filter((r) => r.report.type === 'done' || r.report.type === 'failed')).toEqual([]);
});

test("a cancel takes the run's waiting units out of the queue and leaves other runs alone", async () => {
  await cluster.executor.submit(cluster.task('job-e', 'block-0', 2, 'run1'));
  await cluster.executor.submit(cluster.task('job-e', 'block-1', 2, 'run1'));
  await cluster.executor.submit(cluster.task('job-e', 'block-0', 2, 'run2'));
  expect((await queueStatus(cluster.config)).units.waiting).toBe(3);
  await cluster.executor.cancel('job-e', 'run1');
  expect((await queueStatus(cluster.config)).units.waiting).toBe(1);

  const worker = await cluster.startWorker();
  await cluster.waitForReport('the other run to finish', (r) => r.jobId === 'job-e' && r.runId === 'run2' && r.report.type === 'done');
  expect(cluster.reportsOf('job-e').filter((r) => r.runId === 'run1')).toEqual([]);
  expect(worker.logs().filter((l) => l.msg === 'worker skipped a unit of a cancelled run')).toEqual([]);

  // A unit of the cancelled run queued after the cancel (a race with the server) is taken and dropped unrun.
  await cluster.executor.submit(cluster.task('job-e', 'block-2', 2, 'run1'));
  await waitFor('the worker to skip it', () => worker.logs().some((l) => l.msg === 'worker skipped a unit of a cancelled run' && l.unitId === 'block-2') || undefined);
  expect(cluster.reportsOf('job-e').filter((r) => r.runId === 'run1')).toEqual([]);
});
