/**
 * The parts of a `bullmq` runner in tests: a private Redis, a data folder the "hosts" share, the
 * API side's QueueExecutor in the test process (its reports collected in order) and workers as
 * real `node dist/cli/worker.js` processes with their own unit children.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load';
import { createLogger } from '../../../src/logger';
import type { Config } from '../../../src/config/types';
import { QueueExecutor } from '../../../src/jobs/queue/QueueExecutor';
import type { ReportEnvelope, UnitTask } from '../../../src/jobs/units/protocol';
import { type TestRedis, startTestRedis } from '../../helpers/redis';
import { additionChain, requireBuiltWorker, waitFor } from '../helpers';

const ROOT = path.resolve(__dirname, '../../..');

export interface TestWorker {
  child: ChildProcess;
  pid: number;
  /** `hostname:pid`, as its `started` reports name it. */
  host: string;
  /** Its log lines (pino JSON) so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export interface Cluster {
  redis: TestRedis;
  dir: string;
  configFile: string;
  config: Config;
  executor: QueueExecutor;
  /** Every report the executor handed on, in the order it did. */
  reports: ReportEnvelope[];
  startWorker(env?: Record<string, string>): Promise<TestWorker>;
  /** A `whole` unit computing a chain of `nodes` additions (each process call waits the workers' pause). */
  task(jobId: string, unitId?: string, nodes?: number, runId?: string): UnitTask;
  reportsOf(jobId: string, unitId?: string): ReportEnvelope[];
  waitForReport(what: string, match: (r: ReportEnvelope) => boolean, timeoutMs?: number): Promise<ReportEnvelope>;
  close(): Promise<void>;
}

/** Direct children of a process (a worker's unit processes). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * A real `node dist/cli/worker.js` on `configFile`, resolved once it has registered with the
 * queue. Every process call of its units waits OPENEO_JOBS_TEST_PAUSE_MS (200 ms unless `env`
 * says otherwise), so tests can catch units in the middle of their work.
 */
export async function spawnWorker(configFile: string, env: Record<string, string> = {}, prefix: string[] = []): Promise<TestWorker> {
  // `prefix` runs it through another program that then executes node, e.g. `ip netns exec <ns>`.
  const [program, ...args] = [...prefix, process.execPath, path.join(ROOT, 'dist/cli/worker.js'), '--grace', '5'];
  const child = spawn(program, args, {
    cwd: path.dirname(configFile),
    env: { ...process.env, OPENEO_CONFIG: configFile, OPENEO_JOBS_TEST_PAUSE_MS: '200', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('the worker to register', () => {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${stderr}`);
    return lines.some((l) => l.msg === 'worker registered: taking units') || undefined;
  }, 20_000, 50);
  const registered = lines.find((l) => l.msg === 'worker registered: taking units')!;
  return { child, pid: child.pid!, host: String(registered.host), logs: () => lines, exited };
}

/** Ends workers that are still there, paused ones included. */
export async function killWorkers(workers: TestWorker[]): Promise<void> {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGCONT');
      w.child.kill('SIGKILL');
      await w.exited;
    }
  }
}

/** `lockSeconds` small, so a worker that stopped renewing its hold is noticed within seconds. */
export async function startCluster(lockSeconds = 2): Promise<Cluster> {
  requireBuiltWorker();
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/worker.js'))) throw new Error('dist/cli/worker.js is missing: run `npm run build` first');
  const redis = await startTestRedis();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-queue-'));
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: path.join(dir, 'data'),
      logLevel: 'info',
      demo: false,
      collections: { sources: [] },
      udf: { enabled: false },
      jobs: { runner: 'bullmq', maxMemoryMb: 1024, bullmq: { redisUrl: redis.url, prefix: 'test', lockSeconds, workerConcurrency: 1 } },
    }),
  );
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const config = loadConfig({ file: configFile, env: {} });
  const reports: ReportEnvelope[] = [];
  const executor = new QueueExecutor(config, createLogger('silent'), (envelope) => reports.push(envelope));
  await executor.start();
  const workers: TestWorker[] = [];

  const startWorker = async (env: Record<string, string> = {}): Promise<TestWorker> => {
    const worker = await spawnWorker(configFile, env);
    workers.push(worker);
    return worker;
  };

  const reportsOf = (jobId: string, unitId?: string) => reports.filter((r) => r.jobId === jobId && (unitId === undefined || r.unitId === unitId));

  return {
    redis,
    dir,
    configFile,
    config,
    executor,
    reports,
    startWorker,
    task: (jobId, unitId = 'whole', nodes = 5, runId = 'run1') => ({
      jobId,
      runId,
      unitId,
      spec: { kind: 'whole' },
      runDir: `jobs/${jobId}/.run-${runId}`,
      userProcesses: [],
      process: additionChain(nodes),
      logLevel: 'info',
    }),
    reportsOf,
    waitForReport: (what, match, timeoutMs = 30_000) => waitFor(what, () => reports.find(match), timeoutMs, 50),
    async close() {
      await killWorkers(workers);
      await executor.stop();
      await redis.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
