import { type Cluster, startCluster } from './cluster';
import { waitFor } from '../helpers';
import type { ReportEnvelope } from '../../../src/jobs/units/protocol';

/**
 * Faults of the bullmq runner with real processes: workers killed or paused in the middle of a
 * unit, and Redis restarted from its append-only file. The workers' hold on a unit lasts two
 * seconds (jobs.bullmq.lockSeconds), so a lost worker is noticed within a few seconds.
 */
let cluster: Cluster;

beforeEach(async () => {
  cluster = await startCluster(2);
});

afterEach(async () => {
  await cluster?.close();
});

const isStart = (r: ReportEnvelope) => r.report.type === 'started';
const isFinal = (r: ReportEnvelope) => r.report.type === 'done' || r.report.type === 'failed';
const hostOf = (r: ReportEnvelope) => (r.report.type === 'started' ? r.report.host : undefined);

test('the unit of a SIGKILLed worker is run again by another worker, with a greater token', async () => {
  const workers = [await cluster.startWorker(), await cluster.startWorker()];
  // 20 additions of 200 ms: four seconds.
  await cluster.executor.submit(cluster.task('job-k', 'block-0', 20));
  const first = await cluster.waitForReport('the unit to start', (r) => r.jobId === 'job-k' && isStart(r));
  const holder = workers.find((w) => w.host === hostOf(first))!;
  const other = workers.find((w) => w !== holder)!;
  await cluster.waitForReport('the unit to make progress', (r) => r.jobId === 'job-k' && r.report.type === 'progress');
  holder.child.kill('SIGKILL');
  await holder.exited;

  const again = await cluster.waitForReport('another worker to take the unit', (r) => r.jobId === 'job-k' && isStart(r) && r !== first, 20_000);
  expect(hostOf(again)).toBe(other.host);
  expect(again.token).toBeGreaterThan(first.token);
  const final = await cluster.waitForReport('the unit to finish', (r) => r.jobId === 'job-k' && isFinal(r), 20_000);
  expect(final.report.type).toBe('done');
  expect(final.token).toBe(again.token);
  // Nothing of the killed attempt arrives after the new one started.
  const reports = cluster.reportsOf('job-k');
  expect(reports.slice(reports.indexOf(again)).every((r) => r.token === again.token)).toBe(true);
});

test('units queued before Redis restarts are still there afterwards (append-only file)', async () => {
  await cluster.executor.submit(cluster.task('job-r', 'block-0', 2));
  await cluster.executor.submit(cluster.task('job-r', 'block-1', 2));
  await cluster.redis.restart();
  // Workers that come only now find both; the executor reconnected and hands on their reports.
  await cluster.startWorker();
  await waitFor('both units to finish', () => cluster.reportsOf('job-r').filter((r) => r.report.type === 'done').length === 2 || undefined, 30_000);
  expect(new Set(cluster.reportsOf('job-r').map((r) => r.unitId))).toEqual(new Set(['block-0', 'block-1']));
});

test('a paused worker whose unit was given to another reports, after SIGCONT, only with its old token', async () => {
  const workers = [await cluster.startWorker(), await cluster.startWorker()];
  // 15 additions of 200 ms: three seconds of work.
  await cluster.executor.submit(cluster.task('job-s', 'block-0', 15));
  const first = await cluster.waitForReport('the unit to start', (r) => r.jobId === 'job-s' && isStart(r));
  const paused = workers.find((w) => w.host === hostOf(first))!;
  const other = workers.find((w) => w !== paused)!;
  // Only the worker process stops: its unit process goes on computing meanwhile, as a cut-off host's would.
  paused.child.kill('SIGSTOP');
  const again = await cluster.waitForReport('the unit to be given to the other worker', (r) => r.jobId === 'job-s' && isStart(r) && r !== first, 20_000);
  expect(hostOf(again)).toBe(other.host);
  expect(again.token).toBeGreaterThan(first.token);
  await new Promise((r) => setTimeout(r, 3500)); // the paused worker's unit process has finished by now
  paused.child.kill('SIGCONT');

  await waitFor('both attempts to end', () => cluster.reportsOf('job-s').filter(isFinal).length === 2 || undefined, 20_000);
  const reports = cluster.reportsOf('job-s');
  const late = reports.slice(reports.indexOf(again)).filter((r) => r.token === first.token);
  // The old attempt's outcome comes in late and carries the old token, which the server refuses.
  expect(late.filter(isFinal)).toHaveLength(1);
  expect(reports.filter((r) => r.token === again.token && isFinal(r)).map((r) => r.report.type)).toEqual(['done']);
  expect(new Set(reports.map((r) => r.token))).toEqual(new Set([first.token, again.token]));
  expect(paused.child.exitCode).toBeNull();
});

test('a unit whose workers keep dying is given up with a failed report instead of hanging', async () => {
  await cluster.executor.submit(cluster.task('job-g', 'block-0', 30));
  // BullMQ lets a unit stall twice; the third loss fails it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const worker = await cluster.startWorker();
    await waitFor(`attempt ${attempt} to start`, () => cluster.reportsOf('job-g').filter(isStart).length === attempt || undefined, 20_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  const watcher = await cluster.startWorker();
  const failed = await cluster.waitForReport('the unit to be given up', (r) => r.jobId === 'job-g' && isFinal(r), 30_000);
  expect(failed.report).toMatchObject({ type: 'failed', entry: { level: 'error', code: 'Internal' } });
  if (failed.report.type === 'failed') expect(failed.report.entry.message).toMatch(/given up/);
  // Its token is the last attempt's, so the server takes it.
  expect(failed.token).toBe(Math.max(...cluster.reportsOf('job-g').filter(isStart).map((r) => r.token)));
  expect(watcher.logs().some((l) => l.msg === 'worker took a unit')).toBe(false);
});
