import type { Db } from '../store/database';
import { LOG_LEVELS, levelAtLeast, type LogEntry, type LogLevel } from './runLogs';

/** A row of a log table (job_logs, service_logs): its JSON columns as text; path and usage are optional columns. */
interface LogRow {
  seq: number;
  level: string;
  code: string | null;
  message: string;
  time: string;
  path?: string | null;
  data: string | null;
  usage?: string | null;
}

/**
 * The entries of one owner in a log table after the one with id `after` (ids are the increasing
 * `seq`), at `minimum` level or above, at most `limit` (-1: all).
 */
export function storedLogEntries(db: Db, table: string, ownerColumn: string, ownerId: string, after: number, minimum: LogLevel, limit: number): LogEntry[] {
  const levels = LOG_LEVELS.filter((l) => levelAtLeast(l, minimum));
  const rows = db
    .prepare(
      `SELECT * FROM ${table} WHERE ${ownerColumn} = ? AND seq > ? AND level IN (${levels.map(() => '?').join(', ')})
       ORDER BY seq LIMIT ?`,
    )
    .all(ownerId, after, ...levels, limit) as LogRow[];
  return rows.map((r) => ({
    id: String(r.seq),
    level: r.level as LogLevel,
    message: r.message,
    time: r.time,
    ...(r.code ? { code: r.code } : {}),
    ...(r.path ? { path: JSON.parse(r.path) } : {}),
    ...(r.data !== null ? { data: JSON.parse(r.data) } : {}),
    ...(r.usage ? { usage: JSON.parse(r.usage) } : {}),
  }));
}
