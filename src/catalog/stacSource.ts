import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BandInfo, CatalogItem, GridInfo } from './types';
import type { DescriptionCache } from './DescriptionCache';
import type { ProblemReporter } from './folderSource';
import { isRasterFileName, sanitizeId } from './folderSource';
import { listFiles, ListedFile } from './listing';
import { Bbox, bboxToWgs84, nativeBbox } from './geo';
import { buildRecord, CollectionRecord, DescriptiveMetadata, Link, Provider } from './record';

type Json = Record<string, any>;

export interface StacBand {
  name?: string;
  common_name?: string;
  center_wavelength?: number;
  full_width_half_max?: number;
  description?: string;
  nodata?: number | string;
  scale?: number;
  offset?: number;
  data_type?: string;
  unit?: string;
}

const DATA_TYPES: Record<string, string> = {
  uint8: 'Byte', int8: 'Int8', uint16: 'UInt16', int16: 'Int16', uint32: 'UInt32', int32: 'Int32',
  float32: 'Float32', float64: 'Float64', uint64: 'UInt64', int64: 'Int64',
};

/** An asset href as a GDAL dataset name: relative paths against the document, URLs through /vsicurl/. */
export function resolveHref(href: string, documentFile: string): string {
  if (/^file:\/\//i.test(href)) return fileURLToPath(href);
  if (/^https?:\/\//i.test(href)) return `/vsicurl/${href}`;
  if (/^\/vsi|^[A-Z0-9_]+:"/i.test(href) || path.isAbsolute(href)) return href;
  return path.resolve(path.dirname(documentFile), decodeURIComponent(href));
}

function readJson(file: string): Json {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return parsed as Json;
}

function linksOf(doc: Json, rel: string): string[] {
  return Array.isArray(doc.links) ? doc.links.filter((l: Json) => l && l.rel === rel && typeof l.href === 'string').map((l: Json) => l.href) : [];
}

function numberOrNull(value: unknown): number | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (value === 'nan') return NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return null;
}

function isDataAsset(key: string, asset: Json): boolean {
  if (!asset || typeof asset.href !== 'string') return false;
  const roles: unknown[] = Array.isArray(asset.roles) ? asset.roles : [];
  if (roles.length > 0) return roles.includes('data');
  const type = typeof asset.type === 'string' ? asset.type : '';
  return /tiff|netcdf|jp2|x-hdf|vnd\.zarr/i.test(type) || isRasterFileName(asset.href.split('?')[0]);
}

/** Per-band fields of an asset, merging eo:bands and raster:bands (or STAC 1.1 `bands`). */
function assetBands(asset: Json): StacBand[] {
  const eo: Json[] = Array.isArray(asset['eo:bands']) ? asset['eo:bands'] : [];
  const raster: Json[] = Array.isArray(asset['raster:bands']) ? asset['raster:bands'] : [];
  const generic: Json[] = Array.isArray(asset.bands) ? asset.bands : [];
  const n = Math.max(eo.length, raster.length, generic.length, 1);
  return Array.from({ length: n }, (_, i) => {
    const g = generic[i] ?? {};
    return { ...raster[i], ...eo[i], ...g, common_name: eo[i]?.common_name ?? g['eo:common_name'], nodata: raster[i]?.nodata ?? g.nodata };
  });
}

export function toBandInfo(name: string, b: StacBand | undefined): BandInfo {
  const info: BandInfo = { name };
  if (!b) return info;
  if (b.common_name) info.commonName = b.common_name;
  if (typeof b.center_wavelength === 'number') info.centerWavelength = b.center_wavelength;
  if (typeof b.full_width_half_max === 'number') info.fullWidthHalfMax = b.full_width_half_max;
  if (b.description) info.description = b.description;
  const nodata = numberOrNull(b.nodata);
  if (nodata !== undefined) info.nodata = nodata;
  if (typeof b.scale === 'number') info.scale = b.scale;
  if (typeof b.offset === 'number') info.offset = b.offset;
  if (b.data_type) info.dataType = DATA_TYPES[b.data_type] ?? b.data_type;
  if (b.unit) info.unit = b.unit;
  return info;
}

/** Grid from the projection extension, when the document gives all of it. */
function projGrid(props: Json, asset: Json): GridInfo | undefined {
  const pick = (k: string) => asset[k] ?? props[k];
  const code = pick('proj:epsg') ?? (typeof pick('proj:code') === 'string' && /^EPSG:\d+$/.test(pick('proj:code')) ? Number(pick('proj:code').slice(5)) : undefined);
  const transform: unknown = pick('proj:transform');
  const shape: unknown = pick('proj:shape');
  if (!Number.isInteger(code) || !Array.isArray(transform) || transform.length < 6 || !Array.isArray(shape) || shape.length !== 2) return undefined;
  const [a, b, c, d, e, f] = transform as number[];
  // proj:transform is in rasterio's order (a, b, c, d, e, f); GDAL's is (c, a, b, f, d, e).
  return { crs: `EPSG:${code}`, epsg: code as number, geoTransform: [c, a, b, f, d, e], width: shape[1] as number, height: shape[0] as number };
}

function rfc3339(value: unknown): string | null {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return null;
  return new Date(value).toISOString().replace('.000Z', 'Z');
}

/** A static STAC catalogue (Catalog or Collection JSON, with Items linked from it). */
export class StacSource {
  constructor(
    readonly options: { path: string; id?: string; title?: string },
    private readonly cache: DescriptionCache,
    private readonly report: ProblemReporter,
  ) {}

  get label(): string {
    return this.options.path;
  }

  private rootFile(): string {
    const stat = fs.statSync(this.options.path);
    if (stat.isFile()) return this.options.path;
    for (const name of ['catalog.json', 'collection.json']) {
      const candidate = path.join(this.options.path, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error('the folder has neither catalog.json nor collection.json');
  }

  /** The JSON documents below the catalogue's folder: editing any of them changes the fingerprint. */
  async list(): Promise<ListedFile[]> {
    const root = this.rootFile();
    return listFiles(path.dirname(root), (rel) => rel.toLowerCase().endsWith('.json'));
  }

  async load(_files: ListedFile[]): Promise<CollectionRecord[]> {
    const root = this.rootFile();
    const records: CollectionRecord[] = [];
    const seen = new Set<string>();
    const visit = async (file: string, depth: number): Promise<void> => {
      if (seen.has(file) || depth > 8) return;
      seen.add(file);
      let doc: Json;
      try {
        doc = readJson(file);
      } catch (e) {
        this.report(file, `STAC document ignored: ${(e as Error).message}`, true);
        return;
      }
      if (doc.type === 'Collection' || (doc.extent && doc.type !== 'Feature')) {
        const record = await this.collection(file, doc, depth === 0);
        if (record) records.push(record);
        return;
      }
      for (const href of linksOf(doc, 'child')) await visit(resolveHref(href, file), depth + 1);
    };
    await visit(root, 0);
    return records;
  }

  private async collection(file: string, doc: Json, isRoot: boolean): Promise<CollectionRecord | undefined> {
    const id = isRoot && this.options.id ? this.options.id : sanitizeId(String(doc.id ?? path.basename(path.dirname(file))));
    const problems: string[] = [];
    const known = new Map<string, BandInfo>();
    for (const b of (doc.summaries?.['eo:bands'] ?? []) as StacBand[]) if (b?.name) known.set(b.name, toBandInfo(b.name, b));
    const bandOrder: string[] = [...known.keys()];
    const items: CatalogItem[] = [];
    for (const href of linksOf(doc, 'item')) {
      const itemFile = resolveHref(href, file);
      try {
        const item = await this.item(itemFile, readJson(itemFile), known, bandOrder);
        if (item) items.push(item);
      } catch (e) {
        const reason = (e as Error).message;
        problems.push(`${itemFile}: ${reason}`);
        this.report(itemFile, reason, true);
      }
    }
    if (items.length === 0) {
      this.report(file, 'the collection has no usable items', true);
      return undefined;
    }
    const metadata: DescriptiveMetadata = {
      title: isRoot && this.options.title ? this.options.title : typeof doc.title === 'string' ? doc.title : undefined,
      description: typeof doc.description === 'string' ? doc.description : undefined,
      license: typeof doc.license === 'string' ? doc.license : undefined,
      providers: Array.isArray(doc.providers) ? (doc.providers as Provider[]) : undefined,
      keywords: Array.isArray(doc.keywords) ? (doc.keywords as string[]) : undefined,
      links: (Array.isArray(doc.links) ? (doc.links as Link[]) : []).filter((l) => l.rel === 'license' || l.rel === 'about' || l.rel === 'cite-as'),
    };
    if (doc.summaries && typeof doc.summaries === 'object') {
      const { 'eo:bands': _eo, 'raster:bands': _raster, bands: _bands, ...rest } = doc.summaries as Json;
      metadata.summaries = rest;
    }
    const bands = bandOrder.map((name) => known.get(name)!);
    return buildRecord(id, items, bands, metadata, file, problems);
  }

  /** Also used by load_stac (src/stac), so STAC items are parsed in one place. */
  async item(file: string, doc: Json, bands: Map<string, BandInfo>, order: string[]): Promise<CatalogItem | undefined> {
    if (doc.type !== 'Feature') throw new Error('not a STAC Item (type is not Feature)');
    const props: Json = doc.properties ?? {};
    const datetime = rfc3339(props.datetime) ?? rfc3339(props.start_datetime);
    const assets: CatalogItem['assets'] = {};
    let grid: GridInfo | undefined;
    let bbox: Bbox | undefined = Array.isArray(doc.bbox) && doc.bbox.length === 4 ? (doc.bbox as Bbox) : undefined;
    for (const [key, asset] of Object.entries((doc.assets ?? {}) as Record<string, Json>)) {
      if (!isDataAsset(key, asset)) continue;
      const href = resolveHref(asset.href, file);
      let assetGrid = projGrid(props, asset);
      let described: BandInfo[] = [];
      if (!assetGrid) {
        // Without proj: fields the file itself is asked, once per file version.
        const local = href.startsWith('/vsi') ? undefined : fs.statSync(href);
        if (!local) throw new Error(`asset '${key}' has no proj:epsg/proj:transform/proj:shape and is not a local file`);
        const result = await this.cache.describe(href, local);
        if (!result.ok) throw new Error(`asset '${key}' (${href}): ${result.error}`);
        const first = result.description.slots[0];
        assetGrid = first.grid;
        bbox ??= first.bbox;
        described = result.description.slots.map((s) => ({ name: s.name, nodata: s.nodata, dataType: s.dataType }));
      }
      grid ??= assetGrid;
      const stacBands = assetBands(asset);
      stacBands.forEach((b, i) => {
        const name = b.name ?? (stacBands.length === 1 ? key : `${key}_${i + 1}`);
        assets[name] = { href, band: i + 1 };
        const fromStac = toBandInfo(name, b);
        const merged: BandInfo = { ...(described[i] ? { nodata: described[i].nodata, dataType: described[i].dataType } : {}), ...bands.get(name), ...stripUndefined(fromStac), name };
        if (!bands.has(name)) order.push(name);
        bands.set(name, merged);
      });
    }
    if (!grid) throw new Error('the item has no raster data asset');
    bbox ??= bboxToWgs84(nativeBbox(grid), grid.crs);
    // proj: fields describe the grid, which the item carries already; the rest is for filters.
    const properties = Object.fromEntries(Object.entries(props).filter(([k]) => k !== 'datetime' && !k.startsWith('proj:')));
    return { id: String(doc.id ?? path.basename(file, '.json')), datetime, bbox, grid, assets, properties };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
