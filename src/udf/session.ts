/**
 * One sandboxed interpreter for one run: calls go to it one at a time over its stdin/stdout
 * (frames of a 4-byte little-endian length, a JSON header and raw float64 values), its stderr
 * (the user's prints) goes to the run's log. A call that outlasts the wall-clock limit, or an
 * interpreter that dies or breaks the protocol, kills the whole sandbox and fails the call.
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { ProcessException } from '../errors/ProcessException';
import { SandboxLimits, WORKER_SCRIPT, sandboxArgv } from './sandbox';

export interface UdfLimits extends SandboxLimits {
  timeoutSeconds: number;
}

export interface Frame {
  header: Record<string, unknown>;
  payload: Buffer;
}

/** A header larger than this is not ours: the protocol is broken. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** The user's prints logged per interpreter, at most. */
const MAX_STDERR_LOG_BYTES = 256 * 1024;
/** inspect() messages logged per interpreter, at most. */
const MAX_INSPECT_ENTRIES = 1000;

export function udfError(message: string): ProcessException {
  return new ProcessException('UdfError', message);
}

export function encodeFrame(header: Record<string, unknown>, payload: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify({ ...header, bytes: payload.length }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length, 0);
  return Buffer.concat([length, json, payload]);
}

/**
 * Cuts the byte stream into frames, whatever the chunking. Chunks are joined only once a frame's
 * part is complete, so a large payload costs one copy, not one per chunk.
 */
class FrameReader {
  private chunks: Buffer[] = [];
  private total = 0;
  /** Bytes needed before the next step can be taken (4 for the length, then header, then payload). */
  private needed = 4;
  private header?: Record<string, unknown>;

  constructor(private readonly maxPayload: number) {}

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.total = all.length - n;
    return all.subarray(0, n);
  }

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.total += chunk.length;
    const frames: Frame[] = [];
    while (this.total >= this.needed) {
      if (!this.header && this.needed === 4) {
        const length = this.take(4).readUInt32LE(0);
        if (length > MAX_HEADER_BYTES) throw new Error('the UDF worker sent a malformed frame');
        this.needed = length;
      } else if (!this.header) {
        const header = JSON.parse(this.take(this.needed).toString('utf8')) as Record<string, unknown>;
        const bytes = Number(header.bytes ?? 0);
        if (!Number.isInteger(bytes) || bytes < 0 || bytes > this.maxPayload) throw new Error('the UDF worker sent a malformed frame');
        this.header = header;
        this.needed = bytes;
      } else {
        frames.push({ header: this.header, payload: Buffer.from(this.take(this.needed)) });
        this.header = undefined;
        this.needed = 4;
      }
    }
    return frames;
  }
}

const LOG_LEVELS: Record<string, 'debug' | 'info' | 'warn' | 'error'> = { debug: 'debug', info: 'info', warning: 'warn', error: 'error' };

export class UdfSession {
  private child?: ChildProcess;
  private reader: FrameReader;
  private pending?: { resolve: (f: Frame) => void; reject: (e: Error) => void };
  private queue: Promise<unknown> = Promise.resolve();
  private failure?: Error;
  private stderrLogged = 0;
  private inspected = 0;
  private stderrLine = '';

  constructor(
    private readonly limits: UdfLimits,
    private readonly logger: Logger,
  ) {
    this.reader = new FrameReader(limits.memoryMegabytes * 1024 * 1024);
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  private start(): ChildProcess {
    const argv = sandboxArgv(this.limits, [WORKER_SCRIPT]);
    // detached: the sandbox is its own process group, killed as a whole.
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.onStderr(chunk));
    child.stdin!.on('error', () => undefined);
    child.on('error', (error) => this.fail(udfError(`The UDF runtime could not start: ${error.message}`)));
    child.on('exit', (code, signal) => this.fail(udfError(exitMessage(code, signal))));
    // A run waiting for an answer keeps the server busy anyway; an idle sandbox must not keep Node alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    return child;
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.kill(udfError(`The UDF broke the data exchange with the server (${(error as Error).message}).`));
      return;
    }
    for (const frame of frames) {
      const log = frame.header.log as { level?: string; message?: string; data?: unknown; code?: string } | undefined;
      if (log) {
        this.inspected++;
        if (this.inspected === MAX_INSPECT_ENTRIES + 1) this.logger.warn({ udf: true }, `more than ${MAX_INSPECT_ENTRIES} inspect messages; the rest are left out`);
        if (this.inspected > MAX_INSPECT_ENTRIES) continue;
        const level = LOG_LEVELS[String(log.level)] ?? 'info';
        this.logger[level]({ udf: true, data: log.data, code: log.code }, log.message || 'inspect');
      } else if (frame.header.ready) {
        // The worker announces itself before the first request.
      } else if (this.pending) {
        const { resolve } = this.pending;
        this.pending = undefined;
        resolve(frame);
      }
    }
  }

  private onStderr(chunk: Buffer): void {
    const text = this.stderrLine + chunk.toString('utf8');
    const lines = text.split('\n');
    this.stderrLine = lines.pop() ?? '';
    for (const line of lines) this.logPrint(line);
  }

  private logPrint(line: string): void {
    if (this.stderrLogged > MAX_STDERR_LOG_BYTES) return;
    this.stderrLogged += line.length;
    this.logger.info({ udf: true }, this.stderrLogged > MAX_STDERR_LOG_BYTES ? 'UDF output: (more output left out)' : `UDF output: ${line}`);
  }

  private fail(error: Error): void {
    if (this.stderrLine) this.logPrint(this.stderrLine);
    this.stderrLine = '';
    this.failure ??= error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.failure);
  }

  /** Ends the sandbox and everything in it; further calls fail with `reason`. */
  kill(reason: Error = udfError('The UDF runtime was closed.')): void {
    this.fail(reason);
    const pid = this.child?.pid;
    if (pid !== undefined && this.child?.exitCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Sends one request and waits for its answer (calls queue up: the worker does one at a time). */
  call(header: Record<string, unknown>, payload: Buffer): Promise<Frame> {
    const next = this.queue.then(() => this.send(header, payload));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send(header: Record<string, unknown>, payload: Buffer): Promise<Frame> {
    if (this.failure) return Promise.reject(this.failure);
    const child = this.child ?? this.start();
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.logger.error({ udf: true }, `UDF call stopped after ${this.limits.timeoutSeconds} s`);
        this.kill(udfError(`The UDF did not finish within ${this.limits.timeoutSeconds} seconds (udf.timeoutSeconds) and was stopped.`));
      }, this.limits.timeoutSeconds * 1000);
      this.pending = {
        resolve: (frame) => (clearTimeout(timer), resolve(frame)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      child.stdin!.write(encodeFrame(header, payload));
    });
  }
}

/** bwrap reports a child killed by signal n as exit code 128 + n. */
const SIGNALS_BY_NUMBER: Record<number, NodeJS.Signals> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

function exitMessage(code: number | null, exitSignal: NodeJS.Signals | null): string {
  const signal = exitSignal ?? (code !== null && code > 128 ? SIGNALS_BY_NUMBER[code - 128] ?? null : null);
  if (signal === 'SIGXCPU') return 'The UDF used more CPU time than allowed (udf.cpuSeconds) and was stopped.';
  if (signal === 'SIGKILL' || signal === 'SIGSEGV' || signal === 'SIGABRT') return `The UDF process was killed (${signal}), e.g. for exceeding its memory limit (udf.memoryMegabytes).`;
  if (signal === 'SIGXFSZ') return 'The UDF wrote a file larger than allowed and was stopped.';
  return `The UDF process ended unexpectedly (${signal ?? `exit code ${code}`}).`;
}
