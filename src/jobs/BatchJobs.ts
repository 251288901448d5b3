/**
 * The façade of batch jobs for the routes: what a user may do with their jobs. The store, the
 * file layout, the link signer and the process manager stay behind it.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { Db } from '../store/database';
import { OpenEOError } from '../errors/OpenEOError';
import { JobStore } from './JobStore';
import { JobFiles } from './jobFiles';
import { ResultLinks } from './resultLinks';
import { type ExecutorFactory, type JobRuns, ProcessManager, defaultWorkerPath } from './ProcessManager';
import { RunStateStore } from './RunStateStore';
import { LocalExecutor, defaultSlots } from './units/LocalExecutor';
import { QueueExecutor } from './queue/QueueExecutor';
import { resultsDocument } from './stacResults';
import { type JobEstimate, estimateJob } from './estimate';
import type { JobChanges, JobRecord, LogEntry, LogLevel, OutputInfo } from './types';
import type { ProcessDocument } from '../processes/run';

export interface BatchJobsDeps {
  config: Config;
  db: Db;
  logger: Logger;
  catalog: Catalog;
  runs: JobRuns;
  /** The compiled worker script (tests of a broken worker give another). */
  workerPath?: string;
}

/** A result file a valid download link names, ready to send. */
export interface ResultFile {
  path: string;
  output: OutputInfo;
}

export class BatchJobs {
  private readonly store: JobStore;
  private readonly files: JobFiles;
  private readonly links: ResultLinks;
  private readonly manager: ProcessManager;

  constructor(private readonly deps: BatchJobsDeps) {
    const { config } = deps;
    this.store = new JobStore(deps.db);
    this.files = new JobFiles(config.dataDir);
    this.links = new ResultLinks(config.dataDir, config.publicUrl, config.jobs.resultLinkSeconds);
    const workerPath = deps.workerPath ?? defaultWorkerPath();
    const local: ExecutorFactory = (handler) => new LocalExecutor(config, deps.logger, handler, workerPath, defaultSlots(config.jobs.maxConcurrent));
    // Units in the Redis queue outlive this process, so the manager re-attaches to them after a restart.
    const remote = config.jobs.runner === 'bullmq';
    const queue: ExecutorFactory = (handler) => new QueueExecutor(config, deps.logger, handler);
    this.manager = new ProcessManager(config, this.store, this.files, deps.logger, deps.runs, new RunStateStore(deps.db), remote ? queue : local, remote);
  }

  /** Recovers interrupted jobs, then starts queued ones and housekeeping. */
  start(): void {
    this.manager.start();
  }

  /** Kills running workers; their jobs are recovered on the next start. */
  stop(): Promise<void> {
    return this.manager.stop();
  }

  /** Process ids of the running workers, by job id (for monitoring and tests). */
  workerPids(): Map<string, number | undefined> {
    return this.manager.workerPids();
  }

  /** Removes expired result files and folders of deleted jobs (also run hourly). */
  housekeeping(): void {
    this.manager.housekeeping();
  }

  /** Problems that stop a user's process from running as a job (as POST /result would see them). */
  problems(userId: string, process: Record<string, unknown>): OpenEOError[] {
    const { runs } = this.deps;
    return runs.validate(process as unknown as ProcessDocument, runs.callerOf(userId));
  }

  /** The job only if it belongs to the user: other users' jobs do not exist for them. */
  ownJob(jobId: string, userId: string): JobRecord | undefined {
    return this.store.getOwned(jobId, userId);
  }

  list(userId: string, page: Parameters<JobStore['list']>[1]): ReturnType<JobStore['list']> {
    return this.store.list(userId, page);
  }

  create(userId: string, fields: JobChanges & { process: Record<string, unknown> }): JobRecord {
    return this.store.create(userId, fields);
  }

  /** Applies changes unless the job is queued or running (then false). */
  update(jobId: string, changes: JobChanges): boolean {
    return this.store.update(jobId, changes);
  }

  /**
   * Queues a job unless it is queued or running already; refuses with 429 when its user has
   * `limits.jobsPerUser` jobs queued or running (checked in the same transaction as the queueing).
   */
  startJob(jobId: string): void {
    const limit = this.deps.config.limits.jobsPerUser;
    const outcome = this.manager.enqueue(jobId, limit);
    if (!outcome.queued && outcome.reason === 'limit') {
      throw new OpenEOError('TooManyRequests', {
        reason: `You already have ${outcome.active} batch jobs queued or running (limit ${limit}); start this one when one of them has finished, or cancel one.`,
      }).withHeader('Retry-After', '60');
    }
  }

  /** Stops a queued or running job. */
  cancel(jobId: string): void {
    this.manager.cancel(jobId);
  }

  /** Cancels the job if needed and removes it with every file. */
  delete(jobId: string): void {
    this.manager.delete(jobId);
  }

  /** Entries after the one with id `after`, at `minimum` level or above; all of them when `limit` is -1. */
  logs(jobId: string, after: number, minimum: LogLevel, limit: number): LogEntry[] {
    return this.store.logs(jobId, after, minimum, limit);
  }

  /** The most recent error entry of a job (what a failed job's results endpoint answers). */
  lastError(jobId: string): LogEntry | undefined {
    return this.store.lastError(jobId);
  }

  /** The STAC document of a finished job's results, with signed download links. */
  resultsDocument(job: JobRecord): Record<string, unknown> {
    return resultsDocument(job, this.links, this.deps.config.publicUrl);
  }

  /** Duration and size from the catalogue and the throughput of earlier jobs. */
  estimate(job: JobRecord): JobEstimate {
    return estimateJob(job.process, this.deps.catalog, this.store);
  }

  /**
   * The result file a download link names: refused when the signature is wrong or expired, not
   * found when the job has no such published file (any more).
   */
  resultFile(jobId: string, file: string, expires: unknown, signature: unknown): ResultFile {
    const verdict = this.links.check(jobId, file, expires, signature);
    if (verdict === 'invalid') throw new OpenEOError('PermissionsInsufficient', {}, 'This download link is not valid; request the job results again for valid links.');
    if (verdict === 'expired') throw new OpenEOError('ResultLinkExpired');
    const job = this.store.get(jobId);
    const output = job?.status === 'finished' && !job.resultsExpired ? job.outputs?.find((o) => o.file === file) : undefined;
    const absolute = output ? this.files.resolveResult(jobId, file) : undefined;
    if (!output || !absolute) throw new OpenEOError('FileNotFound', { file });
    return { path: absolute, output };
  }
}
