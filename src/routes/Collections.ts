import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { OpenEOError } from '../errors/OpenEOError';

/** Parses `limit`: absent or empty means everything; otherwise a positive whole number. */
function parseCount(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < (name === 'limit' ? 1 : 0)) {
    throw new OpenEOError('BadRequest', { reason: `query parameter '${name}' must be a ${name === 'limit' ? 'positive' : 'non-negative'} whole number` });
  }
  return Number(value);
}

/** The list form leaves out the large parts of a collection, as the API recommends. */
function summaryOf(doc: Record<string, unknown>): Record<string, unknown> {
  const { 'cube:dimensions': _dims, summaries: _summaries, stac_extensions: _ext, ...rest } = doc;
  return rest;
}

/** `GET /collections`: every collection, optionally in pages (`limit`, then `offset` from the links). */
export class Collections extends Resource {
  readonly path = '/collections';
  protected readonly auth = { get: 'optional' as const };

  async get(req: Request, res: Response): Promise<void> {
    const limit = parseCount(req.query.limit, 'limit');
    const offset = parseCount(req.query.offset, 'offset') ?? 0;
    const { catalog, config } = this.ctx;
    await catalog.refresh?.();
    const base = config.publicUrl;
    const all = catalog.list();
    const page = limit === undefined ? all.slice(offset) : all.slice(offset, offset + limit);
    const collections = page.map((info) => summaryOf(catalog.stacCollection(info.id, base) ?? {}));
    const pageLink = (rel: string, start: number) => ({
      rel,
      href: `${base}/collections?limit=${limit ?? all.length}&offset=${start}`,
      type: 'application/json',
    });
    const links: Array<Record<string, string>> = [{ rel: 'self', href: `${base}/collections`, type: 'application/json' }];
    if (limit !== undefined) {
      if (offset + limit < all.length) links.push(pageLink('next', offset + limit));
      if (offset > 0) links.push(pageLink('prev', Math.max(0, offset - limit)), pageLink('first', 0));
    }
    links.push({ rel: 'root', href: `${base}/`, type: 'application/json' });
    res.json({ collections, links });
  }
}

/** `GET /collections/{collection_id}`: the full STAC Collection. */
export class CollectionDetails extends Resource {
  readonly path = '/collections/{collection_id}';
  protected readonly auth = { get: 'optional' as const };

  async get(req: Request, res: Response): Promise<void> {
    const id = String(req.params.collection_id);
    await this.ctx.catalog.refresh?.();
    const doc = this.ctx.catalog.stacCollection(id, this.ctx.config.publicUrl);
    if (!doc) throw new OpenEOError('CollectionNotFound', { identifier: id });
    res.json(doc);
  }
}

/** `GET /collections/{collection_id}/queryables`: what `load_collection`'s `properties` can filter on. */
export class CollectionQueryables extends Resource {
  readonly path = '/collections/{collection_id}/queryables';
  protected readonly auth = { get: 'optional' as const };

  async get(req: Request, res: Response): Promise<void> {
    const id = String(req.params.collection_id);
    const { catalog, config } = this.ctx;
    await catalog.refresh?.();
    const doc = catalog.get(id) && catalog.queryables?.(id, config.publicUrl);
    if (!doc) throw new OpenEOError('CollectionNotFound', { identifier: id });
    res.type('application/schema+json').send(JSON.stringify(doc));
  }
}
