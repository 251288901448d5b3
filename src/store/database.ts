import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Opens (creating if needed) an SQLite database file tuned for one server process with concurrent readers. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 waits synchronously: while another program holds the write lock, a write
  // blocks every request of this process. One second is plenty for the short writes of the
  // admin tools; after it the request fails with InfrastructureBusy instead of stalling everyone.
  db.pragma('busy_timeout = 1000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
}

/** The database of a data directory, shared by the server, the job workers and the command-line tools. */
export function openDataDatabase(dataDir: string): Db {
  return openDatabase(path.join(dataDir, 'openeo.sqlite'));
}

/** SQLite's error codes (better-sqlite3's SqliteError.code) of a database another program holds locked. */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A database that cannot be written: full disk, read-only file or an I/O error. */
export function isDatabaseStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}

/**
 * Brings one component's tables up to date. Each store owns its list of steps, so stores
 * evolve independently; a step runs once, in a transaction. Append steps; never edit shipped ones.
 */
export function migrate(db: Db, component: string, steps: string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
    | { version: number }
    | undefined;
  for (let version = row?.version ?? 0; version < steps.length; version++) {
    db.transaction(() => {
      db.exec(steps[version]);
      db.prepare(
        'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
      ).run(component, version + 1);
    })();
  }
}
