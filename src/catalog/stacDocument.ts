import type { BandInfo, CatalogItem } from './types';
import type { CollectionRecord, Link } from './record';

export const STAC_VERSION = '1.0.0';
const EXTENSIONS = {
  datacube: 'https://stac-extensions.github.io/datacube/v2.2.0/schema.json',
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  projection: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
};
const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
const DAY_MS = 86_400_000;

/** SPDX identifiers link to their licence text; `proprietary`/`various` need a link from the metadata. */
function licenseLinks(record: CollectionRecord): Link[] {
  const own = (record.metadata.links ?? []).filter((l) => l.rel === 'license');
  const license = record.metadata.license;
  if (own.length > 0 || !license || license === 'proprietary' || license === 'various' || license === 'other') return own;
  return [{ rel: 'license', href: `https://spdx.org/licenses/${encodeURIComponent(license)}.html`, type: 'text/html', title: `${license} licence` }];
}

/** `GET /collections/{id}` of the collection: the base of its other URLs. */
function collectionUrl(record: CollectionRecord, baseUrl: string): string {
  return `${baseUrl}/collections/${encodeURIComponent(record.info.id)}`;
}

function collectionLinks(record: CollectionRecord, baseUrl: string): Link[] {
  const self = collectionUrl(record, baseUrl);
  return [
    { rel: 'self', href: self, type: 'application/json' },
    { rel: 'root', href: `${baseUrl}/`, type: 'application/json', title: 'openEO back-end' },
    { rel: 'parent', href: `${baseUrl}/collections`, type: 'application/json', title: 'All collections' },
    { rel: QUERYABLES_REL, href: `${self}/queryables`, type: 'application/schema+json', title: 'Queryables' },
    ...licenseLinks(record),
    ...(record.metadata.links ?? []).filter((l) => l.rel !== 'license' && l.rel !== 'self' && l.rel !== 'root' && l.rel !== 'parent'),
  ];
}

/**
 * The map services' default picture of the collection, as a web-map link (an XYZ URL template).
 * Only in the full document: the list stays plain URIs for strict validators of GET /collections.
 */
function previewLink(record: CollectionRecord, baseUrl: string): Link {
  return { rel: 'xyz', href: `${collectionUrl(record, baseUrl)}/preview/{z}/{x}/{y}`, type: 'image/png', title: 'Preview' };
}

function extent(record: CollectionRecord) {
  const t = record.info.temporalExtent;
  return { spatial: { bbox: [record.info.bbox] }, temporal: { interval: [t ? [t[0], t[1]] : [null, null]] } };
}

/** The short form listed by `GET /collections`: no dimensions or summaries. */
export function stacCollectionSummary(record: CollectionRecord, baseUrl: string): Record<string, unknown> {
  const { metadata, info } = record;
  return {
    stac_version: STAC_VERSION,
    type: 'Collection',
    id: info.id,
    title: info.title,
    description: info.description,
    license: metadata.license ?? 'proprietary',
    ...(metadata.providers ? { providers: metadata.providers } : {}),
    ...(metadata.keywords ? { keywords: metadata.keywords } : {}),
    extent: extent(record),
    links: collectionLinks(record, baseUrl),
  };
}

/** `P5D` when all time steps are the same whole number of days (or hours), else null. */
export function regularStep(times: string[]): string | null {
  const ms = [...new Set(times)].map((t) => Date.parse(t)).sort((a, b) => a - b);
  if (ms.length < 2) return null;
  const step = ms[1] - ms[0];
  for (let i = 2; i < ms.length; i++) if (ms[i] - ms[i - 1] !== step) return null;
  if (step % DAY_MS === 0) return `P${step / DAY_MS}D`;
  if (step % 3_600_000 === 0) return `PT${step / 3_600_000}H`;
  if (step % 1000 === 0) return `PT${step / 1000}S`;
  return null;
}

function eoBand(b: BandInfo): Record<string, unknown> {
  return {
    name: b.name,
    ...(b.commonName ? { common_name: b.commonName } : {}),
    ...(b.centerWavelength !== undefined ? { center_wavelength: b.centerWavelength } : {}),
    ...(b.fullWidthHalfMax !== undefined ? { full_width_half_max: b.fullWidthHalfMax } : {}),
    ...(b.description ? { description: b.description } : {}),
  };
}

const STAC_DATA_TYPES: Record<string, string> = {
  Byte: 'uint8', Int8: 'int8', UInt16: 'uint16', Int16: 'int16', UInt32: 'uint32', Int32: 'int32',
  Float32: 'float32', Float64: 'float64', UInt64: 'uint64', Int64: 'int64', CInt16: 'cint16', CInt32: 'cint32', CFloat32: 'cfloat32', CFloat64: 'cfloat64',
};

/** raster:bands fields; NaN and infinities as the strings the raster extension prescribes. */
function rasterBand(b: BandInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (b.nodata !== undefined && b.nodata !== null) {
    out.nodata = Number.isNaN(b.nodata) ? 'nan' : b.nodata === Infinity ? 'inf' : b.nodata === -Infinity ? '-inf' : b.nodata;
  }
  if (b.dataType && STAC_DATA_TYPES[b.dataType]) out.data_type = STAC_DATA_TYPES[b.dataType];
  if (b.scale !== undefined) out.scale = b.scale;
  if (b.offset !== undefined) out.offset = b.offset;
  if (b.unit) out.unit = b.unit;
  if (b.resolution !== undefined) out.spatial_resolution = b.resolution;
  return out;
}

interface PropertyStats {
  numbers: Map<string, { minimum: number; maximum: number; values: Set<number> }>;
  strings: Map<string, Set<string>>;
}

/** What the items' properties hold: ranges and value sets per property. */
function propertyStats(items: CatalogItem[]): PropertyStats {
  const numbers: PropertyStats['numbers'] = new Map();
  const strings: PropertyStats['strings'] = new Map();
  for (const item of items) {
    for (const [key, value] of Object.entries(item.properties)) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        const s = numbers.get(key) ?? { minimum: value, maximum: value, values: new Set<number>() };
        s.minimum = Math.min(s.minimum, value);
        s.maximum = Math.max(s.maximum, value);
        if (s.values.size <= MAX_SUMMARY_VALUES) s.values.add(value);
        numbers.set(key, s);
      } else if (typeof value === 'string' && !/datetime$/.test(key) && key !== 'created' && key !== 'updated') {
        const set = strings.get(key) ?? new Set<string>();
        if (set.size <= MAX_SUMMARY_VALUES) set.add(value);
        strings.set(key, set);
      }
    }
  }
  return { numbers, strings };
}

const MAX_SUMMARY_VALUES = 100;

/**
 * Summaries of item properties as sets of values. Numeric ranges ({minimum, maximum}) would be
 * the natural form, but the openEO API schema cannot tell them from a JSON Schema (its `oneOf`
 * matches both), so properties with many values are left to the queryables endpoint.
 */
function propertySummaries(items: CatalogItem[]): Record<string, unknown> {
  const { numbers, strings } = propertyStats(items);
  const out: Record<string, unknown> = {};
  for (const [key, s] of numbers) if (s.values.size <= MAX_SUMMARY_VALUES) out[key] = [...s.values].sort((a, b) => a - b);
  for (const [key, values] of strings) if (values.size <= MAX_SUMMARY_VALUES) out[key] = [...values].sort();
  return out;
}

/** The full STAC Collection served at `/collections/{id}`. */
export function stacCollectionDocument(record: CollectionRecord, baseUrl: string): Record<string, unknown> {
  const { info, items } = record;
  const [w, s, e, n] = info.nativeBbox;
  const referenceSystem = info.epsg ?? info.crs;
  const dimensions: Record<string, unknown> = {
    x: { type: 'spatial', axis: 'x', extent: [w, e], step: info.resolution[0], reference_system: referenceSystem },
    y: { type: 'spatial', axis: 'y', extent: [s, n], step: info.resolution[1], reference_system: referenceSystem },
  };
  const times = [...new Set(items.map((i) => i.datetime).filter((t): t is string => t !== null))];
  if (info.temporalExtent) {
    dimensions.t = {
      type: 'temporal',
      extent: [info.temporalExtent[0], info.temporalExtent[1]],
      step: regularStep(times),
      // The labels help clients pick dates; for very long series the extent has to do.
      ...(times.length <= 1000 ? { values: times } : {}),
    };
  }
  dimensions.bands = { type: 'bands', values: info.bands.map((b) => b.name) };

  const summaries: Record<string, unknown> = {
    ...(record.metadata.summaries ?? {}),
    ...propertySummaries(items),
    'eo:bands': info.bands.map(eoBand),
    'raster:bands': info.bands.map(rasterBand),
    gsd: [...new Set(info.resolution)],
    ...(info.epsg ? { 'proj:epsg': [info.epsg] } : {}),
  };
  if (info.temporalExtent) summaries.datetime = { minimum: info.temporalExtent[0], maximum: info.temporalExtent[1] };
  return {
    ...stacCollectionSummary(record, baseUrl),
    links: [...collectionLinks(record, baseUrl), previewLink(record, baseUrl)],
    stac_extensions: [EXTENSIONS.datacube, EXTENSIONS.eo, EXTENSIONS.raster, ...(info.epsg ? [EXTENSIONS.projection] : [])],
    'cube:dimensions': dimensions,
    summaries,
  };
}

const PROPERTY_TITLES: Record<string, string> = {
  'eo:cloud_cover': 'Cloud cover (%)',
  platform: 'Platform',
  constellation: 'Constellation',
  instruments: 'Instruments',
};

/** JSON Schema of the item properties `load_collection`'s `properties` filter can test. */
export function queryablesDocument(record: CollectionRecord, baseUrl: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    datetime: { title: 'Acquisition time', type: 'string', format: 'date-time' },
  };
  const { numbers, strings } = propertyStats(record.items);
  for (const [key, values] of strings) {
    properties[key] = { title: PROPERTY_TITLES[key] ?? key, type: 'string', ...(values.size <= MAX_SUMMARY_VALUES ? { enum: [...values].sort() } : {}) };
  }
  for (const [key, s] of numbers) {
    const bounds = key === 'eo:cloud_cover' ? { minimum: 0, maximum: 100 } : { minimum: s.minimum, maximum: s.maximum };
    properties[key] = { title: PROPERTY_TITLES[key] ?? key, type: 'number', ...bounds };
  }
  return {
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    $id: `${collectionUrl(record, baseUrl)}/queryables`,
    type: 'object',
    title: record.info.title,
    properties,
    additionalProperties: false,
  };
}
