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
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
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
