import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { OpenEOError } from '../errors/OpenEOError';
import { pageLinks, readPageRequest, takePage } from '../http/paging';

/** The list form leaves out the large parts of a collection, as the API recommends. */
function summaryOf(doc: Record<string, unknown>): Record<string, unknown> {
  const { 'cube:dimensions': _dims, summaries: _summaries, stac_extensions: _ext, links, ...rest } = doc;
  // The preview's XYZ template is for the collection's own page; the list keeps plain URIs.
  return { ...rest, links: ((links ?? []) as Array<{ rel?: string }>).filter((link) => link.rel !== 'xyz') };
}

/**
 * `GET /collections`: every collection, or pages of `limit` sorted by id. Paging is kept: the
 * JS client's listCollections() asks for everything and its paginateCollections() follows `next`.
 */
export class Collections extends Resource {
  readonly path = '/collections';
  protected readonly auth = { get: 'optional' as const };

  async get(req: Request, res: Response): Promise<void> {
    const page = readPageRequest(req.query);
    const { catalog, config } = this.ctx;
    await catalog.refresh?.();
    const base = config.publicUrl;
    const all = [...catalog.list()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const { items, hasMore, hasLess } = takePage(all, (info) => info.id, page);
    const collections = items.map((info) => summaryOf(catalog.stacCollection(info.id, base) ?? {}));
    const position = { firstKey: items[0]?.id, lastKey: items.at(-1)?.id, hasMore, hasLess };
    const links = [
      { rel: 'self', href: `${base}/collections`, type: 'application/json' },
      ...pageLinks(`${base}/collections`, page, position, true),
      { rel: 'root', href: `${base}/`, type: 'application/json' },
    ];
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
