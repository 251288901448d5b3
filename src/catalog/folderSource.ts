import fs from 'node:fs';
import path from 'node:path';
import type { BandInfo, CatalogItem } from './types';
import type { RasterSlot } from './describe';
import type { DescriptionCache } from './DescriptionCache';
import { compilePattern, FilePattern } from './pattern';
import { ListedFile, listFiles } from './listing';
import { bboxUnion } from './geo';
import { buildRecord, CollectionRecord } from './record';
import { applyBandOverrides, applyItemProperties, descriptiveMetadata, MetadataFile, readMetadataFile } from './metadataFile';

/** Name of the metadata file of a time-series folder. */
export const FOLDER_METADATA_FILE = 'collection.meta.json';
const METADATA_SUFFIX = '.meta.json';

/** Extensions tried as rasters in folders without a pattern; everything else is ignored quietly. */
const RASTER_EXTENSIONS = new Set([
  'tif', 'tiff', 'gtiff', 'nc', 'nc4', 'cdf', 'jp2', 'j2k', 'vrt', 'h5', 'hdf5', 'he5', 'hdf', 'img', 'grib', 'grib2', 'grb', 'grb2', 'asc', 'bil', 'kea',
]);

/** Files described at the same time: enough to keep GDAL's worker threads busy. */
const DESCRIBE_CONCURRENCY = 4;

/** Like Promise.all over `items.map(work)`, with at most `limit` running at once; keeps the order. */
export async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function isRasterFileName(name: string): boolean {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return RASTER_EXTENSIONS.has(ext) && !name.toLowerCase().endsWith('.aux.xml');
}

export interface FolderSourceOptions {
  /** Absolute path of the folder (or of a single raster file). */
  path: string;
  id?: string;
  pattern?: string;
  title?: string;
}

/** Called for each file or metadata file that was skipped; `fresh` is false for known problems. */
export type ProblemReporter = (file: string, reason: string, fresh: boolean) => void;

export function sanitizeId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[_.]+|_+$/g, '');
  return id || 'collection';
}

function compactTime(datetime: string): string {
  const digits = datetime.replace(/[-:]/g, '').replace(/\.\d+/, '').replace(/Z$/, '');
  return digits.endsWith('T000000') ? digits.slice(0, 8) : digits;
}

/** Natural order so that B2 < B10 and B02 < B8A. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function bandFromSlot(name: string, slot: RasterSlot): BandInfo {
  return {
    name,
    nodata: slot.nodata,
    dataType: slot.dataType,
    ...(slot.scale !== undefined ? { scale: slot.scale } : {}),
    ...(slot.offset !== undefined ? { offset: slot.offset } : {}),
    ...(slot.unit ? { unit: slot.unit } : {}),
  };
}

/** Rasters in a folder: one collection per file, or one time series when a pattern is configured. */
export class FolderSource {
  private readonly pattern?: FilePattern;

  constructor(
    readonly options: FolderSourceOptions,
    private readonly cache: DescriptionCache,
    private readonly report: ProblemReporter,
  ) {
    if (options.pattern) this.pattern = compilePattern(options.pattern);
  }

  get label(): string {
    return this.options.path;
  }

  /** The files this source reads, for change detection. */
  async list(): Promise<ListedFile[]> {
    const stat = await fs.promises.stat(this.options.path);
    if (stat.isFile()) {
      // A single file, with its metadata file when there is one.
      const file = { rel: path.basename(this.options.path), abs: this.options.path, stat };
      const meta = this.options.path.replace(/\.[^./]+$/, '') + METADATA_SUFFIX;
      const metaStat = await fs.promises.stat(meta).catch(() => undefined);
      return metaStat ? [file, { rel: path.basename(meta), abs: meta, stat: metaStat }] : [file];
    }
    const pattern = this.pattern;
    return listFiles(this.options.path, (rel) => {
      const name = rel.split('/').pop()!;
      if (name.endsWith(METADATA_SUFFIX)) return true;
      return pattern ? pattern.match(name) !== undefined : isRasterFileName(name);
    });
  }

  async load(files: ListedFile[]): Promise<CollectionRecord[]> {
    const metadataFiles = new Map(files.filter((f) => f.rel.endsWith(METADATA_SUFFIX)).map((f) => [f.rel, f.abs]));
    const rasters = files.filter((f) => !f.rel.endsWith(METADATA_SUFFIX));
    if (this.pattern) {
      const record = await this.timeSeries(rasters, this.pattern, this.metadata(metadataFiles.get(FOLDER_METADATA_FILE)));
      return record ? [record] : [];
    }
    const records = await mapConcurrently(rasters, DESCRIBE_CONCURRENCY, (file) => {
      const metaRel = file.rel.replace(/\.[^./]+$/, '') + METADATA_SUFFIX;
      return this.singleFile(file, rasters.length === 1, this.metadata(metadataFiles.get(metaRel)));
    });
    return records.filter((r): r is CollectionRecord => r !== undefined);
  }

  private metadata(file: string | undefined): MetadataFile | undefined {
    if (!file) return undefined;
    try {
      return readMetadataFile(file);
    } catch (e) {
      this.report(file, `metadata file ignored: ${(e as Error).message}`, true);
      return undefined;
    }
  }

  private async slotsOf(file: ListedFile, problems: string[]): Promise<RasterSlot[] | undefined> {
    const result = await this.cache.describe(file.abs, file.stat);
    if (result.ok) return result.description.slots;
    problems.push(`${file.abs}: ${result.error}`);
    this.report(file.abs, result.error, result.fresh);
    return undefined;
  }

  /** A single raster: its bands (or variables) are the bands, its CF time steps the items. */
  private async singleFile(file: ListedFile, onlyFile: boolean, meta: MetadataFile | undefined): Promise<CollectionRecord | undefined> {
    const problems: string[] = [];
    const slots = await this.slotsOf(file, problems);
    if (!slots) return undefined;
    const baseName = path.basename(file.rel).replace(/\.[^.]+$/, '');
    const id = meta?.id ?? (onlyFile && this.options.id ? this.options.id : sanitizeId(baseName));
    const bands: BandInfo[] = [];
    const byTime = new Map<string | null, CatalogItem>();
    for (const slot of slots) {
      if (!bands.some((b) => b.name === slot.name)) bands.push(bandFromSlot(slot.name, slot));
      let item = byTime.get(slot.time);
      if (!item) {
        const datetime = slot.time ?? meta?.datetime ?? null;
        item = {
          id: slot.time ? `${id}_${compactTime(slot.time)}` : id,
          datetime: datetime ? new Date(datetime).toISOString().replace('.000Z', 'Z') : null,
          bbox: slot.bbox,
          grid: slot.grid,
          assets: {},
          properties: {},
        };
        byTime.set(slot.time, item);
      }
      item.assets[slot.name] = { href: slot.href, band: slot.band };
    }
    const items = [...byTime.values()];
    const { bands: finalBands, renamed } = applyBandOverrides(bands, meta);
    applyItemProperties(items, meta, renamed);
    const title = onlyFile ? this.options.title : undefined;
    return buildRecord(id, items, finalBands, descriptiveMetadata(meta, title), file.abs, problems);
  }

  /** Files named by the pattern: one item per date (and other placeholders), one file per band. */
  private async timeSeries(files: ListedFile[], pattern: FilePattern, meta: MetadataFile | undefined): Promise<CollectionRecord | undefined> {
    const id = meta?.id ?? this.options.id ?? sanitizeId(path.basename(this.options.path));
    const problems: string[] = [];
    const items = new Map<string, CatalogItem>();
    const bands = new Map<string, BandInfo>();
    const matched = files.flatMap((file) => {
      const match = pattern.match(path.basename(file.rel));
      return match ? [{ file, match }] : [];
    });
    const described = await mapConcurrently(matched, DESCRIBE_CONCURRENCY, ({ file }) => this.slotsOf(file, problems));
    for (const [i, { match }] of matched.entries()) {
      const slots = described[i];
      if (!slots) continue;
      const extras = Object.values(match.extra);
      const key = [match.datetime, ...extras].join('|');
      let item = items.get(key);
      if (!item) {
        item = {
          id: [compactTime(match.datetime), ...extras.map(sanitizeId)].join('_'),
          datetime: match.datetime,
          bbox: slots[0].bbox,
          grid: slots[0].grid,
          assets: {},
          properties: { ...match.extra },
        };
        items.set(key, item);
      } else {
        item.bbox = bboxUnion([item.bbox, slots[0].bbox]);
      }
      // With {band} in the pattern each file is one band; otherwise the file's own bands are.
      const named = pattern.hasBand ? [{ name: match.band!, slot: slots[0] }] : slots.map((slot) => ({ name: slot.name, slot }));
      for (const { name, slot } of named) {
        item.assets[name] = { href: slot.href, band: slot.band };
        if (!bands.has(name)) bands.set(name, bandFromSlot(name, slot));
      }
    }
    if (items.size === 0) {
      if (files.length > 0 || problems.length > 0) this.report(this.options.path, `no readable file matches the pattern '${pattern.source}'`, false);
      return undefined;
    }
    const order = meta?.bands && !Array.isArray(meta.bands) ? Object.keys(meta.bands) : [];
    const names = [...bands.keys()].sort((a, b) => {
      const ia = order.indexOf(a), ib = order.indexOf(b);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
      return naturalCompare(a, b);
    });
    const itemList = [...items.values()];
    const { bands: finalBands, renamed } = applyBandOverrides(names.map((n) => bands.get(n)!), meta);
    applyItemProperties(itemList, meta, renamed);
    return buildRecord(id, itemList, finalBands, descriptiveMetadata(meta, this.options.title), this.options.path, problems);
  }
}
