import '../../threadpool';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions, SIZES } from './options';
import { ensureDataset } from './dataset';
import { startBenchServer } from './server';
import { buildWorkloads, type Workload } from './workloads';
import { RssSampler } from './rss';
import { checkOutput } from './check';
import { measureFloor, outputShape } from './floor';
import { formatTable, type WorkloadResult } from './report';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(REPO, '.bench');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function runWorkload(
  w: Workload,
  run: (outFile: string) => Promise<void>,
  folder: string,
  scratch: string,
  rss: RssSampler,
): Promise<WorkloadResult> {
  const outFile = path.join(scratch, `${w.id}.tif`);
  const inputPixels = w.window.width * w.window.height * w.dates.length * w.bands.length;
  rss.reset();
  const startRssMb = process.memoryUsage().rss / 2 ** 20;
  const times: number[] = [];
  for (let i = 0; i < w.repeats; i++) {
    const t = process.hrtime.bigint();
    await run(outFile);
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  const peakRssMb = rss.peakBytes() / 2 ** 20;
  const seconds = median(times);
  const check = checkOutput(w, outFile, folder);
  const shape = outputShape(outFile);
  const floor = await measureFloor(folder, scratch, w.dates, w.bands, w.window, shape);
  fs.rmSync(outFile, { force: true });
  return {
    id: w.id,
    title: w.title,
    repeats: w.repeats,
    seconds,
    inputPixels,
    outputPixels: shape.width * shape.height * shape.bands,
    pixelsPerSecond: inputPixels / seconds,
    peakRssMb,
    startRssMb,
    floorSingleSeconds: floor.singleSeconds,
    floorParallelSeconds: floor.parallelSeconds,
    ratioSingle: seconds / floor.singleSeconds,
    ratioParallel: seconds / floor.parallelSeconds,
    check,
  };
}

/** Keeps the latest run of every size: `{ small: {...}, medium: {...} }`. */
function writeResults(file: string, size: string, report: unknown): void {
  let all: Record<string, unknown> = {};
  try {
    const previous: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (previous && typeof previous === 'object' && !Array.isArray(previous) && !('results' in previous)) all = previous as Record<string, unknown>;
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  all[size] = report;
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const size = SIZES[options.size];
  const folder = path.join(CACHE, options.size);
  log(`bench: size ${options.size} (${size}²), workloads ${options.workloads.join(',')}, ${os.cpus().length} CPUs`);
  await ensureDataset(folder, size, log);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-bench-out-'));
  const collection = `BENCH_${options.size.toUpperCase()}`;
  const server = await startBenchServer(folder, collection, path.join(REPO, 'config.json'));
  const rss = new RssSampler(50);
  rss.start();
  const workloads = buildWorkloads(collection, size, options.repeats);
  const results: WorkloadResult[] = [];
  try {
    for (const id of options.workloads) {
      const w = workloads[id];
      log(`  ${id}: ${w.title} …`);
      try {
        results.push(await runWorkload(w, (out) => server.runGraph(w.graph, out), folder, scratch, rss));
      } catch (e) {
        const r = { id, title: w.title, repeats: w.repeats, seconds: NaN, inputPixels: 0, outputPixels: 0, pixelsPerSecond: NaN, peakRssMb: NaN, startRssMb: NaN,
          floorSingleSeconds: NaN, floorParallelSeconds: NaN, ratioSingle: NaN, ratioParallel: NaN,
          check: { ok: false, sampled: 0, maxError: NaN }, error: (e as Error).message };
        results.push(r);
      }
    }
  } finally {
    rss.stop();
    await server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(formatTable(results));
  const report = { size: options.size, pixels: size, cpus: os.cpus().length, node: process.version, date: new Date().toISOString(), results };
  writeResults(path.join(CACHE, 'results.json'), options.size, report);
  log(`bench: results in ${path.join(CACHE, 'results.json')}`);
  return results.every((r) => !r.error && r.check.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`bench failed: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
