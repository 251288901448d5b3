import { randomBytes } from 'node:crypto';
import { migrate, type Db } from '../store/database';
import { newestFirstPage } from '../store/newestFirst';
import { levelAtLeast, type LogEntry, type LogLevel, type NewLogEntry } from '../processes/runLogs';
import { storedLogEntries } from '../processes/storedLogs';
import { nowRfc3339, type JobListPosition } from '../jobs/JobStore';
import type { RenderOptions, ServiceType } from './types';

/** Entries kept per service; past it the oldest go, since a map may ask for tiles for months. */
export const MAX_LOG_ENTRIES_PER_SERVICE = 1000;

/** Schema steps of the `services` component; append only. */
const STEPS = [
  `CREATE TABLE services (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     type TEXT NOT NULL,
     title TEXT,
     description TEXT,
     process TEXT NOT NULL,
     configuration TEXT NOT NULL,
     enabled INTEGER NOT NULL DEFAULT 1,
     log_level TEXT NOT NULL DEFAULT 'info',
     created TEXT NOT NULL
   );
   CREATE INDEX services_by_user ON services (user_id, created);
   CREATE TABLE service_logs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
     level TEXT NOT NULL,
     code TEXT,
     message TEXT NOT NULL,
     time TEXT NOT NULL,
     data TEXT
   );
   CREATE INDEX service_logs_by_service ON service_logs (service_id, seq);`,
];

export interface ServiceRecord {
  id: string;
  userId: string;
  type: ServiceType;
  title: string | null;
  description: string | null;
  process: Record<string, unknown> & { process_graph: Record<string, unknown> };
  /** The type's settings: how the map is coloured (and, for WMTS, its version). */
  configuration: RenderOptions & { version?: string };
  enabled: boolean;
  logLevel: LogLevel;
  created: string;
}

/** What a user sets when creating a service or changes with PATCH (absent keys stay as they are). */
export interface ServiceFields {
  type?: ServiceType;
  title?: string | null;
  description?: string | null;
  process?: ServiceRecord['process'];
  configuration?: ServiceRecord['configuration'];
  enabled?: boolean;
  logLevel?: LogLevel;
}

/** Where a service sits in its user's list (newest first), for keyset paging: as for jobs. */
export type ServiceListPosition = JobListPosition;

interface ServiceRow {
  id: string;
  user_id: string;
  type: string;
  title: string | null;
  description: string | null;
  process: string;
  configuration: string;
  enabled: number;
  log_level: string;
  created: string;
}

function toRecord(row: ServiceRow): ServiceRecord {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type as ServiceType,
    title: row.title,
    description: row.description,
    process: JSON.parse(row.process) as ServiceRecord['process'],
    configuration: JSON.parse(row.configuration) as ServiceRecord['configuration'],
    enabled: row.enabled === 1,
    logLevel: row.log_level as LogLevel,
    created: row.created,
  };
}

/** 128 random bits, URL-safe: the id is the only key to a service's tiles, which carry no credentials. */
export function newServiceId(): string {
  return randomBytes(16).toString('base64url');
}

/** Persists map services and their log entries in SQLite. */
export class ServiceStore {
  constructor(private readonly db: Db) {
    migrate(db, 'services', STEPS);
  }

  /**
   * Stores a new service unless its user already has `limit` of them (counted in the same
   * transaction, so two requests at once cannot both pass); undefined at the limit.
   */
  create(userId: string, fields: ServiceFields & Pick<ServiceRecord, 'type' | 'process'>, limit: number): ServiceRecord | undefined {
    return this.db.transaction(() => {
      if (this.count(userId) >= limit) return undefined;
      const id = newServiceId();
      this.db
        .prepare(
          `INSERT INTO services (id, user_id, type, title, description, process, configuration, enabled, log_level, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          userId,
          fields.type,
          fields.title ?? null,
          fields.description ?? null,
          JSON.stringify(fields.process),
          JSON.stringify(fields.configuration ?? {}),
          fields.enabled === false ? 0 : 1,
          fields.logLevel ?? 'info',
          nowRfc3339(),
        );
      return this.get(id);
    })();
  }

  count(userId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM services WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  get(id: string): ServiceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM services WHERE id = ?').get(id) as ServiceRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Newest first; a page of `limit` continues after the service at `after`; `last` is where the page ends. */
  list(userId: string, page: { limit?: number; after?: ServiceListPosition }): { services: ServiceRecord[]; hasMore: boolean; last?: ServiceListPosition } {
    const { rows, hasMore, last } = newestFirstPage<ServiceRow>(this.db, 'services', 'user_id', userId, page);
    return { services: rows.map(toRecord), hasMore, last };
  }

  /** Sets the columns of the fields present in `changes`; a configuration is replaced as a whole. */
  update(id: string, changes: ServiceFields): void {
    const row: Record<string, unknown> = {};
    if ('title' in changes) row.title = changes.title ?? null;
    if ('description' in changes) row.description = changes.description ?? null;
    if (changes.process !== undefined) row.process = JSON.stringify(changes.process);
    if (changes.configuration !== undefined) row.configuration = JSON.stringify(changes.configuration);
    if (changes.enabled !== undefined) row.enabled = changes.enabled ? 1 : 0;
    if (changes.logLevel !== undefined) row.log_level = changes.logLevel;
    const columns = Object.keys(row);
    if (columns.length === 0) return;
    this.db.prepare(`UPDATE services SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...row, id });
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM services WHERE id = ?').run(id);
  }

  /** Stores an entry that reaches the service's log level, dropping the oldest past the cap. */
  addLog(serviceId: string, entry: NewLogEntry): void {
    const service = this.db.prepare('SELECT log_level FROM services WHERE id = ?').get(serviceId) as { log_level: LogLevel } | undefined;
    if (!service || !levelAtLeast(entry.level, service.log_level)) return;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO service_logs (service_id, level, code, message, time, data) VALUES (?, ?, ?, ?, ?, ?)')
        .run(serviceId, entry.level, entry.code ?? null, entry.message, entry.time ?? new Date().toISOString(), entry.data === undefined ? null : JSON.stringify(entry.data));
      this.db
        .prepare(
          `DELETE FROM service_logs WHERE service_id = ? AND seq <= (
             SELECT seq FROM service_logs WHERE service_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
        )
        .run(serviceId, serviceId, MAX_LOG_ENTRIES_PER_SERVICE);
    })();
  }

  /** Entries after the one with id `after`, at `minimum` level or above; all of them when `limit` is -1. */
  logs(serviceId: string, after: number, minimum: LogLevel, limit: number): LogEntry[] {
    return storedLogEntries(this.db, 'service_logs', 'service_id', serviceId, after, minimum, limit);
  }
}
