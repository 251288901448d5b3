/**
 * Entry point of a job's child process: runs one process graph and reports log entries,
 * progress and the outcome to the process manager over IPC, then exits. Running in its own
 * process keeps the API responsive and lets a cancel kill the computation outright.
 */
import '../threadpool';
import fs from 'node:fs';
import path from 'node:path';
import type pino from 'pino';
import { createLogger } from '../logger';
import { isOpenEOError } from '../errors/OpenEOError';
import { openDataDatabase } from '../store/database';
import { storageFailureKind } from '../store/storageErrors';
import { LocalCatalog } from '../catalog/LocalCatalog';
import { createProcessRegistry } from '../processes';
import { adoptUdfRuntime } from '../udf/runtime';
import { RunService, lookupOf, type ProcessDocument } from '../processes/run';
import { entryLogger } from '../processes/runLogs';
import type { ProcessContext } from '../run/context';
import { DataCube, isDataCube } from '../raster/cube/DataCube';
import { toJsonValue } from '../processes/jsonResult';
import { readRasterInfo } from './rasterInfo';
import { failurePath } from './failurePath';
import type { StartMessage, WorkerMessage } from './protocol';
import type { NewLogEntry, OutputInfo, Usage } from './types';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function usageNow(started: number): Usage {
  const r = process.resourceUsage();
  return {
    duration: { value: round((Date.now() - started) / 1000), unit: 'seconds' },
    cpu: { value: round((r.userCPUTime + r.systemCPUTime) / 1e6), unit: 'cpu-seconds' },
    peak_memory: { value: round(r.maxRSS / 1024), unit: 'mb' },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** One info entry per load_collection: which collection, how large the cube is. */
function logLoadedCube(logger: pino.Logger, args: Record<string, unknown>, cube: DataCube): void {
  const grid = cube.grid ? `${cube.grid.width} x ${cube.grid.height} pixels` : 'no spatial grid';
  const labels = cube.dims.map((d) => `${d.name}: ${d.labels.length}`).join(', ');
  logger.info(
    { collection: args.id, cells: cube.size, 'cube:dimensions': cube.describe() },
    `Loaded collection '${String(args.id)}': ${grid}${labels ? ` (${labels})` : ''}, ${cube.size} values`,
  );
}

/** The time range the graph asks load_collection for, when it is written literally. */
function requestedTimeRange(graph: unknown): [string | null, string | null] | null {
  if (!graph || typeof graph !== 'object') return null;
  for (const node of Object.values(graph as Record<string, { process_id?: string; arguments?: Record<string, unknown> }>)) {
    const extent = node?.process_id === 'load_collection' ? node.arguments?.temporal_extent : undefined;
    if (Array.isArray(extent) && extent.length === 2 && extent.every((v) => v === null || typeof v === 'string')) {
      return [extent[0] as string | null, extent[1] as string | null];
    }
  }
  return null;
}

/** The log entry a failure becomes: openEO code, readable message, and the node path where known. */
function failureEntry(error: unknown, failedChain: string[], graph: unknown): NewLogEntry {
  const path = failurePath(graph, failedChain);
  const where = path.length > 0
    ? ` (in process '${path[0].process_id}', node '${path[0].node_id}'${path.length > 1 ? ` inside ${path.slice(1).map((s) => `'${s.node_id}'`).join(' in ')}` : ''})`
    : failedChain.length > 0 ? ` (in process '${failedChain[0]}')` : '';
  let code = 'Internal';
  let message = error instanceof Error ? error.message : String(error);
  const storage = isOpenEOError(error) ? undefined : storageFailureKind(error);
  if (isOpenEOError(error)) code = error.code;
  else if (storage) {
    code = 'StorageFailure';
    message = `Writing results failed: ${storage === 'full' ? 'the disk is full' : message}`;
  }
  return { level: 'error', code, message: `${message}${where}`, ...(path.length > 0 ? { path } : {}) };
}

/** Metadata of every output; a file outside the run folder is refused. */
async function describeOutputs(ctx: ProcessContext): Promise<OutputInfo[]> {
  const base = fs.realpathSync(ctx.workDir);
  const described: OutputInfo[] = [];
  for (const output of ctx.outputs) {
    const real = fs.realpathSync(output.path);
    if (!real.startsWith(base + path.sep)) throw new Error(`output ${output.filename} was written outside the job folder`);
    const file = path.relative(base, real).split(path.sep).join('/');
    const size = fs.statSync(real).size;
    const raster = await readRasterInfo(real);
    described.push({ file, size, mediaType: output.mediaType, format: output.format, ...(raster ? { raster } : {}) });
  }
  return described;
}

/** Only what a run needs: the catalogue (read from the data directory) and the run service; no server. */
async function runService(start: StartMessage): Promise<RunService> {
  const db = openDataDatabase(start.config.dataDir);
  const catalog = new LocalCatalog(start.config, db, createLogger('silent'));
  await catalog.refresh(true);
  adoptUdfRuntime(start.udfRuntime);
  return new RunService({ config: start.config, catalog, registry: createProcessRegistry(start.config) });
}

async function run(start: StartMessage): Promise<void> {
  const started = Date.now();
  const logger = entryLogger(start.logLevel, (entry) => void send({ type: 'log', entry }));
  const runs = await runService(start);
  const graph = start.process.process_graph;
  const nodeCount = Math.max(1, graph && typeof graph === 'object' ? Object.keys(graph).length : 1);
  const pauseMs = Number(process.env.OPENEO_JOBS_TEST_PAUSE_MS ?? 0);
  let completed = 0;
  let lastProgress = -1;
  const failedChain: string[] = [];
  const savedCubes: Array<Record<string, unknown> | undefined> = [];
  const callCounts = new Map<string, number>();
  // Ours, so the pixels read are known even when the run fails.
  const stats = { inputPixels: 0 };
  logger.info({ nodes: nodeCount }, `Job started: ${nodeCount} process node(s) to run`);
  try {
    const result = await runs.run(start.process as unknown as ProcessDocument, {
      user: start.user,
      userProcesses: lookupOf(start.userProcesses),
      logger,
      // Never fires: a cancel or a limit ends this process outright.
      signal: new AbortController().signal,
      workDir: start.workDir,
      stats,
      hooks: {
        async before(processId, args) {
          // Callbacks call processes once per tile: log the first calls of each, not thousands.
          const calls = (callCounts.get(processId) ?? 0) + 1;
          callCounts.set(processId, calls);
          if (calls <= 3) logger.debug(`Running process '${processId}'${calls === 3 ? ' (further calls are not logged)' : ''}`);
          // What each save_result writes, so the results document can describe its dimensions.
          if (processId === 'save_result') savedCubes.push(isDataCube(args.data) ? args.data.describe() : undefined);
          // Only for tests of cancel and restarts: makes a tiny graph take a predictable time.
          if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        },
        after(processId, args, value) {
          if (processId === 'load_collection' && isDataCube(value)) logLoadedCube(logger, args, value);
          completed++;
          // Callbacks run processes many times; cap below 100 until everything is published.
          const progress = Math.min(95, Math.round((100 * completed) / nodeCount));
          if (progress !== lastProgress) {
            lastProgress = progress;
            void send({ type: 'progress', value: progress });
          }
        },
        failed(processId) {
          failedChain.push(processId);
        },
      },
    });
    const { ctx } = result;
    if (ctx.outputs.length === 0) {
      // No save_result: the computed value itself is the result, as JSON.
      const file = path.join(ctx.workDir, 'result.json');
      fs.writeFileSync(file, JSON.stringify(toJsonValue(result.value) ?? null));
      ctx.outputs.push({ path: file, filename: 'result.json', mediaType: 'application/json', format: 'JSON' });
    }
    const outputs = await describeOutputs(ctx);
    outputs.forEach((o, i) => {
      if (savedCubes[i]) o.cubeDimensions = savedCubes[i];
    });
    if (ctx.stats.inputPixels > 0) logger.info({ pixels: ctx.stats.inputPixels }, `Read ${ctx.stats.inputPixels} input pixels`);
    for (const o of outputs) logger.info({ file: o.file, bytes: o.size, format: o.format }, `Wrote ${o.file} (${o.format}, ${o.size} bytes)`);
    await send({ type: 'done', outputs, inputPixels: ctx.stats.inputPixels, timeRange: requestedTimeRange(graph), usage: usageNow(started) });
  } catch (error) {
    await send({ type: 'failed', entry: failureEntry(error, failedChain, graph), inputPixels: stats.inputPixels, usage: usageNow(started) });
  }
}

// The parent went away (server killed): nobody can publish our results, so stop at once.
process.on('disconnect', () => process.exit(70));
process.once('message', (message: StartMessage) => {
  if (message?.type !== 'start') process.exit(64);
  run(message)
    .catch(async (error) => {
      await send({ type: 'failed', entry: failureEntry(error, [], undefined), inputPixels: 0, usage: {} });
    })
    .finally(() => {
      // Give pending IPC messages a moment, then exit even if timers (catalog rescans) are running.
      setTimeout(() => process.exit(0), 50);
    });
});
