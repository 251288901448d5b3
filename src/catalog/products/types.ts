import type { BandInfo, CatalogItem, GridInfo } from '../types';

/** One band of one product: its file and how its stored values become physical ones. */
export interface ProductBand {
  name: string;
  /** The band file's path inside the product (zip, tar or folder). */
  rel: string;
  /** GDAL dataset name of the band file (inside the archive). */
  href: string;
  band: number;
  /** physical = stored × scale + offset (1 and 0 for classes and bit masks). */
  scale: number;
  offset: number;
}

/** What a product's metadata says, before any pixel is looked at. */
export interface ParsedProduct {
  /** Collection of its product type, e.g. `SENTINEL2_L2A`. */
  productType: string;
  /** Product name, unique among products (the SAFE or Landsat product id). */
  id: string;
  datetime: string;
  properties: Record<string, unknown>;
  bands: ProductBand[];
}

/** A product's band with the grid its file has. */
export interface DescribedBand extends ProductBand {
  grid: GridInfo;
  wkt: string;
}

/** A product as read once per version: its metadata and the grids of its band files. */
export interface DescribedProduct extends ParsedProduct {
  location: string;
  bands: DescribedBand[];
  /** The finest grid among the bands: the grid of the item. */
  grid: GridInfo;
  bbox: CatalogItem['bbox'];
}

/** The fixed description of a band of a product type: names, wavelengths, no-data, type. */
export type BandTemplate = Omit<BandInfo, 'scale' | 'offset' | 'applyScale'>;

export interface ProductTypeInfo {
  title: string;
  description: string;
  /** In the order they are listed. */
  bands: BandTemplate[];
  summaries: Record<string, unknown>;
  license: string;
}

/** Reads the value of `<tag ...>value</tag>` (first occurrence), or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m ? m[1].trim() : undefined;
}

/** All `<tag attr="key">value</tag>` pairs. */
export function xmlByAttribute(xml: string, tag: string, attribute: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`<${tag}\\s[^>]*${attribute}="([^"]*)"[^>]*>([^<]*)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.set(m[1], m[2].trim());
  return out;
}

export function rfc3339(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`'${value}' is not a time`);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

export function finiteNumber(value: string | undefined, what: string): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n)) throw new Error(`the metadata has no valid ${what}`);
  return n;
}
