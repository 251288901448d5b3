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

  /** One page of a user's processes sorted by id, starting after `after`; `limit` undefined means all. */
  list(userId: string, page: { limit?: number; after?: string }): { processes: UserProcess[]; hasMore: boolean } {
    const rows = this.db
      .prepare('SELECT process FROM user_processes WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(userId, page.after ?? '', page.limit === undefined ? -1 : page.limit + 1) as Array<{ process: string }>;
    const processes = rows.map((row) => JSON.parse(row.process) as UserProcess);
    const hasMore = page.limit !== undefined && processes.length > page.limit;
    return { processes: hasMore ? processes.slice(0, page.limit) : processes, hasMore };
  }

  remove(userId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM user_processes WHERE user_id = ? AND id = ?').run(userId, id).changes > 0;
  }
}
