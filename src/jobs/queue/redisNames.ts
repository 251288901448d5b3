/**
 * Where the `bullmq` runner keeps things in Redis: the two BullMQ queues (units of work for the
 * workers, reports for the API server) and a few plain keys beside them, all under
 * `jobs.bullmq.prefix` so several back-ends can share one Redis.
 */
import os from 'node:os';
import { missingRedisUrl } from '../../config/load';
import type { BullmqConfig, Config } from '../../config/types';

/** Units of work: one BullMQ job per attempt-able unit, taken by `npm run worker`. */
export const UNITS_QUEUE = 'units';
/** Reports of every attempt, consumed in order by the API server. */
export const REPORTS_QUEUE = 'reports';

/** How long the marks of a run (cancelled, its queued units) outlive it. */
export const RUN_MARK_SECONDS = 24 * 3600;
/** Fencing counters are kept this long after their last attempt. */
export const TOKEN_SECONDS = 7 * 24 * 3600;

export interface QueueSettings {
  /** What BullMQ makes its connections from. */
  connection: { url: string };
  /** BullMQ's key prefix. */
  prefix: string;
  lockMs: number;
  /** How often workers look for units whose holder stopped renewing its lock. */
  stalledIntervalMs: number;
}

/** The Redis URL of the `bullmq` runner; a clear configuration error when it is missing. */
export function queueSettings(config: Config): QueueSettings {
  const bullmq: BullmqConfig = config.jobs.bullmq;
  if (!bullmq.redisUrl) throw missingRedisUrl();
  const lockMs = Math.round(bullmq.lockSeconds * 1000);
  return { connection: { url: bullmq.redisUrl }, prefix: bullmq.prefix, lockMs, stalledIntervalMs: Math.max(500, Math.round(lockMs / 2)) };
}

/** Plain keys and the channel beside the queues. */
export function runnerKeys(prefix: string) {
  return {
    /** INCR gives each attempt at a unit its fencing token. */
    token: (jobId: string, unitId: string) => `${prefix}:unit-token:${jobId}:${unitId}`,
    /** Exists once the run was cancelled: workers skip or kill its units. */
    cancelled: (jobId: string, runId: string) => `${prefix}:cancelled:${jobId}:${runId}`,
    /** BullMQ ids of the run's units, so a cancel can take the waiting ones out of the queue. */
    runUnits: (jobId: string, runId: string) => `${prefix}:run-units:${jobId}:${runId}`,
    /** Cancels are announced here (JSON {jobId, runId}). */
    cancelChannel: `${prefix}:cancel`,
  };
}

export interface CancelMessage {
  jobId: string;
  runId: string;
}

/** Units one worker process runs at once: the setting, or the cores but one (at least one). */
export function workerConcurrency(config: Config): number {
  return config.jobs.bullmq.workerConcurrency ?? Math.max(1, os.cpus().length - 1);
}

/** How a worker process names itself in reports, logs and `npm run jobs -- status`. */
export function hostId(): string {
  return `${os.hostname()}:${process.pid}`;
}
