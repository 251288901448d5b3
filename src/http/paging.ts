/**
 * Paging of every list endpoint: one reader of the list query parameters, one error for a bad
 * `limit`, and keyset pages. A cursor names the key of the last item seen (`after`) or the
 * first (`before`), so pages stay stable while items are added or deleted in between, which
 * offsets would not.
 */
import { OpenEOError } from '../errors/OpenEOError';

/** At most `limit` items (all when undefined) following the key `after`, or preceding `before`. */
export interface PageRequest {
  limit?: number;
  after?: string;
  before?: string;
}

export interface PageLink {
  rel: string;
  href: string;
  type: string;
  title?: string;
}

type Query = Record<string, unknown>;

/** A query parameter given at most once; empty counts as absent. */
export function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OpenEOError('BadRequest', { reason: `give the query parameter '${name}' once` });
  return value;
}

/** openEO's `limit`: absent means everything, otherwise a whole number of at least 1. */
export function readLimit(query: Query): number | undefined {
  const text = queryValue(query, 'limit');
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(limit) || limit < 1) {
    throw new OpenEOError('BadRequest', { reason: "'limit' must be a whole number of at least 1 (or left out for the whole list)" });
  }
  return limit;
}

/** `limit` and the cursors `after`/`before` of the links this module writes. */
export function readPageRequest(query: Query): PageRequest {
  return { limit: readLimit(query), after: queryValue(query, 'after'), before: queryValue(query, 'before') };
}

/** Cuts one page out of items sorted ascending by `key`. */
export function takePage<T>(items: T[], key: (item: T) => string, page: PageRequest): { items: T[]; hasMore: boolean; hasLess: boolean } {
  const { limit, after, before } = page;
  if (before !== undefined) {
    const earlier = items.filter((item) => key(item) < before);
    const start = limit === undefined ? 0 : Math.max(0, earlier.length - limit);
    return { items: earlier.slice(start), hasMore: true, hasLess: start > 0 };
  }
  const rest = after === undefined ? items : items.filter((item) => key(item) > after);
  if (limit === undefined) return { items: rest, hasMore: false, hasLess: after !== undefined && rest.length < items.length };
  return { items: rest.slice(0, limit), hasMore: rest.length > limit, hasLess: rest.length < items.length };
}

function link(rel: string, listUrl: string, params: Record<string, string>, title: string): PageLink {
  const query = new URLSearchParams(params).toString();
  return { rel, href: query ? `${listUrl}?${query}` : listUrl, type: 'application/json', title };
}

/** Where a page sits in its list: the keys at its ends and whether items follow or precede it. */
export interface PagePosition {
  firstKey?: string;
  lastKey?: string;
  hasMore: boolean;
  hasLess?: boolean;
}

/**
 * The paging `links` of a list response: `next` while items follow, and on later pages `first`
 * (and `prev` when `withPrev`). Only a limited request is ever cut, so only it gets links.
 */
export function pageLinks(listUrl: string, page: PageRequest, position: PagePosition, withPrev = false): PageLink[] {
  if (page.limit === undefined) return [];
  const limit = String(page.limit);
  const links: PageLink[] = [];
  if (position.hasMore && position.lastKey !== undefined) links.push(link('next', listUrl, { limit, after: position.lastKey }, 'Next page'));
  const later = page.after !== undefined || page.before !== undefined;
  if (withPrev && position.hasLess && position.firstKey !== undefined) links.push(link('prev', listUrl, { limit, before: position.firstKey }, 'Previous page'));
  if (later) links.push(link('first', listUrl, { limit }, 'First page'));
  return links;
}

/** An opaque cursor made of several keys (for lists sorted by more than one column). */
export function encodeCursor(keys: string[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/** Reads a cursor of `encodeCursor` with `count` keys; anything else is the client's mistake. */
export function decodeCursor(token: string, count: number): string[] {
  let keys: unknown;
  try {
    keys = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys) || keys.length !== count || !keys.every((k) => typeof k === 'string')) throw badCursor();
  return keys as string[];
}

/** The error for a cursor this server did not write. */
export function badCursor(): OpenEOError {
  return new OpenEOError('BadRequest', { reason: "the paging cursor is not one from this server's links; start again without it" });
}
