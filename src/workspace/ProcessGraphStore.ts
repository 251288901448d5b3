import type { Db } from '../store/database';
import { migrate } from '../store/database';
import type { UserProcess } from './userProcessDocument';

const STEPS = [
  `CREATE TABLE user_processes (
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     process TEXT NOT NULL,
     created TEXT NOT NULL,
     updated TEXT NOT NULL,
     PRIMARY KEY (user_id, id)
   ) WITHOUT ROWID;`,
];

/** User-defined processes in SQLite, one row per user and process id, the process kept as JSON. */
export class ProcessGraphStore {
  constructor(private readonly db: Db) {
    migrate(db, 'user_processes', STEPS);
  }

  /** Stores or fully replaces a process; true when it is new. */
  save(userId: string, process: UserProcess): boolean {
    const now = new Date().toISOString();
    const json = JSON.stringify(process);
    return this.db.transaction(() => {
      const updated = this.db
        .prepare('UPDATE user_processes SET process = ?, updated = ? WHERE user_id = ? AND id = ?')
        .run(json, now, userId, process.id).changes;
      if (updated > 0) return false;
      this.db
        .prepare('INSERT INTO user_processes (user_id, id, process, created, updated) VALUES (?, ?, ?, ?, ?)')
        .run(userId, process.id, json, now, now);
      return true;
    })();
  }

  find(userId: string, id: string): UserProcess | undefined {
    const row = this.db.prepare('SELECT process FROM user_processes WHERE user_id = ? AND id = ?').get(userId, id) as
      | { process: string }
      | undefined;
    return row && (JSON.parse(row.process) as UserProcess);
  }

  /** All of a user's processes sorted by id. */
  list(userId: string): UserProcess[] {
    const rows = this.db.prepare('SELECT process FROM user_processes WHERE user_id = ? ORDER BY id').all(userId) as Array<{ process: string }>;
    return rows.map((row) => JSON.parse(row.process) as UserProcess);
  }

  remove(userId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM user_processes WHERE user_id = ? AND id = ?').run(userId, id).changes > 0;
  }
}
