/** Paging of the process list of GET /processes. */
import { OpenEOError } from '../errors/OpenEOError';
import type { ProcessSpec } from './types';

export interface ProcessPage {
  processes: ProcessSpec[];
  links: Array<{ rel: string; href: string; type: string; title?: string }>;
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OpenEOError('BadRequest', { reason: `give the query parameter '${name}' once` });
  return value;
}

/**
 * Cuts a page out of the specs (sorted by id). `next` is the id of the last process of the
 * previous page, so pages stay stable whatever the page size.
 */
export function pageOfProcesses(specs: ProcessSpec[], query: { limit?: unknown; next?: unknown }, listUrl: string): ProcessPage {
  const limitText = single(query.limit, 'limit');
  const after = single(query.next, 'next');
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d{1,9}$/.test(limitText) || limit < 1) throw new OpenEOError('BadRequest', { reason: "'limit' must be a whole number of at least 1" });
  }
  const rest = after === undefined ? specs : specs.filter((s) => s.id > after);
  const processes = limit === undefined ? rest : rest.slice(0, limit);
  const links: ProcessPage['links'] = [];
  if (limit !== undefined && rest.length > limit) {
    const params = new URLSearchParams({ limit: String(limit), next: processes[processes.length - 1].id });
    links.push({ rel: 'next', href: `${listUrl}?${params.toString()}`, type: 'application/json', title: 'Next page' });
  }
  if (after !== undefined && limit !== undefined) {
    links.push({ rel: 'first', href: `${listUrl}?limit=${limit}`, type: 'application/json', title: 'First page' });
  }
  return { processes, links };
}
