import fs from 'node:fs';
import Ajv from 'ajv';
import type { BandInfo, CatalogItem } from './types';
import type { DescriptiveMetadata } from './record';

/** What an administrator may say about one band in a metadata file (STAC eo/raster field names). */
export interface BandOverride {
  name?: string;
  common_name?: string;
  center_wavelength?: number;
  full_width_half_max?: number;
  description?: string;
  nodata?: number | null;
  scale?: number;
  offset?: number;
  /** Deliver physical values (raw × scale + offset) from load_collection instead of stored ones. */
  apply_scale?: boolean;
  unit?: string;
}

/**
 * A per-collection metadata file (`collection.meta.json` next to a time series, or
 * `<file>.meta.json` next to a single raster) that completes or overrides what GDAL found.
 */
export interface MetadataFile extends DescriptiveMetadata {
  $comment?: string;
  id?: string;
  /** By band name, or a list in band order (then `name` renames the band). */
  bands?: BandOverride[] | Record<string, BandOverride>;
  /** Properties of all items, e.g. `platform`. */
  properties?: Record<string, unknown>;
  /** Properties per item, keyed by item date (`2023-01-05`) or item id, e.g. `eo:cloud_cover`. */
  items?: Record<string, Record<string, unknown>>;
  /** Time of a single raster whose files carry none. */
  datetime?: string;
}

const bandSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    common_name: { type: 'string' },
    center_wavelength: { type: 'number' },
    full_width_half_max: { type: 'number' },
    description: { type: 'string' },
    nodata: { type: ['number', 'null'] },
    scale: { type: 'number' },
    offset: { type: 'number' },
    apply_scale: { type: 'boolean' },
    unit: { type: 'string' },
  },
};

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
    title: { type: 'string' },
    description: { type: 'string' },
    license: { type: 'string', minLength: 1 },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, description: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, url: { type: 'string' } },
      },
    },
    keywords: { type: 'array', items: { type: 'string' } },
    links: { type: 'array', items: { type: 'object', required: ['href', 'rel'], properties: { href: { type: 'string' }, rel: { type: 'string' } } } },
    summaries: { type: 'object' },
    bands: { oneOf: [{ type: 'array', items: bandSchema }, { type: 'object', additionalProperties: bandSchema }] },
    properties: { type: 'object' },
    items: { type: 'object', additionalProperties: { type: 'object' } },
    datetime: { type: 'string', format: 'date-time' },
  },
};

const ajv = new Ajv({ strict: false, allErrors: false });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
const validate = ajv.compile(schema);

/** Reads a metadata file; undefined when there is none. Throws with the reason when it is invalid. */
export function readMetadataFile(file: string): MetadataFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed: unknown = JSON.parse(text);
  if (!validate(parsed)) {
    const err = validate.errors![0];
    throw new Error(`${err.instancePath || '(root)'} ${err.message}`);
  }
  return parsed as MetadataFile;
}

function overrideBand(band: BandInfo, o: BandOverride): BandInfo {
  const out = { ...band };
  if (o.name !== undefined) out.name = o.name;
  if (o.common_name !== undefined) out.commonName = o.common_name;
  if (o.center_wavelength !== undefined) out.centerWavelength = o.center_wavelength;
  if (o.full_width_half_max !== undefined) out.fullWidthHalfMax = o.full_width_half_max;
  if (o.description !== undefined) out.description = o.description;
  if (o.nodata !== undefined) out.nodata = o.nodata;
  if (o.scale !== undefined) out.scale = o.scale;
  if (o.offset !== undefined) out.offset = o.offset;
  if (o.apply_scale !== undefined) out.applyScale = o.apply_scale;
  if (o.unit !== undefined) out.unit = o.unit;
  return out;
}

/** Band list after the overrides; `renamed` maps old names to new ones for the item assets. */
export function applyBandOverrides(bands: BandInfo[], meta: MetadataFile | undefined): { bands: BandInfo[]; renamed: Map<string, string> } {
  const renamed = new Map<string, string>();
  if (!meta?.bands) return { bands, renamed };
  const list = Array.isArray(meta.bands) ? meta.bands : undefined;
  const byName = Array.isArray(meta.bands) ? {} : meta.bands;
  const out = bands.map((band, i) => {
    const o = list ? list[i] : byName[band.name];
    if (!o) return band;
    const next = overrideBand(band, o);
    if (next.name !== band.name) renamed.set(band.name, next.name);
    return next;
  });
  return { bands: out, renamed };
}

/** Adds the metadata file's properties to each item: collection-wide first, then per date or id. */
export function applyItemProperties(items: CatalogItem[], meta: MetadataFile | undefined, renamed: Map<string, string>): void {
  for (const item of items) {
    if (renamed.size > 0) {
      const assets: CatalogItem['assets'] = {};
      for (const [name, asset] of Object.entries(item.assets)) assets[renamed.get(name) ?? name] = asset;
      item.assets = assets;
    }
    if (!meta) continue;
    if (meta.properties) Object.assign(item.properties, meta.properties);
    const perItem = meta.items?.[item.id] ?? (item.datetime ? meta.items?.[item.datetime.slice(0, 10)] ?? meta.items?.[item.datetime] : undefined);
    if (perItem) Object.assign(item.properties, perItem);
  }
}

/** The descriptive part of a metadata file, for the STAC document. */
export function descriptiveMetadata(meta: MetadataFile | undefined, title?: string): DescriptiveMetadata {
  const out: DescriptiveMetadata = {};
  if (title) out.title = title;
  if (!meta) return out;
  for (const key of ['title', 'description', 'license', 'providers', 'keywords', 'links', 'summaries'] as const) {
    if (meta[key] !== undefined) (out as Record<string, unknown>)[key] = meta[key];
  }
  return out;
}
