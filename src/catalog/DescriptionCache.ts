import fs from 'node:fs';
import type { Db } from '../store/database';
import { migrate } from '../store/database';
import { describeRaster, RasterDescription } from './describe';

const MIGRATIONS = [
  `CREATE TABLE catalog_files (
     path TEXT PRIMARY KEY,
     mtime_ms REAL NOT NULL,
     size INTEGER NOT NULL,
     description TEXT,
     error TEXT
   )`,
  'ALTER TABLE catalog_files ADD COLUMN format INTEGER NOT NULL DEFAULT 0',
];

/**
 * Version of what describeRaster produces. Bump it whenever that changes (new fields, other
 * hrefs, files it can now read): cached descriptions of another version are made again.
 */
const DESCRIPTION_FORMAT = 1;

/** A file's description, or why it could not be read. */
export type DescribeResult = { ok: true; description: RasterDescription } | { ok: false; error: string };

interface Row {
  mtime_ms: number;
  size: number;
  description: string | null;
  error: string | null;
  format: number;
}

/**
 * Remembers what GDAL said about each file, keyed by path, size and modification time,
 * so a file is opened once per version: restarts and rescans only stat the files.
 * Failures are remembered too, so a broken file is reported once, not on every scan.
 */
export class DescriptionCache {
  private readonly memory = new Map<string, { mtimeMs: number; size: number; result: DescribeResult }>();
  private readonly select;
  private readonly upsert;
  private readonly remove;

  constructor(private readonly db: Db) {
    migrate(db, 'catalog', MIGRATIONS);
    this.select = db.prepare('SELECT mtime_ms, size, description, error, format FROM catalog_files WHERE path = ?');
    this.upsert = db.prepare(
      `INSERT INTO catalog_files (path, mtime_ms, size, description, error, format) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET mtime_ms = excluded.mtime_ms, size = excluded.size,
         description = excluded.description, error = excluded.error, format = excluded.format`,
    );
    this.remove = db.prepare('DELETE FROM catalog_files WHERE path = ?');
  }

  /**
   * The description of `file` as it is now on disk. `fresh` is true when GDAL had to be asked,
   * which is when a failure is worth logging.
   */
  async describe(file: string, stat: fs.Stats): Promise<DescribeResult & { fresh: boolean }> {
    const known = this.memory.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return { ...known.result, fresh: false };
    const row = this.select.get(file) as Row | undefined;
    if (row && row.mtime_ms === stat.mtimeMs && row.size === stat.size && row.format === DESCRIPTION_FORMAT) {
      const result: DescribeResult = row.description
        ? { ok: true, description: JSON.parse(row.description) as RasterDescription }
        : { ok: false, error: row.error ?? 'unknown error' };
      this.memory.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
      return { ...result, fresh: false };
    }
    let result: DescribeResult;
    try {
      result = { ok: true, description: await describeRaster(file) };
    } catch (e) {
      result = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    this.memory.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
    this.upsert.run(file, stat.mtimeMs, stat.size, result.ok ? JSON.stringify(result.description) : null, result.ok ? null : result.error, DESCRIPTION_FORMAT);
    return { ...result, fresh: true };
  }

  /** Drops the entries of files that are gone, so the table does not keep every file ever seen. */
  pruneMissing(): void {
    for (const file of this.memory.keys()) {
      if (!fs.existsSync(file)) {
        this.memory.delete(file);
        this.remove.run(file);
      }
    }
  }
}
