import type { Db } from './database';

/** Where a row sits in a newest-first list: its creation time and insertion order (rowid). */
export interface ListPosition {
  created: string;
  seq: number;
}

/**
 * One keyset page of an owner's rows, newest first (rows of the same second newest inserted
 * first): `limit` rows (all when undefined) after the row at `after`; `last` is where it ends.
 */
export function newestFirstPage<Row extends { created: string }>(
  db: Db,
  table: string,
  ownerColumn: string,
  ownerId: string,
  page: { limit?: number; after?: ListPosition },
): { rows: Row[]; hasMore: boolean; last?: ListPosition } {
  const after = page.after;
  const rows = db
    .prepare(
      `SELECT *, rowid AS list_seq FROM ${table} WHERE ${ownerColumn} = ? AND (? IS NULL OR (created, rowid) < (?, ?))
       ORDER BY created DESC, rowid DESC LIMIT ?`,
    )
    .all(ownerId, after ? 1 : null, after?.created ?? '', after?.seq ?? 0, page.limit === undefined ? -1 : page.limit + 1) as Array<Row & { list_seq: number }>;
  const hasMore = page.limit !== undefined && rows.length > page.limit;
  const kept = hasMore ? rows.slice(0, page.limit) : rows;
  const lastRow = kept.at(-1);
  return { rows: kept, hasMore, last: lastRow && { created: lastRow.created, seq: lastRow.list_seq } };
}
