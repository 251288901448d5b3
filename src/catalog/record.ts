import type { BandInfo, CatalogItem, CollectionInfo } from './types';
import { Bbox, bboxToWgs84, bboxUnion, nativeBbox } from './geo';

export interface Provider {
  name: string;
  description?: string;
  roles?: string[];
  url?: string;
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** Descriptive metadata that does not come from the pixels: metadata files and STAC documents. */
export interface DescriptiveMetadata {
  title?: string;
  description?: string;
  license?: string;
  providers?: Provider[];
  keywords?: string[];
  links?: Link[];
  /** Extra STAC summaries to serve as they are (e.g. `platform`, `constellation`). */
  summaries?: Record<string, unknown>;
}

/** A collection with everything the catalogue serves about it, rebuilt when its files change. */
export interface CollectionRecord {
  info: CollectionInfo;
  /** Sorted by datetime (items without time first). */
  items: CatalogItem[];
  metadata: DescriptiveMetadata;
  /** Where the collection was found: a folder, file or STAC document. */
  origin: string;
  /** Files that were skipped while building it, with the reason. */
  problems: string[];
}

function compareItems(a: CatalogItem, b: CatalogItem): number {
  if (a.datetime === b.datetime) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  if (a.datetime === null) return -1;
  if (b.datetime === null) return 1;
  return Date.parse(a.datetime) - Date.parse(b.datetime);
}

function mostCommon<T>(values: T[], key: (v: T) => string): T {
  const counts = new Map<string, { value: T; n: number }>();
  for (const v of values) {
    const k = key(v);
    const entry = counts.get(k) ?? { value: v, n: 0 };
    entry.n++;
    counts.set(k, entry);
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0].value;
}

/**
 * Derives the collection-wide facts (grid, extents) from its items. The most common CRS and
 * resolution are the collection's native grid; items in other CRSs still count for the WGS84 extent.
 */
export function buildRecord(
  id: string,
  items: CatalogItem[],
  bands: BandInfo[],
  metadata: DescriptiveMetadata,
  origin: string,
  problems: string[],
): CollectionRecord {
  if (items.length === 0) throw new Error('no readable data');
  const sorted = [...items].sort(compareItems);
  const reference = mostCommon(sorted, (i) => `${i.grid.crs}|${i.grid.geoTransform[1]}|${i.grid.geoTransform[5]}`).grid;
  const native: Bbox[] = sorted.filter((i) => i.grid.crs === reference.crs).map((i) => nativeBbox(i.grid));
  const nativeExtent = bboxUnion(native);
  const bbox = bboxUnion(sorted.map((i) => i.bbox));
  const times = sorted.map((i) => i.datetime).filter((t): t is string => t !== null);
  const info: CollectionInfo = {
    id,
    title: metadata.title ?? id,
    description: metadata.description ?? `Raster data from ${origin}.`,
    bands,
    crs: reference.crs,
    epsg: reference.epsg,
    resolution: [Math.abs(reference.geoTransform[1]), Math.abs(reference.geoTransform[5])],
    nativeBbox: nativeExtent,
    bbox: Number.isFinite(bbox[0]) ? bbox : bboxToWgs84(nativeExtent, reference.crs),
    temporalExtent: times.length > 0 ? [times[0], times[times.length - 1]] : null,
  };
  return { info, items: sorted, metadata, origin, problems };
}
