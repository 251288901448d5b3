/**
 * Runs one unit of a batch job inside a unit's child process: the whole graph, the plan of a
 * graph that ends in one GTiff, one block of it, or the assembly of the blocks. Reports go out
 * through `send`; files go into fresh folders inside the job's run folder, named per attempt,
 * so an attempt that was given up on can never overwrite the files of the one that counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import { createLogger } from '../../logger';
import type { Config } from '../../config/types';
import { openDataDatabase, openDatabase } from '../../store/database';
import { LocalCatalog } from '../../catalog/LocalCatalog';
import { createProcessRegistry } from '../../processes';
import { adoptUdfRuntime } from '../../udf/runtime';
import { RunService, lookupOf, type ProcessDocument, type RunHooks } from '../../processes/run';
import { entryLogger } from '../../processes/runLogs';
import type { ProcessContext } from '../../run/context';
import { DataCube, isDataCube } from '../../raster/cube/DataCube';
import { toJsonValue } from '../../processes/jsonResult';
import { findWriter } from '../../output/writers';
import { saveOutput, writeDefaultOutput } from '../../output/save';
import { AggregatedCube } from '../../vector/aggregate';
import { GTIFF_MEDIA_TYPE, gtiffCube } from '../../output/GTiffWriter';
import { gtiffSettings } from '../../output/gtiffSettings';
import { assembleGeoTiff, gtiffLayout, writeGeoTiffPart } from '../../output/gtiffParts';
import { RetryWithNodata, firstCandidate } from '../../output/nodataPolicy';
import { planBlocks } from './blocks';
import { describeOutputs, failureEntry, requestedTimeRange, usageNow } from './runFacts';
import type { BlockRows, UnitChildMessage, UnitResult, UnitSpec, UnitStart } from './protocol';

type Send = (message: UnitChildMessage) => Promise<void>;
/** The arguments of a save_result call, recorded when save_result only hands its data on. */
type SaveCall = { format: unknown; options: unknown; data: unknown };
/** What describing a run's outputs needs of its context. */
type OutputsContext = Pick<ProcessContext, 'workDir' | 'outputs' | 'stats'>;

/** One info entry per load_collection: which collection, how large the cube is. */
function logLoadedCube(logger: pino.Logger, args: Record<string, unknown>, cube: DataCube): void {
  const grid = cube.grid ? `${cube.grid.width} x ${cube.grid.height} pixels` : 'no spatial grid';
  const labels = cube.dims.map((d) => `${d.name}: ${d.labels.length}`).join(', ');
  logger.info(
    { collection: args.id, cells: cube.size, 'cube:dimensions': cube.describe() },
    `Loaded collection '${String(args.id)}': ${grid}${labels ? ` (${labels})` : ''}, ${cube.size} values`,
  );
}

/** The job's run folder on this host; a task naming anything outside the data directory's jobs folder is refused. */
function runFolder(config: Config, relative: string): string {
  const jobs = path.resolve(config.dataDir, 'jobs');
  const full = path.resolve(config.dataDir, relative);
  if (!full.startsWith(jobs + path.sep)) throw new Error(`the unit's run folder ${relative} is outside the jobs folder`);
  return full;
}

/** A new folder inside the run folder for this attempt's files. */
function attemptFolder(runDir: string, prefix: string): string {
  const dir = path.join(runDir, `${prefix}-${randomUUID()}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function savesInGraph(process: Record<string, unknown>): boolean {
  const graph = process.process_graph;
  return !!graph && typeof graph === 'object' && Object.values(graph).some((node) => (node as { process_id?: unknown })?.process_id === 'save_result');
}

export class UnitRunner {
  private readonly started = Date.now();
  private readonly config: Config;
  private readonly runDir: string;
  private readonly logger: pino.Logger;
  private readonly stats = { inputPixels: 0 };
  private readonly failedChain: string[] = [];
  private readonly scratchDirs: string[] = [];

  constructor(
    private readonly start: UnitStart,
    private readonly send: Send,
  ) {
    const spec = start.task.spec;
    const tileSize = 'tileSize' in spec ? spec.tileSize : start.config.processing.tileSize;
    // Every block of one job must cut the grid into the same tiles, whatever this host's settings.
    this.config = { ...start.config, processing: { ...start.config.processing, tileSize } };
    this.runDir = runFolder(this.config, start.task.runDir);
    // Blocks repeat the plan's evaluation: their step-by-step entries would only say it again.
    const level = spec.kind === 'whole' || spec.kind === 'plan' ? start.task.logLevel : 'warning';
    this.logger = entryLogger(level, (entry) => void this.send({ type: 'log', entry }));
  }

  /** Runs the unit and sends its final report (`done` or `failed`). */
  async run(): Promise<void> {
    const graph = this.start.task.process.process_graph;
    try {
      const result = await this.runSpec(this.start.task.spec);
      await this.send({ type: 'done', result, inputPixels: this.stats.inputPixels, usage: usageNow(this.started) });
    } catch (error) {
      await this.send({ type: 'failed', entry: failureEntry(error, this.failedChain, graph), inputPixels: this.stats.inputPixels, usage: usageNow(this.started) });
    } finally {
      for (const dir of this.scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private runSpec(spec: UnitSpec): Promise<UnitResult> {
    switch (spec.kind) {
      case 'whole':
        return this.whole();
      case 'plan':
        return this.plan();
      case 'block':
        return this.block(spec.rows, spec.nodata);
      case 'assemble':
        return this.assemble(spec);
      case 'zones':
        return this.zones(spec);
      case 'join':
        return this.join(spec);
    }
  }

  private relative(file: string): string {
    return path.relative(this.config.dataDir, file).split(path.sep).join('/');
  }

  private scratch(): string {
    const dir = attemptFolder(this.runDir, 'tmp');
    this.scratchDirs.push(dir);
    return dir;
  }

  private async runService(): Promise<RunService> {
    const db = this.start.catalogCache ? openDatabase(this.start.catalogCache) : openDataDatabase(this.config.dataDir);
    const catalog = new LocalCatalog(this.config, db, createLogger('silent'));
    await catalog.refresh(true);
    adoptUdfRuntime(this.start.udfRuntime);
    return new RunService({ config: this.config, catalog, registry: createProcessRegistry(this.config) });
  }

  /** Evaluates the graph into `workDir`; with `saveFiles` false, save_result hands its cube back and its arguments are recorded. */
  private async evaluate(workDir: string, saveFiles: boolean, progress: boolean) {
    const runs = await this.runService();
    const task = this.start.task;
    const graph = task.process.process_graph;
    const nodeCount = Math.max(1, graph && typeof graph === 'object' ? Object.keys(graph).length : 1);
    const pauseMs = Number(process.env.OPENEO_JOBS_TEST_PAUSE_MS ?? 0);
    const saves: SaveCall[] = [];
    const callCounts = new Map<string, number>();
    const logger = this.logger;
    let completed = 0;
    let lastProgress = -1;
    const send = this.send;
    const failedChain = this.failedChain;
    const hooks: RunHooks = {
      async before(processId, args) {
        // Callbacks call processes once per tile: log the first calls of each, not thousands.
        const calls = (callCounts.get(processId) ?? 0) + 1;
        callCounts.set(processId, calls);
        if (calls <= 3) logger.debug(`Running process '${processId}'${calls === 3 ? ' (further calls are not logged)' : ''}`);
        if (processId === 'save_result') saves.push({ format: args.format, options: args.options, data: args.data });
        // Only for tests of cancel and restarts: makes a tiny graph take a predictable time.
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      },
      after(processId, args, value) {
        if (processId === 'load_collection' && isDataCube(value)) logLoadedCube(logger, args, value);
        completed++;
        if (!progress) return;
        // Callbacks run processes many times; cap below 100 until everything is published.
        const value100 = Math.min(95, Math.round((100 * completed) / nodeCount));
        if (value100 !== lastProgress) {
          lastProgress = value100;
          void send({ type: 'progress', value: value100 });
        }
      },
      failed(processId) {
        failedChain.push(processId);
      },
    };
    const result = await runs.run(task.process as unknown as ProcessDocument, {
      user: task.user,
      userProcesses: lookupOf(task.userProcesses),
      logger,
      // Never fires: a cancel or a limit ends this process outright.
      signal: new AbortController().signal,
      workDir,
      stats: this.stats,
      hooks,
      saveFiles,
      defaultOutput: saveFiles,
    });
    return { ...result, saves };
  }

  private logStart(): void {
    const graph = this.start.task.process.process_graph;
    const nodes = Math.max(1, graph && typeof graph === 'object' ? Object.keys(graph).length : 1);
    this.logger.info({ nodes }, `Job started: ${nodes} process node(s) to run`);
  }

  private async whole(): Promise<UnitResult> {
    this.logStart();
    const out = attemptFolder(this.runDir, 'out');
    const { ctx, value, saves } = await this.evaluate(out, true, true);
    return this.outputs(ctx, value, saves.map((s) => (isDataCube(s.data) ? s.data.describe() : undefined)));
  }

  /** Describes what the run in `ctx` wrote (a JSON file of the value when it wrote nothing). */
  private async outputs(ctx: OutputsContext, value: unknown, savedCubes: Array<Record<string, unknown> | undefined>): Promise<UnitResult> {
    if (ctx.outputs.length === 0) {
      const file = path.join(ctx.workDir, 'result.json');
      fs.writeFileSync(file, JSON.stringify(toJsonValue(value) ?? null));
      ctx.outputs.push({ path: file, filename: 'result.json', mediaType: 'application/json', format: 'JSON' });
    }
    const outputs = await describeOutputs(ctx);
    outputs.forEach((o, i) => {
      if (savedCubes[i]) o.cubeDimensions = savedCubes[i];
    });
    if (ctx.stats.inputPixels > 0) this.logger.info({ pixels: ctx.stats.inputPixels }, `Read ${ctx.stats.inputPixels} input pixels`);
    for (const o of outputs) this.logger.info({ file: o.file, bytes: o.size, format: o.format }, `Wrote ${o.file} (${o.format}, ${o.size} bytes)`);
    return { kind: 'outputs', dir: this.relative(ctx.workDir), outputs, timeRange: requestedTimeRange(this.start.task.process.process_graph) };
  }

  /** The cube the graph saves as GTiff and its options, or undefined when the run saves anything else. */
  private savedGeoTiff(value: unknown, saves: SaveCall[]) {
    if (saves.length > 1) return undefined;
    if (saves.length === 1) {
      const writer = typeof saves[0].format === 'string' ? findWriter(saves[0].format) : undefined;
      if (writer?.info.name !== 'GTiff' || value !== saves[0].data) return undefined;
    }
    if (!isDataCube(value) || !value.grid) return undefined;
    const options = (saves[0]?.options ?? {}) as Record<string, unknown>;
    return { cube: value, options: options && typeof options === 'object' ? options : {} };
  }

  /** The aggregate_spatial cube the graph saves (its only one, straight into save_result), with the save's arguments. */
  private savedAggregation(value: unknown, saves: SaveCall[]) {
    if (!(value instanceof AggregatedCube) || saves.length !== 1 || saves[0].data !== value || typeof saves[0].format !== 'string') return undefined;
    const options = saves[0].options;
    return { cube: value, format: saves[0].format, options: (options && typeof options === 'object' ? options : {}) as Record<string, unknown> };
  }

  /** Saves zonal statistics as the graph asked, into a fresh output folder. */
  private async saveAggregation(zonal: NonNullable<ReturnType<UnitRunner['savedAggregation']>>, ctx: ProcessContext, value: unknown): Promise<UnitResult> {
    const outCtx = { ...ctx, workDir: attemptFolder(this.runDir, 'out'), outputs: [] };
    await saveOutput(zonal.cube, zonal.format, zonal.options, outCtx);
    return this.outputs(outCtx, value, [zonal.cube.describe()]);
  }

  /** Tiles a group of geometries may read: as many as one block of a GTiff result has. */
  private zoneTiles(grid: { width: number }): number {
    const tileSize = this.config.processing.tileSize;
    return Math.max(1, Math.ceil(this.config.jobs.blockRows / tileSize)) * Math.ceil(grid.width / tileSize);
  }

  private async zones(spec: Extract<UnitSpec, { kind: 'zones' }>): Promise<UnitResult> {
    const scratch = this.scratch();
    const { ctx, value, saves } = await this.evaluate(scratch, false, false);
    const zonal = this.savedAggregation(value, saves);
    if (!zonal) throw new Error('the graph no longer saves zonal statistics; run the job again');
    const values = await zonal.cube.valuesOf(spec.geometries, ctx);
    const dir = path.join(this.runDir, 'parts');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `zones-${spec.index}-${randomUUID()}.f64`);
    fs.writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    return { kind: 'zones', file: this.relative(file) };
  }

  private async join(spec: Extract<UnitSpec, { kind: 'join' }>): Promise<UnitResult> {
    const scratch = this.scratch();
    const { ctx, value, saves } = await this.evaluate(scratch, false, false);
    const zonal = this.savedAggregation(value, saves);
    if (!zonal) throw new Error('the graph no longer saves zonal statistics; run the job again');
    const per = zonal.cube.valuesPerGeometry;
    const combined = new Float64Array(zonal.cube.cellsPerPixel).fill(NaN);
    spec.groups.forEach((group, i) => {
      const file = runFolder(this.config, spec.parts[i]);
      const bytes = fs.readFileSync(file);
      const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
      if (values.length !== group.length * per) throw new Error(`the values of group ${i} do not fit its geometries`);
      group.forEach((g, k) => combined.set(values.subarray(k * per, (k + 1) * per), g * per));
    });
    zonal.cube.adopt(combined);
    return this.saveAggregation(zonal, ctx, value);
  }

  private async plan(): Promise<UnitResult> {
    this.logStart();
    const scratch = this.scratch();
    // Made first, like a whole run's: the result may turn out to be the value itself.
    const out = attemptFolder(this.runDir, 'out');
    // A graph that saves nothing may compute its whole result right here: show its progress then.
    const { ctx, value, saves } = await this.evaluate(scratch, false, !savesInGraph(this.start.task.process));
    const zonal = this.savedAggregation(value, saves);
    if (zonal) {
      const groups = zonal.cube.zoneGroups(this.zoneTiles(zonal.cube.rasterGrid));
      this.logger.info(`The zonal statistics of ${groups.flat().length} geometries are computed in ${groups.length} group(s)`);
      if (groups.length > 1) return { kind: 'plannedZones', groups, tileSize: this.config.processing.tileSize };
      return this.saveAggregation(zonal, ctx, value);
    }
    const saved = this.savedGeoTiff(value, saves);
    if (!saved) {
      // Nothing was saved and the value is no raster: it is the result (JSON), as in a whole run.
      if (saves.length === 0 && !(isDataCube(value) && value.grid)) {
        const outCtx = { ...ctx, workDir: out, outputs: [] };
        if (isDataCube(value)) await writeDefaultOutput(value, outCtx);
        return this.outputs(outCtx, value, []);
      }
      return { kind: 'unsplittable' };
    }
    const cube = gtiffCube(saved.cube);
    const settings = gtiffSettings(saved.options);
    const tileSize = this.config.processing.tileSize;
    const blocks = planBlocks(cube.grid!.height, tileSize, this.config.jobs.blockRows);
    this.logger.info(`The result (${cube.grid!.width} x ${cube.grid!.height} pixels) is computed in ${blocks.length} block(s)`);
    if (blocks.length > 1) return { kind: 'planned', blocks, tileSize };
    // One block: no other worker could help; write it here and now.
    const target = path.join(out, 'result.tif');
    const rows = { y: 0, height: cube.grid!.height };
    const layout = gtiffLayout(cube);
    const outCtx = { ...ctx, workDir: scratch };
    let part = await writeGeoTiffPart(cube, settings, rows, firstCandidate(settings.nodata, settings.dataType), path.join(scratch, 'part.tif'), outCtx);
    try {
      await assembleGeoTiff([part], layout, settings, target, outCtx, true);
    } catch (error) {
      if (!(error instanceof RetryWithNodata)) throw error;
      part = await writeGeoTiffPart(cube, settings, rows, error.value, path.join(scratch, 'part-2.tif'), outCtx);
      await assembleGeoTiff([part], layout, settings, target, outCtx, false);
    }
    const saveCtx = { ...ctx, workDir: out, outputs: [{ path: target, filename: 'result.tif', mediaType: GTIFF_MEDIA_TYPE, format: 'GTiff' }] };
    return this.outputs(saveCtx, value, [cube.describe()]);
  }

  private async block(rows: BlockRows, nodata: number | undefined): Promise<UnitResult> {
    const scratch = this.scratch();
    const { ctx, value, saves } = await this.evaluate(scratch, false, false);
    const saved = this.savedGeoTiff(value, saves);
    if (!saved) throw new Error('the graph no longer ends in one GTiff result; run the job again');
    const cube = gtiffCube(saved.cube);
    const settings = gtiffSettings(saved.options);
    const dir = path.join(this.runDir, 'parts');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `block-${rows.index}-${randomUUID()}.tif`);
    const stored = nodata ?? firstCandidate(settings.nodata, settings.dataType);
    const part = await writeGeoTiffPart(cube, settings, rows, stored, file, ctx);
    return {
      kind: 'block',
      layout: gtiffLayout(cube),
      part: { ...part, path: this.relative(file) },
      options: saved.options,
      cubeDimensions: cube.describe(),
    };
  }

  private async assemble(spec: Extract<UnitSpec, { kind: 'assemble' }>): Promise<UnitResult> {
    const settings = gtiffSettings(spec.options);
    const out = attemptFolder(this.runDir, 'out');
    const target = path.join(out, 'result.tif');
    const scratch = this.scratch();
    const ctx = { config: this.config, logger: this.logger, signal: new AbortController().signal, workDir: scratch };
    const parts = spec.parts.map((p) => ({ ...p, path: path.join(this.config.dataDir, p.path) }));
    for (const p of parts) runFolder(this.config, path.relative(this.config.dataDir, p.path));
    try {
      await assembleGeoTiff(parts, spec.layout, settings, target, ctx, !spec.retried);
    } catch (error) {
      if (error instanceof RetryWithNodata) return { kind: 'retryNodata', value: error.value };
      throw error;
    }
    const saveCtx = { workDir: out, outputs: [{ path: target, filename: 'result.tif', mediaType: GTIFF_MEDIA_TYPE, format: 'GTiff' }], stats: this.stats };
    return this.outputs(saveCtx, undefined, [spec.cubeDimensions]);
  }
}
