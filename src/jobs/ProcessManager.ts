import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import { isDatabaseBusy } from '../store/database';
import type { EnqueueOutcome, JobStore } from './JobStore';
import type { JobFiles } from './jobFiles';
import { residentMb } from './childMemory';
import { storageFailureKind } from '../store/storageErrors';
import { type ProcessDocument, type RunCaller, reachableUserProcesses } from '../processes/run';
import type { OpenEOError } from '../errors/OpenEOError';
import type { StartMessage, WorkerMessage } from './protocol';
import type { JobRecord, NewLogEntry, Usage } from './types';
import { udfRuntime } from '../udf/runtime';

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

interface RunningJob {
  jobId: string;
  child: ChildProcess;
  runDir: string;
  startedAt: number;
  timers: NodeJS.Timeout[];
  /** Set once the outcome is decided, so later events (exit after kill) change nothing. */
  settled: boolean;
  /** Why we killed the child, if we did. */
  killReason?: NewLogEntry;
  memoryMbSeconds: number;
  peakMb: number;
  stderrTail: string;
}

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Runs batch jobs: a persistent queue in SQLite, a child process per running job with time and
 * memory limits, recovery of interrupted jobs after a restart, and retention of result files.
 * Routes reach it only through the façade BatchJobs.
 */
export class ProcessManager {
  readonly maxConcurrent: number;
  private readonly running = new Map<string, RunningJob>();
  private housekeepingTimer?: NodeJS.Timeout;
  private started = false;
  private stopping = false;

  constructor(
    private readonly config: Config,
    private readonly store: JobStore,
    private readonly files: JobFiles,
    private readonly logger: Logger,
    private readonly runs: JobRuns,
    private readonly workerPath = defaultWorkerPath(),
  ) {
    this.maxConcurrent = config.jobs.maxConcurrent ?? Math.max(1, os.availableParallelism() - 1);
  }

  /** Recovers from an earlier shutdown or crash, then starts queued jobs and housekeeping. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.recover();
    this.housekeeping();
    this.housekeepingTimer = setInterval(() => this.housekeeping(), HOUSEKEEPING_INTERVAL_MS);
    this.housekeepingTimer.unref();
    this.schedule();
  }

  /** Kills running workers; their jobs are recovered (marked interrupted or re-queued) on the next start. */
  stop(): void {
    this.stopping = true;
    if (this.housekeepingTimer) clearInterval(this.housekeepingTimer);
    for (const run of this.running.values()) {
      run.settled = true;
      run.timers.forEach(clearTimeout);
      run.child.kill('SIGKILL');
    }
    this.running.clear();
  }

  /** Process ids of the running workers, by job id (for monitoring and tests). */
  workerPids(): Map<string, number | undefined> {
    return new Map([...this.running].map(([id, run]) => [id, run.child.pid]));
  }

  /** Jobs that were running when the server stopped are interrupted; half-written run folders go. */
  private recover(): void {
    for (const job of this.store.withStatus('running')) {
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
      this.files.removeStaleRuns();
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
   * Stops a queued or running job; jobs in other states are left alone. A running job's worker is
   * killed. As the API defines, the status becomes `canceled` only when partial results remain to
   * download; a run publishes nothing until it is complete, so a canceled job goes back to `created`
   * (its log and usage tell what happened).
   */
  cancel(jobId: string): void {
    const run = this.running.get(jobId);
    if (run) {
      const usage = this.usageOf(run, {});
      const progress = this.store.get(jobId)?.progress ?? 0;
      const entry: NewLogEntry = {
        level: 'info',
        message: `The job was canceled by the user at ${progress}% and its computation was stopped; no partial results are kept.`,
        usage,
      };
      if (this.store.markStopped(jobId, 'created', entry, usage)) this.kill(run);
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

  private kill(run: RunningJob): void {
    run.settled = true;
    run.timers.forEach(clearTimeout);
    run.child.kill('SIGKILL');
    this.running.delete(run.jobId);
    fs.rmSync(run.runDir, { recursive: true, force: true });
  }

  /** Starts queued jobs while there are free slots; tried again shortly when the database is busy. */
  private schedule(): void {
    if (!this.started || this.stopping) return;
    try {
      this.startQueued();
    } catch (error) {
      // Called from worker events and timers too, where a thrown error would end the server.
      this.logger.warn({ err: error }, 'could not start queued jobs; trying again shortly');
      setTimeout(() => this.schedule(), 1000).unref();
    }
  }

  private startQueued(): void {
    while (this.running.size < this.maxConcurrent) {
      const job = this.store.nextQueued();
      if (!job) return;
      if (!this.store.markRunning(job.id)) continue;
      try {
        this.launch(job);
      } catch (error) {
        this.logger.error({ err: error, job: job.id }, 'could not start a job worker');
        const code = storageFailureKind(error) ? 'StorageFailure' : 'Internal';
        this.store.markStopped(job.id, 'error', { level: 'error', code, message: `The job could not be started: ${(error as Error).message}` });
      }
    }
  }

  private launch(job: JobRecord): void {
    if (!fs.existsSync(this.workerPath)) throw new Error(`the job worker ${this.workerPath} is missing; build the server (npm run build)`);
    const runDir = this.files.newRunDir(job.id);
    const limits = this.config.jobs;
    const child = fork(this.workerPath, [], {
      execArgv: [`--max-old-space-size=${limits.maxMemoryMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4' },
    });
    const run: RunningJob = {
      jobId: job.id,
      child,
      runDir,
      startedAt: Date.now(),
      timers: [],
      settled: false,
      memoryMbSeconds: 0,
      peakMb: 0,
      stderrTail: '',
    };
    this.running.set(job.id, run);
    child.stderr?.on('data', (chunk: Buffer) => {
      run.stderrTail = (run.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    child.on('message', (message: WorkerMessage) => this.onMessage(run, message));
    child.on('exit', (code, signal) => this.onExit(run, code, signal));
    child.on('error', (error) => this.logger.warn({ err: error, job: job.id }, 'job worker error'));

    run.timers.push(
      setTimeout(() => {
        this.abort(run, {
          level: 'error',
          code: 'Internal',
          message: `The job exceeded the maximum run time of ${limits.maxRunSeconds} seconds and was stopped.`,
        });
      }, limits.maxRunSeconds * 1000),
    );
    let lastPoll = Date.now();
    const poll = setInterval(() => {
      if (!child.pid) return;
      const mb = residentMb(child.pid);
      const now = Date.now();
      if (mb !== undefined) {
        run.memoryMbSeconds += (mb * (now - lastPoll)) / 1000;
        run.peakMb = Math.max(run.peakMb, mb);
        if (mb > limits.maxMemoryMb) {
          this.abort(run, {
            level: 'error',
            code: 'Internal',
            message: `The job used ${Math.round(mb)} MB of memory, more than the limit of ${limits.maxMemoryMb} MB, and was stopped.`,
          });
        }
      }
      lastPoll = now;
    }, 250);
    run.timers.push(poll);

    const caller = this.runs.callerOf(job.userId);
    const start: StartMessage = {
      type: 'start',
      jobId: job.id,
      user: caller.user,
      userProcesses: reachableUserProcesses(job.process.process_graph, caller.userProcesses),
      process: job.process,
      logLevel: job.logLevel,
      workDir: runDir,
      config: this.config,
      udfRuntime: this.config.udf.enabled ? udfRuntime() : null,
    };
    child.send(start);
    this.store.addLog(job.id, { level: 'info', message: 'The job started running.' });
  }

  /** Ends a run because of a limit: the job becomes `error` with the reason in its log. */
  private abort(run: RunningJob, entry: NewLogEntry): void {
    if (run.settled) return;
    const usage = this.usageOf(run, {});
    this.kill(run);
    this.persist(run.jobId, () => this.store.markStopped(run.jobId, 'error', entry, usage));
    this.schedule();
  }

  private onMessage(run: RunningJob, message: WorkerMessage): void {
    if (run.settled) return;
    try {
      switch (message.type) {
        case 'log':
          this.store.addLog(run.jobId, message.entry);
          break;
        case 'progress':
          this.store.setProgress(run.jobId, Math.max(0, Math.min(99, message.value)));
          break;
        case 'done':
          this.finish(run, message);
          break;
        case 'failed': {
          run.settled = true;
          const usage = this.usageOf(run, message.usage, message.inputPixels);
          this.persist(run.jobId, () => this.store.markStopped(run.jobId, 'error', message.entry, usage));
          this.cleanUp(run);
          break;
        }
      }
    } catch (error) {
      // A log line or progress value lost while another program holds the database is not worth the job.
      if (isDatabaseBusy(error) && (message.type === 'log' || message.type === 'progress')) {
        this.logger.warn({ job: run.jobId }, 'database busy: a job log entry or progress update was dropped');
        return;
      }
      // A store failure must not take the server down; the job ends as failed.
      this.logger.error({ err: error, job: run.jobId }, 'could not record a job worker message');
      this.abort(run, { level: 'error', code: 'StorageFailure', message: 'The job state could not be stored.' });
    }
  }

  /** Publishes the completed run folder, then marks the job finished (files first, so finished always means served). */
  private finish(run: RunningJob, message: Extract<WorkerMessage, { type: 'done' }>): void {
    run.settled = true;
    const usage = this.usageOf(run, message.usage, message.inputPixels, message.outputs.reduce((s, o) => s + o.size, 0));
    try {
      this.files.publish(run.jobId, run.runDir);
    } catch (error) {
      this.logger.error({ err: error, job: run.jobId }, 'could not publish job results');
      const entry: NewLogEntry = {
        level: 'error',
        code: 'StorageFailure',
        message: `The results could not be stored: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      };
      this.persist(run.jobId, () => this.store.markStopped(run.jobId, 'error', entry, usage));
      this.cleanUp(run);
      return;
    }
    const durationSeconds = (Date.now() - run.startedAt) / 1000;
    this.persist(run.jobId, () => {
      const finished = this.store.markFinished(
        run.jobId,
        { usage, outputs: message.outputs, timeRange: message.timeRange, inputPixels: message.inputPixels, durationSeconds },
        { level: 'info', message: `The job finished: ${message.outputs.length} file(s) published.`, usage },
      );
      // Canceled or deleted meanwhile: the files belong to nobody.
      if (!finished) this.files.removeResults(run.jobId);
    });
    this.cleanUp(run);
  }

  private onExit(run: RunningJob, code: number | null, signal: NodeJS.Signals | null): void {
    if (!run.settled) {
      run.settled = true;
      const reason = signal ? `was killed by signal ${signal}` : `ended with exit code ${code}`;
      const outOfMemory = /heap out of memory|Allocation failed/i.test(run.stderrTail);
      const message = outOfMemory
        ? `The job ran out of memory (limit ${this.config.jobs.maxMemoryMb} MB) and was stopped.`
        : `The job's worker process ${reason} before it reported a result.`;
      this.logger.warn({ job: run.jobId, code, signal, stderr: run.stderrTail }, 'job worker ended unexpectedly');
      const usage = this.usageOf(run, {});
      this.persist(run.jobId, () => this.store.markStopped(run.jobId, 'error', { level: 'error', code: 'Internal', message }, usage));
    }
    this.cleanUp(run);
  }

  private cleanUp(run: RunningJob): void {
    run.timers.forEach((t) => clearTimeout(t));
    if (this.running.get(run.jobId) === run) this.running.delete(run.jobId);
    fs.rmSync(run.runDir, { recursive: true, force: true });
    if (run.child.exitCode === null && run.child.signalCode === null) {
      // The worker exits by itself after reporting; make sure it does.
      const reaper = setTimeout(() => run.child.kill('SIGKILL'), 5000);
      reaper.unref();
      run.child.once('exit', () => clearTimeout(reaper));
    }
    this.schedule();
  }

  /**
   * Records how a run ended. While another program holds the database the write is retried for
   * up to a minute, so a job does not stay `running` after its worker is gone, and a lock never
   * throws out of a worker event (which would end the server). A restart recovers what is left.
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

  /** Usage as the API reports it: wall time, CPU, memory over time, input pixels, storage. */
  private usageOf(run: RunningJob, fromWorker: Usage, inputPixels?: number, storageBytes?: number): Usage {
    const usage: Usage = {
      duration: { value: Math.round((Date.now() - run.startedAt) / 100) / 10, unit: 'seconds' },
      memory: { value: Math.round(run.memoryMbSeconds * 10) / 10, unit: 'mb-seconds' },
    };
    if (fromWorker.cpu) usage.cpu = fromWorker.cpu;
    const peak = Math.max(run.peakMb, fromWorker.peak_memory?.value ?? 0);
    if (peak > 0) usage.peak_memory = { value: Math.round(peak * 10) / 10, unit: 'mb' };
    if (inputPixels !== undefined) usage.input_pixels = { value: inputPixels, unit: 'pixels' };
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
          if (entry.isDirectory() && !known.has(entry.name) && !this.running.has(entry.name)) this.files.removeJob(entry.name);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'job housekeeping failed');
    }
  }
}
