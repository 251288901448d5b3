/**
 * The one log model of process-graph runs: openEO levels, entries, how a pino line becomes an
 * entry, and the `level` query parameter of the log endpoints. Synchronous runs keep their
 * entries here in memory for a while (the `monitor` link of POST /result); batch jobs store
 * theirs in the job store, in the same shape.
 */
import { Writable } from 'node:stream';
import pino, { Logger } from 'pino';
import { OpenEOError } from '../errors/OpenEOError';

/** openEO log levels, from least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when an entry of `level` passes a minimum of `minimum`. */
export function levelAtLeast(level: LogLevel, minimum: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minimum);
}

export interface UsageMetric {
  value: number;
  unit: string;
}
export type Usage = Record<string, UsageMetric>;

/** One step in a log entry's `path`: the node that logged, then its parents. */
export interface LogPathStep {
  node_id: string;
  process_id?: string;
  namespace?: string | null;
  parameter?: string | null;
}

/** A log entry before it is stored (the store assigns id and time). */
export interface NewLogEntry {
  level: LogLevel;
  message: string;
  code?: string;
  path?: LogPathStep[];
  data?: unknown;
  usage?: Usage;
  /** RFC 3339; the store uses the current time when absent. */
  time?: string;
}

export interface LogEntry extends NewLogEntry {
  id: string;
  time: string;
}

/**
 * The minimum level a log request asks for (`?level=`), or `fallback` when it asks for none.
 * Anything else is the client's mistake.
 */
export function requestedLogLevel(value: unknown, fallback: LogLevel = 'debug'): LogLevel {
  if (value === undefined || value === '') return fallback;
  if (!isLogLevel(value)) throw new OpenEOError('BadRequest', { reason: `'level' must be one of ${[...LOG_LEVELS].reverse().join(', ')}` });
  return value;
}

/** pino's numeric levels to openEO's. */
export function openeoLevel(pinoLevel: number): LogLevel {
  if (pinoLevel >= 50) return 'error';
  if (pinoLevel >= 40) return 'warning';
  if (pinoLevel >= 30) return 'info';
  return 'debug';
}

/** Fields pino adds to every line that say nothing about the run. */
const PINO_FIELDS = new Set(['level', 'msg', 'time', 'pid', 'hostname', 'service', 'code', 'data']);

/** The entry one JSON line of pino becomes; undefined for a line that is not pino's JSON. */
function entryOfLine(line: string): NewLogEntry | undefined {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(parsed).filter(([key]) => !PINO_FIELDS.has(key)));
    const data = parsed.data !== undefined ? parsed.data : Object.keys(rest).length > 0 ? rest : undefined;
    const time = typeof parsed.time === 'number' || typeof parsed.time === 'string' ? new Date(parsed.time).toISOString() : undefined;
    return {
      level: openeoLevel(Number(parsed.level)),
      message: String(parsed.msg ?? ''),
      ...(time ? { time } : {}),
      ...(typeof parsed.code === 'string' ? { code: parsed.code } : {}),
      ...(data !== undefined ? { data } : {}),
    };
  } catch {
    // A line we cannot read is not worth failing a run for.
    return undefined;
  }
}

/** A pino logger whose lines at `minLevel` or above become log entries, so processes log as they always do. */
export function entryLogger(minLevel: LogLevel, onEntry: (entry: NewLogEntry) => void): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        const entry = line.trim() ? entryOfLine(line) : undefined;
        if (entry) onEntry(entry);
      }
      done();
    },
  });
  const level = minLevel === 'warning' ? 'warn' : minLevel;
  return pino({ level, base: undefined, serializers: { err: pino.stdSerializers.err } }, sink);
}

interface RunLog {
  userId: string;
  /** Entries below this level are not kept (the request's `log_level`). */
  minLevel: LogLevel;
  created: number;
  entries: LogEntry[];
}

const MAX_ENTRIES_PER_RUN = 1000;

/** Logs of synchronous runs, in memory, each readable only by the user who started the run. */
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
    this.logs.set(runId, { userId, minLevel, created: Date.now(), entries: [] });
  }

  add(runId: string, entry: NewLogEntry): void {
    const log = this.logs.get(runId);
    if (!log || log.entries.length >= MAX_ENTRIES_PER_RUN) return;
    if (!levelAtLeast(entry.level, log.minLevel)) return;
    log.entries.push({ id: String(log.entries.length + 1), time: entry.time ?? new Date().toISOString(), ...entry });
  }

  /** The entries of a run, only for the user who started it. */
  entries(runId: string, userId: string, minLevel: LogLevel = 'debug'): LogEntry[] | undefined {
    const log = this.logs.get(runId);
    if (!log || log.userId !== userId || Date.now() - log.created > this.ttlMs) return undefined;
    return log.entries.filter((e) => levelAtLeast(e.level, minLevel));
  }

  /** A pino logger whose lines become entries of the run. */
  logger(runId: string): Logger {
    return entryLogger('debug', (entry) => this.add(runId, entry));
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
