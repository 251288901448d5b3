import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BandInfo, CatalogItem } from '../catalog/types';
import type { DescriptionCache } from '../catalog/DescriptionCache';
import { StacBand, StacSource, toBandInfo } from '../catalog/stacSource';
import { describeRaster } from '../catalog/describe';
import { Href, StacReader, isUrl, stacError } from './documents';

type Json = Record<string, any>;

/** What load_stac pushes down to a STAC API search (WGS 84 bbox, RFC 3339 interval). */
export interface StacQuery {
  bbox?: [number, number, number, number];
  interval?: [string | null, string | null];
}

/** Everything load_stac found behind a URL: the items (parsed like catalogue items) and their bands. */
export interface StacHarvest {
  id: string;
  title?: string;
  description?: string;
  items: CatalogItem[];
  bands: BandInfo[];
}

const MAX_DEPTH = 8;
const MAX_PAGES = 1000;

function links(doc: Json, rel: string): Json[] {
  return Array.isArray(doc.links) ? doc.links.filter((l: Json) => l && l.rel === rel && typeof l.href === 'string') : [];
}

/** Date-only interval ends as RFC 3339 date-times, open ends as `..` (STAC API `datetime`). */
function datetimeParameter([start, end]: [string | null, string | null]): string {
  const full = (t: string | null) => (t === null ? '..' : /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  return `${full(start)}/${full(end)}`;
}

/** Asks GDAL about a file directly: load_stac runs outside the catalogue and its description cache. */
const directDescriptions = {
  async describe(file: string) {
    try {
      return { ok: true as const, description: await describeRaster(file), fresh: true };
    } catch (e) {
      return { ok: false as const, error: (e as Error).message, fresh: true };
    }
  },
} as unknown as DescriptionCache;

/** Walks a static STAC catalogue, a single Item, an ItemCollection or a STAC API, collecting items. */
export class StacHarvester {
  private readonly items = new Map<string, CatalogItem>();
  private readonly bands = new Map<string, BandInfo>();
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();
  private readonly parser: StacSource;
  private meta: { id?: string; title?: string; description?: string } = {};

  constructor(
    private readonly reader: StacReader,
    private readonly query: StacQuery,
  ) {
    this.parser = new StacSource({ path: '' }, directDescriptions, () => undefined);
  }

  async harvest(url: Href): Promise<StacHarvest> {
    await this.visit(url, 0);
    const bands = this.order.map((n) => this.bands.get(n)!);
    return { id: this.meta.id ?? 'load_stac', title: this.meta.title, description: this.meta.description, items: [...this.items.values()], bands };
  }

  private noteCollection(doc: Json): void {
    if (this.meta.id !== undefined) return;
    this.meta = {
      id: typeof doc.id === 'string' ? doc.id : undefined,
      title: typeof doc.title === 'string' ? doc.title : undefined,
      description: typeof doc.description === 'string' ? doc.description : undefined,
    };
    const summaries = doc.summaries ?? {};
    const listed: StacBand[] = Array.isArray(summaries['eo:bands']) ? summaries['eo:bands'] : Array.isArray(summaries.bands) ? summaries.bands : [];
    for (const b of listed) {
      if (!b?.name || this.bands.has(b.name)) continue;
      this.bands.set(b.name, toBandInfo(b.name, b));
      this.order.push(b.name);
    }
  }

  private async visit(href: Href, depth: number): Promise<void> {
    if (this.seen.has(href) || depth > MAX_DEPTH) return;
    this.seen.add(href);
    const doc = await this.reader.read(href);
    if (doc.type === 'Feature') return this.addItem(href, doc);
    if (doc.type === 'FeatureCollection') return this.addPages(href, doc);
    if (doc.type !== 'Collection' && doc.type !== 'Catalog') throw stacError(`${href} is neither a STAC Catalog, Collection, Item nor ItemCollection`);
    if (doc.type === 'Collection') this.noteCollection(doc);
    const itemLinks = links(doc, 'item');
    for (const link of itemLinks) await this.visit(this.reader.resolve(link.href, href), depth + 1);
    const apiItems = links(doc, 'items')[0];
    const search = links(doc, 'search')[0];
    if (itemLinks.length === 0 && apiItems) {
      // A collection of a STAC API: its items endpoint is searched with the extents.
      await this.search(this.reader.resolve(apiItems.href, href));
    } else if (itemLinks.length === 0 && search && doc.type === 'Catalog' && (search.method ?? 'GET') === 'GET') {
      await this.search(this.reader.resolve(search.href, href));
    } else {
      for (const link of links(doc, 'child')) await this.visit(this.reader.resolve(link.href, href), depth + 1);
    }
  }

  private async search(endpoint: Href): Promise<void> {
    const parameters: Record<string, string> = { limit: '100' };
    if (this.query.bbox) parameters.bbox = this.query.bbox.join(',');
    if (this.query.interval) parameters.datetime = datetimeParameter(this.query.interval);
    const page = await this.reader.read(endpoint, parameters);
    if (page.type !== 'FeatureCollection') throw stacError(`${endpoint} did not answer with an ItemCollection`);
    await this.addPages(endpoint, page);
  }

  /** Adds the items of an ItemCollection and of every page its `next` links lead to. */
  private async addPages(href: Href, first: Json): Promise<void> {
    let page: Json | undefined = first;
    let pageHref = href;
    for (let n = 0; page && n < MAX_PAGES; n++) {
      for (const feature of Array.isArray(page.features) ? page.features : []) await this.addItem(pageHref, feature);
      const next = links(page, 'next').find((l) => (l.method ?? 'GET') === 'GET');
      if (!next) return;
      pageHref = this.reader.resolve(next.href, pageHref);
      if (this.seen.has(pageHref)) return;
      this.seen.add(pageHref);
      page = await this.reader.read(pageHref);
    }
  }

  private async addItem(href: Href, doc: Json): Promise<void> {
    if (!doc || doc.type !== 'Feature') throw stacError(`${href} holds something that is not a STAC Item`);
    // Relative asset hrefs of remote documents become absolute URLs (read through /vsicurl/).
    // Local assets outside the allowed folders are dropped before anything opens them.
    const assets: Json = {};
    for (const [key, asset] of Object.entries((doc.assets ?? {}) as Json)) {
      if (!asset || typeof asset.href !== 'string') continue;
      const resolved = this.reader.resolve(asset.href, href);
      const local = /^file:\/\//i.test(resolved) ? fileURLToPath(resolved) : undefined;
      if (local !== undefined && !this.reader.allowsLocal(local)) continue;
      if (local === undefined && !isUrl(resolved)) continue;
      assets[key] = { ...asset, href: local ?? resolved };
    }
    let item: CatalogItem | undefined;
    try {
      item = await this.parser.item(href, { ...doc, assets }, this.bands, this.order);
    } catch (e) {
      throw stacError(`item ${String(doc.id ?? href)}: ${(e as Error).message}`);
    }
    if (!item) return;
    for (const asset of Object.values(item.assets)) this.checkAsset(asset.href);
    this.items.set(item.id, item);
  }

  /** Assets are read remotely through /vsicurl/ or locally inside the allowed folders, nothing else. */
  private checkAsset(href: string): void {
    if (/^\/vsicurl\/https?:\/\//i.test(href)) return;
    if (!href.startsWith('/vsi') && this.reader.allowsLocal(href) && fs.existsSync(href)) return;
    throw stacError(`the asset ${href} is neither a readable local file in an allowed folder nor an http(s) URL`);
  }
}
