import { ChildProcess, fork } from 'node:child_process';
import { residentMb } from '../childMemory';
import type { NewLogEntry, Usage } from '../types';
import type { UnitChildMessage, UnitStart } from './protocol';

export interface UnitProcessOptions {
  /** The compiled child entry (dist/jobs/worker.js). */
  workerPath: string;
  /** Resident memory limit of the child, and its heap limit. */
  maxMemoryMb: number;
  /** Every report of the child, in order; `done` and `failed` carry the memory the child used. */
  onReport: (report: UnitChildMessage) => void;
}

const POLL_MS = 250;

/**
 * One attempt at one unit in a child process of this host, with its memory limit: used by the
 * local runner inside the API server and by `npm run worker` on other hosts alike. Exactly one
 * final report (`done` or `failed`) reaches `onReport`, also when the child dies or is killed
 * for its memory; after `kill()` none does.
 */
export class UnitProcess {
  private readonly child: ChildProcess;
  private readonly poll: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private settled = false;
  private stderrTail = '';
  private memoryMbSeconds = 0;
  private peakMb = 0;
  private lastPoll = Date.now();
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;

  constructor(start: UnitStart, private readonly options: UnitProcessOptions) {
    this.child = fork(options.workerPath, [], {
      execArgv: [`--max-old-space-size=${options.maxMemoryMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4' },
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    this.child.on('message', (message: UnitChildMessage) => this.onMessage(message));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', () => undefined);
    this.poll = setInterval(() => this.measure(), POLL_MS);
    this.child.send(start);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the attempt at once; no further report is made. */
  kill(): void {
    this.settled = true;
    clearInterval(this.poll);
    this.child.kill('SIGKILL');
  }

  private measure(): void {
    if (!this.child.pid || this.settled) return;
    const mb = residentMb(this.child.pid);
    const now = Date.now();
    if (mb !== undefined) {
      this.memoryMbSeconds += (mb * (now - this.lastPoll)) / 1000;
      this.peakMb = Math.max(this.peakMb, mb);
      if (mb > this.options.maxMemoryMb) {
        this.fail({
          level: 'error',
          code: 'Internal',
          message: `The job used ${Math.round(mb)} MB of memory, more than the limit of ${this.options.maxMemoryMb} MB, and was stopped.`,
        });
        this.child.kill('SIGKILL');
      }
    }
    this.lastPoll = now;
  }

  /** The child's usage with what this host measured of it. */
  private usage(fromChild: Usage): Usage {
    const usage: Usage = { ...fromChild, memory: { value: Math.round(this.memoryMbSeconds * 10) / 10, unit: 'mb-seconds' } };
    if (!usage.duration) usage.duration = { value: Math.round((Date.now() - this.startedAt) / 100) / 10, unit: 'seconds' };
    const peak = Math.max(this.peakMb, fromChild.peak_memory?.value ?? 0);
    if (peak > 0) usage.peak_memory = { value: Math.round(peak * 10) / 10, unit: 'mb' };
    return usage;
  }

  private fail(entry: NewLogEntry, inputPixels = 0, fromChild: Usage = {}): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.poll);
    this.options.onReport({ type: 'failed', entry, inputPixels, usage: this.usage(fromChild) });
  }

  private onMessage(message: UnitChildMessage): void {
    if (this.settled) return;
    if (message.type === 'done') {
      this.settled = true;
      clearInterval(this.poll);
      this.options.onReport({ ...message, usage: this.usage(message.usage) });
    } else if (message.type === 'failed') {
      this.fail(message.entry, message.inputPixels, message.usage);
    } else {
      this.options.onReport(message);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const reason = signal ? `was killed by signal ${signal}` : `ended with exit code ${code}`;
    const outOfMemory = /heap out of memory|Allocation failed/i.test(this.stderrTail);
    this.fail({
      level: 'error',
      code: 'Internal',
      message: outOfMemory
        ? `The job ran out of memory (limit ${this.options.maxMemoryMb} MB) and was stopped.`
        : `The job's worker process ${reason} before it reported a result.`,
    });
  }

  /** The end of the child's error output, for the host's own log when it died. */
  get stderr(): string {
    return this.stderrTail;
  }
}
