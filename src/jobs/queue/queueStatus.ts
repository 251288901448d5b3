/** What operators see of the `bullmq` runner (`npm run jobs -- status`): queues, workers, units per job. */
import { Queue } from 'bullmq';
import type { Config } from '../../config/types';
import type { UnitTask } from '../units/protocol';
import { REPORTS_QUEUE, UNITS_QUEUE, queueSettings } from './redisNames';
import type { UnitHold } from './workerHost';

export interface RunningUnitStatus {
  unitId: string;
  host?: string;
  token?: number;
  /** When the worker took it (ms since the epoch). */
  since?: number;
}

export interface QueueStatus {
  units: { waiting: number; active: number; delayed: number; failed: number };
  /** Reports not yet recorded by the API server. */
  reportsWaiting: number;
  /** Connected worker processes: their names (host:pid), address and seconds connected. */
  workers: Array<{ name: string; addr: string; ageSeconds: number }>;
  /** Running units by job id. */
  running: Record<string, RunningUnitStatus[]>;
}

/** BullMQ names a worker's connection `<queue's client name>:w:<worker name>`. */
function workerName(clientName: string): string {
  const at = clientName.indexOf(':w:');
  return at < 0 ? '(unnamed)' : clientName.slice(at + 3);
}

export async function queueStatus(config: Config): Promise<QueueStatus> {
  const { connection, prefix } = queueSettings(config);
  const units = new Queue<UnitTask>(UNITS_QUEUE, { connection, prefix });
  const reports = new Queue(REPORTS_QUEUE, { connection, prefix });
  try {
    const counts = await units.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    const workers = (await units.getWorkers()).map((w) => ({
      name: workerName(w.rawname ?? ''),
      addr: w.addr ?? '',
      ageSeconds: Number(w.age ?? 0),
    }));
    const running: Record<string, RunningUnitStatus[]> = {};
    for (const job of await units.getActive()) {
      const hold = (typeof job.progress === 'object' ? job.progress : {}) as Partial<UnitHold>;
      (running[job.data.jobId] ??= []).push({ unitId: job.data.unitId, host: hold.host, token: hold.token, since: job.processedOn });
    }
    return {
      units: { waiting: counts.waiting + counts.prioritized, active: counts.active, delayed: counts.delayed, failed: counts.failed },
      reportsWaiting: await reports.getWaitingCount(),
      workers,
      running,
    };
  } finally {
    await Promise.all([units.close(), reports.close()]);
  }
}
