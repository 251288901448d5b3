/**
 * `npm run bench:scaleout`: one W2-like batch job (max NDVI over 12 dates, saved as GTiff) on the
 * embedded runner and on the bullmq runner with 1, 2, … workers (separate `npm run worker`
 * processes on this host, a private Redis on a loopback port), timed from POST /jobs/{id}/results
 * until the job is finished. Every run's file must be the local runner's, byte for byte.
 */
import '../../threadpool';
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIZES, type BenchSize } from './options';
import { ensureDataset } from './dataset';
import { type BenchServer, freePort, startBenchServer } from './server';
import { buildWorkloads } from './workloads';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(REPO, '.bench');
const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Options {
  size: BenchSize;
  workers: number[];
  blockRows?: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { size: 'large', workers: [1, 2, 3] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--size' && value && value in SIZES) options.size = value as BenchSize;
    else if (argv[i] === '--workers' && value && /^\d+(,\d+)*$/.test(value)) options.workers = value.split(',').map(Number);
    else if (argv[i] === '--block-rows' && value && /^\d+$/.test(value)) options.blockRows = Number(value);
    else throw new Error(`unknown option ${argv[i]} (use --size small|medium|large, --workers 1,2,3, --block-rows N)`);
    i++;
  }
  return options;
}

/** Lines a child writes to standard output until `match` is among them. */
function waitForLine(child: ChildProcess, match: (line: string) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${what}: the process exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      if (lines.some(match)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForLine(child, (l) => l.includes('Ready to accept connections'), 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function api(server: BenchServer, method: string, route: string, body?: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${server.baseUrl}${route}`, {
    method,
    headers: { Authorization: server.auth, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

interface RunResult {
  label: string;
  seconds: number;
  blocks: number;
  sha256: string;
}

/** Submits the graph as a batch job, waits for it and returns its time, block count and result digest. */
async function timeJob(server: BenchServer, graph: Record<string, unknown>, label: string): Promise<RunResult> {
  const created = await api(server, 'POST', '/jobs', { process: { process_graph: graph } });
  if (created.status !== 201) throw new Error(`POST /jobs: ${created.status} ${JSON.stringify(created.json)}`);
  const id = created.headers.get('openeo-identifier')!;
  const started = process.hrtime.bigint();
  const queued = await api(server, 'POST', `/jobs/${id}/results`);
  if (queued.status !== 202) throw new Error(`POST /jobs/${id}/results: ${queued.status}`);
  let status = 'queued';
  while (status !== 'finished' && status !== 'error') {
    await new Promise((r) => setTimeout(r, 100));
    status = (await api(server, 'GET', `/jobs/${id}`)).json.status;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const logs = (await api(server, 'GET', `/jobs/${id}/logs?limit=1000`)).json.logs as Array<{ message: string }>;
  if (status !== 'finished') throw new Error(`${label}: the job failed: ${logs.map((l) => l.message).join(' | ')}`);
  const blocks = Number(logs.map((l) => /computed in (\d+) block/.exec(l.message)?.[1]).find(Boolean) ?? 1);
  const file = path.join(server.config.dataDir, 'jobs', id, 'results', 'result.tif');
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  await api(server, 'DELETE', `/jobs/${id}`);
  return { label, seconds, blocks, sha256 };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const size = SIZES[options.size];
  const folder = path.join(CACHE, options.size);
  log(`bench:scaleout: size ${options.size} (${size}²), workers ${options.workers.join(',')}, ${os.cpus().length} CPUs`);
  await ensureDataset(folder, size, log);
  const collection = `BENCH_${options.size.toUpperCase()}`;
  const graph = buildWorkloads(collection, size, 1).W2.graph;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-scaleout-'));
  const redis = await startRedis(scratch);
  const results: RunResult[] = [];
  try {
    const settings = (runner: string, prefix: string) => ({
      jobs: { runner, ...(options.blockRows ? { blockRows: options.blockRows } : {}), bullmq: { redisUrl: redis.url, prefix, workerConcurrency: 1 } },
    });
    const setups: Array<{ label: string; workers: number }> = [{ label: 'local runner', workers: 0 }, ...options.workers.map((n) => ({ label: `bullmq, ${n} worker(s)`, workers: n }))];
    for (const [i, setup] of setups.entries()) {
      const configFile = path.join(scratch, `config-${i}.json`);
      fs.writeFileSync(configFile, JSON.stringify(settings(setup.workers ? 'bullmq' : 'local', `scaleout${i}`)));
      const server = await startBenchServer(folder, collection, configFile);
      server.config.logLevel = 'info';
      const workerConfig = path.join(scratch, `worker-${i}.json`);
      fs.writeFileSync(workerConfig, JSON.stringify(server.config));
      const workers: ChildProcess[] = [];
      try {
        for (let w = 0; w < setup.workers; w++) {
          const child = spawn(process.execPath, [path.join(REPO, 'dist/cli/worker.js')], { env: { ...process.env, OPENEO_CONFIG: workerConfig }, stdio: ['ignore', 'pipe', 'inherit'] });
          workers.push(child);
          await waitForLine(child, (l) => l.includes('worker registered'), 'a worker to register');
        }
        log(`  ${setup.label} …`);
        results.push(await timeJob(server, graph, setup.label));
      } finally {
        for (const child of workers) child.kill('SIGTERM');
        await server.close();
      }
    }
  } finally {
    redis.child.kill('SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const local = results[0].seconds;
  console.log(`W2 as a batch job, ${size}² × 12 dates, ${os.cpus().length} CPUs\n`);
  console.log('| runner | blocks | seconds | vs local | same file |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const r of results) {
    console.log(`| ${r.label} | ${r.blocks} | ${r.seconds.toFixed(1)} | ${(r.seconds / local).toFixed(2)}× | ${r.sha256 === results[0].sha256 ? 'yes' : 'NO'} |`);
  }
  return results.every((r) => r.sha256 === results[0].sha256) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`bench:scaleout failed: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
