import { randomUUID } from 'node:crypto';
import { migrate, type Db } from '../store/database';
import { newestFirstPage, type ListPosition } from '../store/newestFirst';
import { storedLogEntries } from '../processes/storedLogs';
import {
  JobChanges,
  JobRecord,
  JobStatus,
  LogEntry,
  LogLevel,
  NewLogEntry,
  OutputInfo,
  Usage,
  levelAtLeast,
} from './types';

/** Entries kept per job run; see addLog. */
export const MAX_LOG_ENTRIES_PER_JOB = 10_000;

/** Schema steps of the `jobs` component; append only. */
const STEPS = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     title TEXT,
     description TEXT,
     process TEXT NOT NULL,
     plan TEXT,
     budget REAL,
     log_level TEXT NOT NULL DEFAULT 'info',
     status TEXT NOT NULL DEFAULT 'created',
     progress REAL,
     created TEXT NOT NULL,
     updated TEXT NOT NULL,
     queue_seq INTEGER,
     start_seq INTEGER,
     started_at TEXT,
     finished_at TEXT,
     usage TEXT,
     outputs TEXT,
     time_range TEXT,
     results_expired INTEGER NOT NULL DEFAULT 0,
     input_pixels INTEGER,
     duration_seconds REAL
   );
   CREATE INDEX jobs_by_user ON jobs (user_id, created);
   CREATE INDEX jobs_by_status ON jobs (status, queue_seq);
   CREATE TABLE job_logs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     level TEXT NOT NULL,
     code TEXT,
     message TEXT NOT NULL,
     time TEXT NOT NULL,
     path TEXT,
     data TEXT,
     usage TEXT
   );
   CREATE INDEX job_logs_by_job ON job_logs (job_id, seq);
   CREATE TABLE job_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
];

interface JobRow {
  id: string;
  user_id: string;
  title: string | null;
  description: string | null;
  process: string;
  plan: string | null;
  budget: number | null;
  log_level: string;
  status: string;
  progress: number | null;
  created: string;
  updated: string;
  started_at: string | null;
  finished_at: string | null;
  usage: string | null;
  outputs: string | null;
  time_range: string | null;
  results_expired: number;
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    description: row.description,
    process: JSON.parse(row.process) as Record<string, unknown>,
    plan: row.plan,
    budget: row.budget,
    logLevel: row.log_level as LogLevel,
    status: row.status as JobStatus,
    progress: row.progress,
    created: row.created,
    updated: row.updated,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    usage: parse<Usage>(row.usage),
    outputs: parse<OutputInfo[]>(row.outputs),
    timeRange: parse<[string | null, string | null]>(row.time_range),
    resultsExpired: row.results_expired === 1,
  };
}

/** Whether a job was queued, and if not, why: gone, queued or running already, or its user at the limit. */
export type EnqueueOutcome = { queued: true } | { queued: false; reason: 'missing' | 'active' } | { queued: false; reason: 'limit'; active: number };

/** Where a job sits in a user's list, for paging: its creation time and insertion order. */
export type JobListPosition = ListPosition;

/** RFC 3339 in UTC with whole seconds, as the API examples write timestamps. */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Persists jobs and their log entries in SQLite. Every status change is one statement or one
 * transaction, so a crash leaves each job in a state that was true at some moment.
 */
export class JobStore {
  constructor(private readonly db: Db) {
    migrate(db, 'jobs', STEPS);
  }

  private nextCounter(name: string): number {
    const row = this.db
      .prepare(
        `INSERT INTO job_counters (name, value) VALUES (?, 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .get(name) as { value: number };
    return row.value;
  }

  create(userId: string, fields: JobChanges & { process: Record<string, unknown> }): JobRecord {
    const id = randomUUID().replace(/-/g, '');
    const now = nowRfc3339();
    this.db
      .prepare(
        `INSERT INTO jobs (id, user_id, title, description, process, plan, budget, log_level, status, created, updated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
      )
      .run(
        id,
        userId,
        fields.title ?? null,
        fields.description ?? null,
        JSON.stringify(fields.process),
        fields.plan ?? null,
        fields.budget ?? null,
        fields.logLevel ?? 'info',
        now,
        now,
      );
    return this.get(id)!;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The job only if it belongs to the user: other users' jobs do not exist for them. */
  getOwned(id: string, userId: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ? AND user_id = ?').get(id, userId) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Newest first (jobs of the same second in creation order, newest first). A page of `limit`
   * jobs continues after the job whose position is `after`; `last` is the position of its last job.
   */
  list(userId: string, page: { limit?: number; after?: JobListPosition }): { jobs: JobRecord[]; hasMore: boolean; last?: JobListPosition } {
    const { rows, hasMore, last } = newestFirstPage<JobRow>(this.db, 'jobs', 'user_id', userId, page);
    return { jobs: rows.map(toRecord), hasMore, last };
  }

  /** How many of a user's jobs are queued or running. */
  activeCount(userId: string): number {
    const row = this.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE user_id = ? AND status IN ('queued', 'running')").get(userId) as { n: number };
    return row.n;
  }

  withStatus(status: JobStatus): JobRecord[] {
    return (this.db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY queue_seq').all(status) as JobRow[]).map(toRecord);
  }

  /** Applies changes only while the job is not queued or running; returns false when it is. */
  update(id: string, changes: JobChanges): boolean {
    const columns: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      columns.push(`${column} = ?`);
      values.push(value);
    };
    if ('title' in changes) set('title', changes.title ?? null);
    if ('description' in changes) set('description', changes.description ?? null);
    if (changes.process !== undefined) set('process', JSON.stringify(changes.process));
    if ('plan' in changes) set('plan', changes.plan ?? null);
    if ('budget' in changes) set('budget', changes.budget ?? null);
    if (changes.logLevel !== undefined) set('log_level', changes.logLevel);
    if (columns.length === 0) return true;
    const result = this.db
      .prepare(`UPDATE jobs SET ${columns.join(', ')} WHERE id = ? AND status NOT IN ('queued', 'running')`)
      .run(...values, id);
    return result.changes === 1;
  }

  /**
   * created/finished/error/canceled → queued, unless its user already has `activeLimit` jobs
   * queued or running (counted in the same transaction, so two starts at once cannot both pass).
   * Old logs and result metadata are discarded.
   */
  enqueue(id: string, activeLimit = Infinity): EnqueueOutcome {
    return this.db.transaction((): EnqueueOutcome => {
      const job = this.db.prepare('SELECT user_id, status FROM jobs WHERE id = ?').get(id) as { user_id: string; status: string } | undefined;
      if (!job) return { queued: false, reason: 'missing' };
      if (job.status === 'queued' || job.status === 'running') return { queued: false, reason: 'active' };
      const active = this.activeCount(job.user_id);
      if (active >= activeLimit) return { queued: false, reason: 'limit', active };
      const seq = this.nextCounter('queue');
      this.db
        .prepare(
          `UPDATE jobs SET status = 'queued', progress = 0, updated = ?, queue_seq = ?, started_at = NULL, finished_at = NULL,
             usage = NULL, outputs = NULL, time_range = NULL, results_expired = 0, input_pixels = NULL, duration_seconds = NULL
           WHERE id = ?`,
        )
        .run(nowRfc3339(), seq, id);
      this.db.prepare('DELETE FROM job_logs WHERE job_id = ?').run(id);
      return { queued: true };
    })();
  }

  /**
   * The queued job to start next: round-robin between users (the user whose last start is
   * longest ago goes first, users never served before first of all), first in first out within a user.
   */
  nextQueued(): JobRecord | undefined {
    const row = this.db
      .prepare(
        `WITH served AS (SELECT user_id, MAX(start_seq) AS last_start FROM jobs GROUP BY user_id)
         SELECT j.* FROM jobs j JOIN served s ON s.user_id = j.user_id
         WHERE j.status = 'queued'
         ORDER BY COALESCE(s.last_start, 0), j.queue_seq
         LIMIT 1`,
      )
      .get() as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** queued → running; false when the job was canceled or changed meanwhile. */
  markRunning(id: string): boolean {
    return this.db.transaction(() => {
      const seq = this.nextCounter('start');
      const now = nowRfc3339();
      return (
        this.db
          .prepare(`UPDATE jobs SET status = 'running', progress = 0, start_seq = ?, started_at = ?, updated = ? WHERE id = ? AND status = 'queued'`)
          .run(seq, now, now, id).changes === 1
      );
    })();
  }

  setProgress(id: string, progress: number): void {
    this.db.prepare(`UPDATE jobs SET progress = ? WHERE id = ? AND status = 'running'`).run(progress, id);
  }

  /** running → finished with the published outputs, in one transaction with its log entry. */
  markFinished(
    id: string,
    result: { usage: Usage; outputs: OutputInfo[]; timeRange: [string | null, string | null] | null; inputPixels: number; durationSeconds: number },
    entry: NewLogEntry,
  ): boolean {
    return this.db.transaction(() => {
      const now = nowRfc3339();
      const changed = this.db
        .prepare(
          `UPDATE jobs SET status = 'finished', progress = 100, updated = ?, finished_at = ?, usage = ?, outputs = ?, time_range = ?,
             input_pixels = ?, duration_seconds = ?
           WHERE id = ? AND status = 'running'`,
        )
        .run(now, now, JSON.stringify(result.usage), JSON.stringify(result.outputs), JSON.stringify(result.timeRange), result.inputPixels, result.durationSeconds, id);
      if (changed.changes === 1) this.addLog(id, entry);
      return changed.changes === 1;
    })();
  }

  /** Ends a job that was queued or running (error, canceled, or back to created), with a log entry. */
  markStopped(id: string, status: 'error' | 'canceled' | 'created', entry: NewLogEntry | undefined, usage?: Usage): boolean {
    return this.db.transaction(() => {
      const now = nowRfc3339();
      const changed = this.db
        .prepare(
          `UPDATE jobs SET status = ?, updated = ?, finished_at = ?, usage = COALESCE(?, usage),
             progress = CASE WHEN ? = 'created' THEN NULL ELSE progress END
           WHERE id = ? AND status IN ('queued', 'running')`,
        )
        .run(status, now, status === 'created' ? null : now, usage ? JSON.stringify(usage) : null, status, id);
      if (changed.changes === 1 && entry) this.addLog(id, entry);
      return changed.changes === 1;
    })();
  }

  /** Puts an interrupted running job back into the queue, keeping its place. */
  requeue(id: string, entry: NewLogEntry): void {
    this.db.transaction(() => {
      const changed = this.db
        .prepare(`UPDATE jobs SET status = 'queued', progress = 0, updated = ?, started_at = NULL WHERE id = ? AND status = 'running'`)
        .run(nowRfc3339(), id);
      if (changed.changes === 1) this.addLog(id, entry);
    })();
  }

  markResultsExpired(id: string): void {
    this.db.prepare('UPDATE jobs SET results_expired = 1 WHERE id = ?').run(id);
  }

  /** Finished jobs whose results are older than the cut-off and still on disk. */
  finishedBefore(cutoff: string): JobRecord[] {
    return (
      this.db
        .prepare(`SELECT * FROM jobs WHERE status = 'finished' AND results_expired = 0 AND finished_at < ?`)
        .all(cutoff) as JobRow[]
    ).map(toRecord);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  allIds(): Set<string> {
    return new Set((this.db.prepare('SELECT id FROM jobs').all() as Array<{ id: string }>).map((r) => r.id));
  }

  /** Stores an entry if it reaches the job's log level; entries below it are dropped as the user asked. */
  addLog(jobId: string, entry: NewLogEntry): void {
    const job = this.db.prepare('SELECT log_level FROM jobs WHERE id = ?').get(jobId) as { log_level: LogLevel } | undefined;
    if (!job || !levelAtLeast(entry.level, job.log_level)) return;
    // A runaway graph must not fill the database: past the cap only errors are kept.
    if (entry.level !== 'error') {
      const { count } = this.db.prepare('SELECT COUNT(*) AS count FROM job_logs WHERE job_id = ?').get(jobId) as { count: number };
      if (count >= MAX_LOG_ENTRIES_PER_JOB) return;
    }
    this.db
      .prepare('INSERT INTO job_logs (job_id, level, code, message, time, path, data, usage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        jobId,
        entry.level,
        entry.code ?? null,
        entry.message,
        entry.time ?? new Date().toISOString(),
        entry.path ? JSON.stringify(entry.path) : null,
        entry.data === undefined ? null : JSON.stringify(entry.data),
        entry.usage ? JSON.stringify(entry.usage) : null,
      );
  }

  /** Entries after the one with id `after` (ids are increasing numbers), at `minimum` level or above. */
  logs(jobId: string, after: number, minimum: LogLevel, limit: number): LogEntry[] {
    return storedLogEntries(this.db, 'job_logs', 'job_id', jobId, after, minimum, limit);
  }

  /** The most recent error entry of a job (what a failed job's results endpoint answers). */
  lastError(jobId: string): LogEntry | undefined {
    const row = this.db
      .prepare(`SELECT seq FROM job_logs WHERE job_id = ? AND level = 'error' ORDER BY seq DESC LIMIT 1`)
      .get(jobId) as { seq: number } | undefined;
    return row ? this.logs(jobId, row.seq - 1, 'error', 1)[0] : undefined;
  }

  /** Pixels per second over finished jobs that read data, or undefined before the first such job. */
  measuredThroughput(): number | undefined {
    const row = this.db
      .prepare(
        `SELECT SUM(input_pixels) AS pixels, SUM(duration_seconds) AS seconds FROM jobs
         WHERE status = 'finished' AND input_pixels > 0 AND duration_seconds > 0`,
      )
      .get() as { pixels: number | null; seconds: number | null };
    return row.pixels && row.seconds ? row.pixels / row.seconds : undefined;
  }

  /** Average bytes written per input pixel by finished jobs, for size estimates. */
  measuredBytesPerPixel(): number | undefined {
    const rows = this.db
      .prepare(`SELECT outputs, input_pixels FROM jobs WHERE status = 'finished' AND input_pixels > 0 AND outputs IS NOT NULL`)
      .all() as Array<{ outputs: string; input_pixels: number }>;
    let bytes = 0;
    let pixels = 0;
    for (const r of rows) {
      bytes += (JSON.parse(r.outputs) as OutputInfo[]).reduce((sum, o) => sum + o.size, 0);
      pixels += r.input_pixels;
    }
    return pixels > 0 ? bytes / pixels : undefined;
  }
}
