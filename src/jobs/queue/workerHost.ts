/**
 * What `npm run worker` runs on each host: takes units from the Redis queue, runs each attempt
 * in a child process of this host (UnitProcess, with this host's data directory and limits) and
 * sends every report back through the reports queue with the attempt's fencing token. The
 * database stays the API server's: a worker writes only files into the shared run folders.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/types';
import { udfRuntime } from '../../udf/runtime';
import { defaultWorkerPath } from '../ProcessManager';
import { UnitProcess } from '../units/UnitProcess';
import type { ReportEnvelope, UnitReport, UnitTask } from '../units/protocol';
import { REPORT_JOB_OPTIONS } from './QueueExecutor';
import {
  type CancelMessage,
  type QueueSettings,
  REPORTS_QUEUE,
  TOKEN_SECONDS,
  UNITS_QUEUE,
  hostId,
  queueSettings,
  runnerKeys,
  workerConcurrency,
} from './redisNames';

/** How often running units are checked against the cancel marks, in case an announcement was missed. */
const CANCEL_POLL_MS = 1000;

/** What a unit's BullMQ job carries as its progress while it runs: who holds it, with which token. */
export interface UnitHold {
  host: string;
  token: number;
}

export interface WorkerHostOptions {
  /** The compiled unit child (dist/jobs/worker.js). */
  workerPath?: string;
}

interface RunningUnit {
  task: UnitTask;
  token: number;
  process: UnitProcess;
  /** Ends the processor's wait: the unit was cancelled. */
  cancelled: () => void;
}

export class WorkerHost {
  private readonly settings: QueueSettings;
  private readonly keys: ReturnType<typeof runnerKeys>;
  private readonly host = hostId();
  private readonly workerPath: string;
  private readonly reports: Queue<ReportEnvelope>;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly running = new Map<string, RunningUnit>();
  private worker?: Worker<UnitTask>;
  private cancelPoll?: NodeJS.Timeout;
  private udf: ReturnType<typeof udfRuntime> = null;
  /** Set when shutting down took too long: units still running go back to the queue. */
  private abandoning = false;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    options: WorkerHostOptions = {},
  ) {
    this.settings = queueSettings(config);
    this.keys = runnerKeys(this.settings.prefix);
    this.workerPath = options.workerPath ?? defaultWorkerPath();
    const { connection, prefix } = this.settings;
    this.reports = new Queue(REPORTS_QUEUE, { connection, prefix, defaultJobOptions: REPORT_JOB_OPTIONS });
    this.redis = new Redis(connection.url, { maxRetriesPerRequest: null });
    this.subscriber = new Redis(connection.url, { maxRetriesPerRequest: null });
    for (const emitter of [this.reports, this.redis, this.subscriber]) emitter.on('error', (err: Error) => this.connectionTrouble(err));
  }

  private connectionTrouble(err: Error): void {
    this.logger.warn({ err: err.message }, 'worker: Redis connection problem (retrying)');
  }

  async start(): Promise<void> {
    const { connection, prefix, lockMs, stalledIntervalMs } = this.settings;
    this.udf = this.config.udf.enabled ? udfRuntime() : null;
    await this.reports.waitUntilReady();
    this.subscriber.on('message', (_channel: string, text: string) => this.onCancel(text));
    await this.subscriber.subscribe(this.keys.cancelChannel);
    this.cancelPoll = setInterval(() => void this.pollCancels(), CANCEL_POLL_MS);
    const concurrency = workerConcurrency(this.config);
    this.worker = new Worker<UnitTask>(UNITS_QUEUE, (job, token) => this.process(job, token), {
      connection,
      prefix,
      name: this.host,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: stalledIntervalMs,
      // A unit whose workers die twice more goes on in no worker: its job fails with the reason.
      maxStalledCount: 2,
    });
    this.worker.on('error', (err) => this.connectionTrouble(err));
    await this.worker.waitUntilReady();
    this.logger.info({ host: this.host, concurrency, dataDir: this.config.dataDir, prefix, udf: this.udf !== null }, 'worker registered: taking units');
  }

  private async process(job: Job<UnitTask>, lockToken: string | undefined): Promise<void> {
    const task = job.data;
    const unit = { jobId: task.jobId, runId: task.runId, unitId: task.unitId };
    const tokenKey = this.keys.token(task.jobId, task.unitId);
    const [[, token]] = (await this.redis.multi().incr(tokenKey).expire(tokenKey, TOKEN_SECONDS).exec()) as [[null, number]];
    if (await this.redis.exists(this.keys.cancelled(task.jobId, task.runId))) {
      this.logger.info({ ...unit, token }, 'worker skipped a unit of a cancelled run');
      return;
    }
    const hold: UnitHold = { host: this.host, token };
    await job.updateProgress({ ...hold });

    // Reports of this attempt go out one after another; the unit ends only once all are stored.
    let outbox: Promise<unknown> = Promise.resolve();
    const forward = (report: UnitReport) => {
      const envelope: ReportEnvelope = { ...unit, token, report };
      outbox = outbox.then(() => this.reports.add(report.type, envelope));
    };
    forward({ type: 'started', host: this.host });
    this.logger.info({ ...unit, token, kind: task.spec.kind }, 'worker took a unit');

    const outcome = await new Promise<'done' | 'failed' | 'cancelled'>((resolve) => {
      const child = new UnitProcess(
        { type: 'start', task, config: this.config, udfRuntime: this.udf, catalogCache: this.catalogCache() },
        {
          workerPath: this.workerPath,
          maxMemoryMb: this.config.jobs.maxMemoryMb,
          onReport: (report) => {
            forward(report);
            if (report.type === 'done' || report.type === 'failed') resolve(report.type);
          },
        },
      );
      this.running.set(job.id!, { task, token, process: child, cancelled: () => resolve('cancelled') });
      child.exited.then(() => {
        if (child.stderr && !this.abandoning) this.logger.debug({ ...unit, stderr: child.stderr }, 'unit process error output');
      });
    }).finally(() => this.running.delete(job.id!));

    if (this.abandoning) {
      // Back to the front of the queue for another worker, with no stall counted against it.
      await job.moveToWait(lockToken);
      throw new WaitingError();
    }
    await outbox;
    this.logger.info({ ...unit, token, outcome }, 'worker ended a unit');
  }

  /**
   * The catalogue's description caches of this host's unit processes: a file of this host, so
   * the shared database is written by the API server alone and SQLite never works over NFS.
   */
  private catalogCache(): string {
    const dataDir = crypto.createHash('sha256').update(this.config.dataDir).digest('hex').slice(0, 16);
    return path.join(os.tmpdir(), 'openeo-worker', `catalog-${dataDir}.sqlite`);
  }

  private onCancel(text: string): void {
    let message: CancelMessage;
    try {
      message = JSON.parse(text) as CancelMessage;
    } catch {
      return;
    }
    for (const unit of this.running.values()) {
      if (unit.task.jobId === message.jobId && unit.task.runId === message.runId) this.kill(unit);
    }
  }

  /** A cancel announced while this worker's subscription was down is found by looking. */
  private async pollCancels(): Promise<void> {
    try {
      for (const unit of [...this.running.values()]) {
        if (await this.redis.exists(this.keys.cancelled(unit.task.jobId, unit.task.runId))) this.kill(unit);
      }
    } catch (err) {
      this.connectionTrouble(err as Error);
    }
  }

  private kill(unit: RunningUnit): void {
    unit.process.kill();
    unit.cancelled();
    this.logger.info({ jobId: unit.task.jobId, runId: unit.task.runId, unitId: unit.task.unitId, token: unit.token }, 'worker killed a unit of a cancelled run');
  }

  /**
   * Takes no more units and lets the running ones finish for `graceMs`; after that they are
   * killed and put back in the queue for other workers.
   */
  async stop(graceMs: number): Promise<void> {
    clearInterval(this.cancelPoll);
    if (this.worker) {
      const closing = this.worker.close();
      const grace = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([closing, grace])) === 'late') {
        this.logger.warn({ units: this.running.size }, 'worker: units still running after the grace period go back to the queue');
        this.abandoning = true;
        for (const unit of this.running.values()) {
          unit.process.kill();
          unit.cancelled();
        }
        await closing;
      }
    }
    await this.reports.close();
    this.redis.disconnect();
    this.subscriber.disconnect();
    this.logger.info({ host: this.host }, 'worker stopped');
  }
}
