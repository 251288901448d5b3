/**
 * The API server's side of the `bullmq` runner: units go into a BullMQ queue that workers on any
 * host take from (`npm run worker`), and every report of every attempt comes back through a
 * second queue that this process alone consumes, one at a time and in order, so the API server
 * stays the only writer of its database. Both queues live in Redis, so a restarted server picks
 * up the reports of work that went on without it.
 */
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/types';
import type { ReportEnvelope, ReportHandler, UnitExecutor, UnitTask } from '../units/protocol';
import { type CancelMessage, type QueueSettings, REPORTS_QUEUE, RUN_MARK_SECONDS, UNITS_QUEUE, queueSettings, runnerKeys } from './redisNames';

/** Units are kept once BullMQ gave up on them, until their failure has been reported. */
const UNIT_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: false } as const;
/** Reports are gone once handled; a few failed ones stay for inspection. */
export const REPORT_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 } as const;

export class QueueExecutor implements UnitExecutor {
  private readonly settings: QueueSettings;
  private readonly keys: ReturnType<typeof runnerKeys>;
  private readonly units: Queue<UnitTask>;
  private readonly reports: Queue<ReportEnvelope>;
  private readonly redis: Redis;
  private reportWorker?: Worker<ReportEnvelope>;
  private unitEvents?: QueueEvents;
  /** Failures of units BullMQ gave up on are reported one after another. */
  private givingUp: Promise<void> = Promise.resolve();

  constructor(
    config: Config,
    private readonly logger: Logger,
    private readonly handler: ReportHandler,
  ) {
    this.settings = queueSettings(config);
    this.keys = runnerKeys(this.settings.prefix);
    const { connection, prefix } = this.settings;
    this.units = new Queue(UNITS_QUEUE, { connection, prefix, defaultJobOptions: UNIT_JOB_OPTIONS });
    this.reports = new Queue(REPORTS_QUEUE, { connection, prefix, defaultJobOptions: REPORT_JOB_OPTIONS });
    this.redis = new Redis(connection.url, { maxRetriesPerRequest: null });
    for (const emitter of [this.units, this.reports, this.redis]) emitter.on('error', (err: Error) => this.connectionTrouble(err));
  }

  private connectionTrouble(err: Error): void {
    this.logger.warn({ err: err.message }, 'job queue: Redis connection problem (retrying)');
  }

  async start(): Promise<void> {
    const { connection, prefix, lockMs, stalledIntervalMs } = this.settings;
    await Promise.all([this.units.waitUntilReady(), this.reports.waitUntilReady()]);
    await this.requeueOrphanedReports();
    this.unitEvents = new QueueEvents(UNITS_QUEUE, { connection, prefix });
    this.unitEvents.on('error', (err) => this.connectionTrouble(err));
    this.unitEvents.on('failed', ({ jobId }) => this.giveUp(jobId));
    this.reportWorker = new Worker<ReportEnvelope>(REPORTS_QUEUE, async (job) => this.deliver(job), {
      connection,
      prefix,
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount: 1000,
    });
    this.reportWorker.on('error', (err) => this.connectionTrouble(err));
    await Promise.all([this.unitEvents.waitUntilReady(), this.reportWorker.waitUntilReady()]);
    // Units that failed while no server listened for it.
    for (const job of await this.units.getFailed()) if (job.id) this.giveUp(job.id);
    await this.givingUp;
    this.logger.info({ prefix }, 'job queue: consuming reports from Redis');
  }

  /**
   * Reports this process was handling when it last stopped are still held in its name: they go
   * back to the front of the queue, oldest first, before anything else is taken.
   */
  private async requeueOrphanedReports(): Promise<void> {
    const active = await this.reports.getActive();
    active.sort((a, b) => Number(b.id) - Number(a.id));
    for (const job of active) {
      const lock = (await this.redis.get(`${this.reports.toKey(job.id!)}:lock`)) ?? undefined;
      await (job as Job<ReportEnvelope>).moveToWait(lock);
    }
  }

  private deliver(job: Job<ReportEnvelope>): void {
    try {
      this.handler(job.data);
    } catch (err) {
      // Failing the report would not make it any better the second time; later ones must go on.
      this.logger.error({ err, jobId: job.data.jobId, unitId: job.data.unitId }, 'job queue: a unit report could not be recorded');
    }
  }

  /** BullMQ gave up on a unit (its workers stalled too often, or the worker failed it): its attempt failed. */
  private giveUp(bullId: string): void {
    this.givingUp = this.givingUp
      .then(async () => {
        const job = await this.units.getJob(bullId);
        if (!job || !(await job.isFailed())) return;
        const task = job.data;
        const token = Number((await this.redis.get(this.keys.token(task.jobId, task.unitId))) ?? 0);
        const envelope: ReportEnvelope = {
          jobId: task.jobId,
          runId: task.runId,
          unitId: task.unitId,
          token,
          report: {
            type: 'failed',
            entry: { level: 'error', code: 'Internal', message: `The work on part '${task.unitId}' of the job was given up: ${job.failedReason}` },
            inputPixels: 0,
            usage: {},
          },
        };
        // Reported before the unit is dropped: a crash in between reports it twice, never not at all.
        await this.reports.add('failed', envelope);
        await job.remove();
        this.logger.warn({ jobId: task.jobId, unitId: task.unitId, reason: job.failedReason }, 'job queue: a unit was given up');
      })
      .catch((err: unknown) => this.logger.error({ err }, 'job queue: could not report a unit that was given up'));
  }

  async submit(task: UnitTask): Promise<void> {
    const job = await this.units.add(task.unitId, task);
    const runUnits = this.keys.runUnits(task.jobId, task.runId);
    await this.redis.multi().sadd(runUnits, job.id!).expire(runUnits, RUN_MARK_SECONDS).exec();
  }

  async cancel(jobId: string, runId: string): Promise<void> {
    // Marked first: a worker taking one of the units from now on skips it.
    await this.redis.set(this.keys.cancelled(jobId, runId), '1', 'EX', RUN_MARK_SECONDS);
    const message: CancelMessage = { jobId, runId };
    await this.redis.publish(this.keys.cancelChannel, JSON.stringify(message));
    const runUnits = this.keys.runUnits(jobId, runId);
    // Running units are locked and stay (their workers kill them); the rest leave the queue.
    for (const id of await this.redis.smembers(runUnits)) await this.units.remove(id);
    await this.redis.del(runUnits);
  }

  async stop(): Promise<void> {
    await this.reportWorker?.close();
    await this.unitEvents?.close();
    await this.givingUp;
    await Promise.all([this.units.close(), this.reports.close()]);
    this.redis.disconnect();
  }
}
