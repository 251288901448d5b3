import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import { isDatabaseBusy } from '../store/database';
import type { EnqueueOutcome, JobStore } from './JobStore';
import type { JobFiles } from './jobFiles';
import { storageFailureKind } from '../store/storageErrors';
import { type ProcessDocument, type RunCaller, reachableUserProcesses } from '../processes/run';
import type { OpenEOError } from '../errors/OpenEOError';
import type { JobRecord, NewLogEntry, Usage } from './types';
import type { RunStateStore } from './RunStateStore';
import type { ReportEnvelope, ReportHandler, UnitExecutor, UnitResult, UnitTask } from './units/protocol';
import { type RunState, addUsage, admits, advance, firstUnits, isCurrent, mayRunInBlocks, newRunState, type Submission } from './units/orchestration';

/** The compiled worker next to this file in dist/, or dist/ itself when running from the TypeScript sources (tests). */
export function defaultWorkerPath(): string {
  return __filename.endsWith('.ts') ? path.resolve(__dirname, '../../dist/jobs/worker.js') : path.join(__dirname, 'worker.js');
}

/** What batch jobs need of the processes layer: who runs a job, and the check of its process. */
export interface JobRuns {
  /** The user of a job and their stored processes, as POST /result sees them. */
  callerOf(userId: string): RunCaller;
  /** Every problem that would stop the process from running for `caller` ([] when none). */
  validate(process: ProcessDocument, caller: RunCaller): OpenEOError[];
}

/** Makes the executor that runs units, given where its reports go. */
export type ExecutorFactory = (handler: ReportHandler) => UnitExecutor;

interface ActiveRun {
  job: JobRecord;
  state: RunState;
  startedAt: number;
  /** Shown progress only grows, though a plan's own count may run ahead of its blocks. */
  progress: number;
  timer?: NodeJS.Timeout;
}

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Runs batch jobs: a persistent queue in SQLite, each running job's course through its units
 * (see units/orchestration.ts) run by an executor (child processes here, or BullMQ workers),
 * time limits, recovery after a restart, and retention of result files. The API server is the
 * only writer of the database: executors report, and this class records. Routes reach it only
 * through the façade BatchJobs.
 */
export class ProcessManager {
  readonly maxConcurrent: number;
  private readonly active = new Map<string, ActiveRun>();
  private readonly executor: UnitExecutor;
  private housekeepingTimer?: NodeJS.Timeout;
  private started = false;
  /** Whether the executor takes work (a queue runner's Redis answered): until then jobs stay queued. */
  private ready = false;
  private stopping = false;

  constructor(
    private readonly config: Config,
    private readonly store: JobStore,
    private readonly files: JobFiles,
    private readonly logger: Logger,
    private readonly runs: JobRuns,
    private readonly runStates: RunStateStore,
    makeExecutor: ExecutorFactory,
    /** Whether units run elsewhere and outlive this process (a queue), so a restart re-attaches to them. */
    private readonly remote = false,
  ) {
    const cores = Math.max(1, os.availableParallelism() - 1);
    this.maxConcurrent = config.jobs.maxConcurrent ?? (remote ? Number.MAX_SAFE_INTEGER : cores);
    this.executor = makeExecutor((envelope) => this.onReport(envelope));
  }

  /** Recovers from an earlier shutdown or crash, then starts queued jobs and housekeeping. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.recover();
    this.housekeeping();
    this.housekeepingTimer = setInterval(() => this.housekeeping(), HOUSEKEEPING_INTERVAL_MS);
    this.housekeepingTimer.unref();
    this.executor.start().then(
      () => {
        this.ready = true;
        this.schedule();
      },
      (error) => this.logger.error({ err: error }, 'the job executor could not start; jobs stay queued'),
    );
  }

  /** Stops the executor; jobs still running are recovered (or re-attached) on the next start. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.housekeepingTimer) clearInterval(this.housekeepingTimer);
    for (const run of this.active.values()) if (run.timer) clearTimeout(run.timer);
    this.active.clear();
    return this.executor.stop().catch((error) => this.logger.warn({ err: error }, 'stopping the job executor failed'));
  }

  /** Process ids of the running units of this host, by job id (for monitoring and tests). */
  workerPids(): Map<string, number | undefined> {
    const executor = this.executor as Partial<{ pids(): Map<string, number | undefined> }>;
    return executor.pids ? executor.pids() : new Map();
  }

  /**
   * Jobs that were running when the server stopped: with a queue their units may still be
   * running elsewhere, so the job is picked up where its stored course says; otherwise they are
   * interrupted (or queued again). Half-written run folders of interrupted jobs go.
   */
  private recover(): void {
    const attached = new Set<string>();
    for (const job of this.store.withStatus('running')) {
      const state = this.remote ? this.runStates.get(job.id) : undefined;
      if (state) {
        attached.add(job.id);
        this.attach(job, state, job.startedAt ? Date.parse(job.startedAt) : Date.now(), job.progress ?? 0);
        this.store.addLog(job.id, { level: 'info', message: 'The server restarted; the job goes on where it was.' });
        continue;
      }
      this.runStates.remove(job.id);
      // A crash between publishing the files and recording `finished` leaves files nobody may serve.
      this.files.removeResults(job.id);
      const entry: NewLogEntry = {
        level: 'error',
        code: 'Internal',
        message: 'The job was interrupted because the server stopped while it was running.',
      };
      if (this.config.jobs.onRestart === 'requeue') {
        this.store.requeue(job.id, { ...entry, level: 'warning', message: `${entry.message} It was queued again.` });
      } else {
        this.store.markStopped(job.id, 'error', entry);
      }
    }
    try {
      this.files.removeStaleRuns(attached);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not remove unfinished job folders');
    }
  }

  /** Queues a job (restarting it if it had ended) unless it is queued or running already or its user has `activeLimit` such jobs. */
  enqueue(jobId: string, activeLimit = Infinity): EnqueueOutcome {
    const outcome = this.store.enqueue(jobId, activeLimit);
    if (!outcome.queued) return outcome;
    // Results of a previous run are discarded when the job is started again.
    this.files.removeResults(jobId);
    this.store.addLog(jobId, { level: 'info', message: 'The job was queued.' });
    this.schedule();
    return outcome;
  }

  /**
   * Stops a queued or running job; jobs in other states are left alone. A running job's units
   * are stopped wherever they run. As the API defines, the status becomes `canceled` only when
   * partial results remain to download; a run publishes nothing until it is complete, so a
   * canceled job goes back to `created` (its log and usage tell what happened).
   */
  cancel(jobId: string): void {
    const run = this.active.get(jobId);
    if (run) {
      const usage = this.usageOf(run);
      const progress = this.store.get(jobId)?.progress ?? 0;
      const entry: NewLogEntry = {
        level: 'info',
        message: `The job was canceled by the user at ${progress}% and its computation was stopped; no partial results are kept.`,
        usage,
      };
      if (this.store.markStopped(jobId, 'created', entry, usage)) this.endRun(run);
    } else {
      this.store.markStopped(jobId, 'created', { level: 'info', message: 'The job was taken out of the queue before it started.' });
    }
    this.schedule();
  }

  /** Cancels the job if needed and removes it with every file. */
  delete(jobId: string): void {
    this.cancel(jobId);
    this.store.delete(jobId);
    this.files.removeJob(jobId);
  }

  /** Starts queued jobs while there are free slots; tried again shortly when the database is busy. */
  private schedule(): void {
    if (!this.started || !this.ready || this.stopping) return;
    try {
      this.startQueued();
    } catch (error) {
      // Called from executor reports and timers too, where a thrown error would end the server.
      this.logger.warn({ err: error }, 'could not start queued jobs; trying again shortly');
      setTimeout(() => this.schedule(), 1000).unref();
    }
  }

  private startQueued(): void {
    while (this.active.size < this.maxConcurrent) {
      const job = this.store.nextQueued();
      if (!job) return;
      if (!this.store.markRunning(job.id)) continue;
      try {
        this.launch(job);
      } catch (error) {
        this.logger.error({ err: error, job: job.id }, 'could not start a job');
        const code = storageFailureKind(error) ? 'StorageFailure' : 'Internal';
        this.store.markStopped(job.id, 'error', { level: 'error', code, message: `The job could not be started: ${(error as Error).message}` });
      }
    }
  }

  private launch(job: JobRecord): void {
    const runDir = this.files.newRunDir(job.id);
    const relative = path.relative(this.config.dataDir, runDir).split(path.sep).join('/');
    const state = newRunState(randomUUID(), relative, mayRunInBlocks(job.process));
    this.runStates.put(job.id, state);
    const run = this.attach(job, state, Date.now());
    this.store.addLog(job.id, { level: 'info', message: 'The job started running.' });
    this.submit(run, firstUnits(state));
  }

  /** Tracks a run and its time limit (counted from when it started, also across a restart). */
  private attach(job: JobRecord, state: RunState, startedAt: number, progress = 0): ActiveRun {
    const run: ActiveRun = { job, state, startedAt, progress };
    this.active.set(job.id, run);
    const limit = this.config.jobs.maxRunSeconds;
    const left = Math.max(0, limit * 1000 - (Date.now() - startedAt));
    run.timer = setTimeout(() => {
      this.fail(run, { level: 'error', code: 'Internal', message: `The job exceeded the maximum run time of ${limit} seconds and was stopped.` });
    }, left);
    run.timer.unref?.();
    return run;
  }

  private submit(run: ActiveRun, submissions: Submission[]): void {
    if (submissions.length === 0) return;
    const caller = this.runs.callerOf(run.job.userId);
    const userProcesses = reachableUserProcesses(run.job.process.process_graph, caller.userProcesses);
    for (const { unitId, spec } of submissions) {
      const task: UnitTask = {
        jobId: run.job.id,
        runId: run.state.runId,
        unitId,
        spec,
        runDir: run.state.runDir,
        user: caller.user,
        userProcesses,
        process: run.job.process,
        logLevel: run.job.logLevel,
      };
      this.executor.submit(task).catch((error) => {
        this.logger.error({ err: error, job: run.job.id }, 'could not hand a job unit to the executor');
        this.fail(run, { level: 'error', code: 'Internal', message: `The job could not be handed to a worker: ${(error as Error).message}` });
      });
    }
  }

  private onReport(envelope: ReportEnvelope): void {
    const run = this.active.get(envelope.jobId);
    // Reports of an earlier run of the job, of a unit no longer expected, or of an attempt that
    // was given up on (an older fencing token) change nothing: their files are never used.
    if (!run || run.state.runId !== envelope.runId || !isCurrent(run.state, envelope.unitId)) return;
    if (!admits(run.state, envelope.unitId, envelope.token)) return;
    const { report } = envelope;
    try {
      switch (report.type) {
        case 'started':
          this.runStates.put(run.job.id, run.state);
          break;
        case 'log':
          this.store.addLog(run.job.id, report.entry);
          break;
        case 'progress':
          if (run.state.phase === 'whole' || run.state.phase === 'plan') this.showProgress(run, report.value);
          break;
        case 'failed':
          addUsage(run.state, report.usage, report.inputPixels);
          this.fail(run, report.entry);
          break;
        case 'done': {
          addUsage(run.state, report.usage, report.inputPixels);
          const step = advance(run.state, envelope.unitId, report.result);
          if (step.publish) {
            this.finish(run, step.publish);
            break;
          }
          this.runStates.put(run.job.id, run.state);
          if (step.progress !== undefined) this.showProgress(run, step.progress);
          this.submit(run, step.submit);
          break;
        }
      }
    } catch (error) {
      // A log line or progress value lost while another program holds the database is not worth the job.
      if (isDatabaseBusy(error) && (report.type === 'log' || report.type === 'progress' || report.type === 'started')) {
        this.logger.warn({ job: run.job.id }, 'database busy: a job log entry or progress update was dropped');
        return;
      }
      // A store failure must not take the server down; the job ends as failed.
      this.logger.error({ err: error, job: run.job.id }, 'could not record a job report');
      this.fail(run, { level: 'error', code: 'StorageFailure', message: 'The job state could not be stored.' });
    }
  }

  private showProgress(run: ActiveRun, value: number): void {
    const shown = Math.max(0, Math.min(99, value));
    if (shown <= run.progress) return;
    run.progress = shown;
    this.store.setProgress(run.job.id, shown);
  }

  /** Publishes the finished output folder, then marks the job finished (files first, so finished always means served). */
  private finish(run: ActiveRun, published: Extract<UnitResult, { kind: 'outputs' }>): void {
    const jobId = run.job.id;
    const storage = published.outputs.reduce((s, o) => s + o.size, 0);
    const usage = this.usageOf(run, storage);
    try {
      this.files.publish(jobId, path.resolve(this.config.dataDir, published.dir));
    } catch (error) {
      this.logger.error({ err: error, job: jobId }, 'could not publish job results');
      this.fail(run, {
        level: 'error',
        code: 'StorageFailure',
        message: `The results could not be stored: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return;
    }
    const durationSeconds = (Date.now() - run.startedAt) / 1000;
    this.endRun(run);
    this.persist(jobId, () => {
      const finished = this.store.markFinished(
        jobId,
        { usage, outputs: published.outputs, timeRange: published.timeRange, inputPixels: run.state.usage.inputPixels, durationSeconds },
        { level: 'info', message: `The job finished: ${published.outputs.length} file(s) published.`, usage },
      );
      // Canceled or deleted meanwhile: the files belong to nobody.
      if (!finished) this.files.removeResults(jobId);
    });
  }

  /** Ends a run as failed: its other units are stopped, the job becomes `error` with the reason in its log. */
  private fail(run: ActiveRun, entry: NewLogEntry): void {
    if (this.active.get(run.job.id) !== run) return;
    const usage = this.usageOf(run);
    this.endRun(run);
    this.persist(run.job.id, () => this.store.markStopped(run.job.id, 'error', entry, usage));
  }

  /** Forgets a run: stops whatever of it still runs and removes its folder. */
  private endRun(run: ActiveRun): void {
    run.state.phase = 'ended';
    if (run.timer) clearTimeout(run.timer);
    if (this.active.get(run.job.id) === run) this.active.delete(run.job.id);
    this.executor.cancel(run.job.id, run.state.runId).catch((error) => this.logger.warn({ err: error, job: run.job.id }, 'could not stop the units of a job'));
    try {
      this.runStates.remove(run.job.id);
    } catch (error) {
      this.logger.warn({ err: error, job: run.job.id }, 'could not forget the course of a job');
    }
    fs.rmSync(path.resolve(this.config.dataDir, run.state.runDir), { recursive: true, force: true });
    setImmediate(() => this.schedule());
  }

  /**
   * Records how a run ended. While another program holds the database the write is retried for
   * up to a minute, so a job does not stay `running` after its units are gone, and a lock never
   * throws out of an executor report (which would end the server). A restart recovers what is left.
   */
  private persist(jobId: string, write: () => void, attempt = 0): void {
    try {
      write();
    } catch (error) {
      if (isDatabaseBusy(error) && attempt < 60 && !this.stopping) {
        this.logger.warn({ job: jobId, attempt }, 'database busy: recording the end of the job again shortly');
        setTimeout(() => this.persist(jobId, write, attempt + 1), 1000).unref();
        return;
      }
      this.logger.error({ err: error, job: jobId }, 'could not record the end of a job');
    }
  }

  /** Usage as the API reports it: wall time, CPU and memory of every unit, input pixels, storage. */
  private usageOf(run: ActiveRun, storageBytes?: number): Usage {
    const sums = run.state.usage;
    const usage: Usage = {
      duration: { value: Math.round((Date.now() - run.startedAt) / 100) / 10, unit: 'seconds' },
      memory: { value: Math.round(sums.memoryMbSeconds * 10) / 10, unit: 'mb-seconds' },
    };
    if (sums.cpuSeconds > 0) usage.cpu = { value: Math.round(sums.cpuSeconds * 1000) / 1000, unit: 'cpu-seconds' };
    if (sums.peakMb > 0) usage.peak_memory = { value: Math.round(sums.peakMb * 10) / 10, unit: 'mb' };
    usage.input_pixels = { value: sums.inputPixels, unit: 'pixels' };
    if (storageBytes !== undefined) usage.storage = { value: storageBytes, unit: 'b' };
    return usage;
  }

  /** Deletes result files of finished jobs past the retention time (metadata is kept) and folders of deleted jobs. */
  housekeeping(): void {
    try {
      const days = this.config.jobs.resultRetentionDays;
      if (days > 0) {
        const cutoff = new Date(Date.now() - days * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        for (const job of this.store.finishedBefore(cutoff)) {
          this.files.removeResults(job.id);
          this.store.markResultsExpired(job.id);
          this.store.addLog(job.id, { level: 'info', message: `The result files were deleted after the retention time of ${days} day(s).` });
        }
      }
      if (fs.existsSync(this.files.root)) {
        const known = this.store.allIds();
        for (const entry of fs.readdirSync(this.files.root, { withFileTypes: true })) {
          if (entry.isDirectory() && !known.has(entry.name) && !this.active.has(entry.name)) this.files.removeJob(entry.name);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'job housekeeping failed');
    }
  }
}
