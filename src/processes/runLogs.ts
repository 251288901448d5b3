/**
 * Logs of synchronous runs (POST /result), kept in memory for a while so the client can read
 * them through the `monitor` link. Batch jobs keep their logs in the job store instead.
 */
import { Writable } from 'node:stream';
import pino, { Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** One entry in the shape of the API's log entries. */
export interface RunLogEntry {
  id: string;
  code?: string;
  level: LogLevel;
  message: string;
  time: string;
  data?: unknown;
  path?: Array<{ node_id: string; process_id: string; parameter?: string }>;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warning', 'error'];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LEVELS as string[]).includes(value);
}

interface RunLog {
  runId: string;
  userId: string;
  /** Entries below this level are not kept (the request's `log_level`). */
  minLevel: LogLevel;
  created: number;
  entries: RunLogEntry[];
}

const PINO_LEVELS: Record<number, LogLevel> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'error' };
const MAX_ENTRIES_PER_RUN = 1000;

export class RunLogStore {
  private readonly logs = new Map<string, RunLog>();

  constructor(
    /** How many runs are kept; older ones are forgotten first. */
    private readonly capacity = 500,
    /** How long a run's log stays readable. */
    private readonly ttlMs = 24 * 3600 * 1000,
  ) {}

  open(runId: string, userId: string, minLevel: LogLevel = 'debug'): void {
    this.prune();
    this.logs.set(runId, { runId, userId, minLevel, created: Date.now(), entries: [] });
  }

  add(runId: string, entry: Omit<RunLogEntry, 'id' | 'time'> & { time?: string }): void {
    const log = this.logs.get(runId);
    if (!log || log.entries.length >= MAX_ENTRIES_PER_RUN) return;
    if (LEVELS.indexOf(entry.level) < LEVELS.indexOf(log.minLevel)) return;
    log.entries.push({ id: String(log.entries.length + 1), time: entry.time ?? new Date().toISOString(), ...entry });
  }

  /** The entries of a run, only for the user who started it. */
  entries(runId: string, userId: string, minLevel: LogLevel = 'debug'): RunLogEntry[] | undefined {
    const log = this.logs.get(runId);
    if (!log || log.userId !== userId || Date.now() - log.created > this.ttlMs) return undefined;
    return log.entries.filter((e) => LEVELS.indexOf(e.level) >= LEVELS.indexOf(minLevel));
  }

  /** A pino logger whose lines become entries of the run (and also go to the server log at debug). */
  logger(runId: string, serverLogger: Logger): Logger {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        try {
          const { level, msg, time, code, data } = JSON.parse(chunk.toString('utf8'));
          this.add(runId, {
            level: PINO_LEVELS[level as number] ?? 'info',
            message: String(msg ?? ''),
            time: new Date(time as number).toISOString(),
            ...(typeof code === 'string' ? { code } : {}),
            ...(data !== undefined ? { data } : {}),
          });
        } catch {
          // A line we cannot parse is not worth failing a run for.
        }
        done();
      },
    });
    const runLogger = pino({ level: 'debug', base: undefined }, sink);
    serverLogger.debug({ runId }, 'synchronous run started');
    return runLogger;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, log] of this.logs) if (now - log.created > this.ttlMs) this.logs.delete(id);
    while (this.logs.size >= this.capacity) {
      const oldest = this.logs.keys().next().value as string;
      this.logs.delete(oldest);
    }
  }
}
