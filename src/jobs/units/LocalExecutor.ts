import os from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config/types';
import { udfRuntime } from '../../udf/runtime';
import { UnitProcess } from './UnitProcess';
import type { ReportHandler, UnitExecutor, UnitTask } from './protocol';

interface Running {
  task: UnitTask;
  process: UnitProcess;
}

/**
 * The embedded runner: units run in child processes of the API server, at most `slots` at a
 * time, in the order they were submitted. Tokens count the attempts in this process.
 */
export class LocalExecutor implements UnitExecutor {
  private readonly queue: UnitTask[] = [];
  private readonly running = new Set<Running>();
  private nextToken = 1;
  private stopped = false;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly handler: ReportHandler,
    private readonly workerPath: string,
    readonly slots: number,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
  }

  async submit(task: UnitTask): Promise<void> {
    this.queue.push(task);
    this.pump();
  }

  async cancel(jobId: string, runId: string): Promise<void> {
    const mine = (t: UnitTask) => t.jobId === jobId && t.runId === runId;
    for (let i = this.queue.length - 1; i >= 0; i--) if (mine(this.queue[i])) this.queue.splice(i, 1);
    for (const run of [...this.running]) {
      if (!mine(run.task)) continue;
      run.process.kill();
      this.running.delete(run);
    }
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const run of this.running) run.process.kill();
    this.running.clear();
  }

  /** Process ids of running units, one per job (for monitoring and tests). */
  pids(): Map<string, number | undefined> {
    const pids = new Map<string, number | undefined>();
    for (const run of this.running) if (!pids.has(run.task.jobId)) pids.set(run.task.jobId, run.process.pid);
    return pids;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.slots && this.queue.length > 0) {
      const task = this.queue.shift()!;
      const token = this.nextToken++;
      const envelope = { jobId: task.jobId, runId: task.runId, unitId: task.unitId, token };
      this.handler({ ...envelope, report: { type: 'started', host: `${os.hostname()}:${process.pid}` } });
      let run: Running | undefined;
      try {
        const process = new UnitProcess(
          { type: 'start', task, config: this.config, udfRuntime: this.config.udf.enabled ? udfRuntime() : null },
          {
            workerPath: this.workerPath,
            maxMemoryMb: this.config.jobs.maxMemoryMb,
            onReport: (report) => {
              if (report.type === 'done' || report.type === 'failed') {
                if (run) this.running.delete(run);
                if (report.type === 'failed') this.logger.warn({ job: task.jobId, unit: task.unitId, stderr: run?.process.stderr }, 'job unit failed');
                setImmediate(() => this.pump());
              }
              this.handler({ ...envelope, report });
            },
          },
        );
        run = { task, process };
        this.running.add(run);
      } catch (error) {
        this.handler({ ...envelope, report: { type: 'failed', entry: { level: 'error', code: 'Internal', message: `The job could not be started: ${(error as Error).message}` }, inputPixels: 0, usage: {} } });
      }
    }
  }
}

/** Units that run at once by default: one core is left for the API. */
export function defaultSlots(configured: number | null): number {
  return configured ?? Math.max(1, os.availableParallelism() - 1);
}
