import type { Request } from 'express';
import { OpenEOError } from '../errors/OpenEOError';

/** What a list request asks for: at most `limit` items (all when undefined) sorted after the key `after`. */
export interface PageRequest {
  limit?: number;
  after?: string;
}

function singleQueryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OpenEOError('BadRequest', { reason: `give the query parameter '${name}' once` });
  return value;
}

/**
 * Reads `limit` (openEO's page size; empty means everything) and `after`, the key of the
 * last item of the previous page. Keys instead of offsets keep pages stable while items
 * are added or deleted in between.
 */
export function pageRequest(req: Request): PageRequest {
  const limitText = singleQueryValue(req, 'limit');
  const after = singleQueryValue(req, 'after');
  let limit: number | undefined;
  if (limitText !== undefined && limitText !== '') {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || !Number.isSafeInteger(limit) || limit < 1) {
      throw new OpenEOError('BadRequest', { reason: "'limit' must be a whole number of at least 1" });
    }
  }
  return { limit, after: after === '' ? undefined : after };
}

/** The `links` of a list response: a `next` link while more items follow. */
export function pageLinks(listUrl: string, page: PageRequest, lastKey: string | undefined, hasMore: boolean) {
  if (!hasMore || page.limit === undefined || lastKey === undefined) return [];
  const query = new URLSearchParams({ limit: String(page.limit), after: lastKey });
  return [{ rel: 'next', href: `${listUrl}?${query.toString()}`, type: 'application/json', title: 'Next page' }];
}

/** Cuts one page out of a list sorted by `key`. */
export function takePage<T>(items: T[], key: (item: T) => string, page: PageRequest): { items: T[]; hasMore: boolean } {
  const rest = page.after === undefined ? items : items.filter((item) => key(item) > page.after!);
  if (page.limit === undefined) return { items: rest, hasMore: false };
  return { items: rest.slice(0, page.limit), hasMore: rest.length > page.limit };
}
