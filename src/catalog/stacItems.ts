import path from 'node:path';
import type { BandInfo, CatalogItem } from './types';
import type { CollectionRecord } from './record';
import { STAC_VERSION } from './stacDocument';

const EXTENSIONS = [
  'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
];

const MEDIA_TYPES: Record<string, string> = {
  tif: 'image/tiff; application=geotiff',
  tiff: 'image/tiff; application=geotiff',
  jp2: 'image/jp2',
  nc: 'application/netcdf',
  nc4: 'application/netcdf',
  vrt: 'application/xml',
  h5: 'application/x-hdf5',
};

const STAC_TYPES: Record<string, string> = { Byte: 'uint8', UInt16: 'uint16', Int16: 'int16', UInt32: 'uint32', Int32: 'int32', Float32: 'float32', Float64: 'float64' };

/** Asset hrefs relative to where the item file is written, so the folder can move as a whole. */
function relativeHref(href: string, outDir: string): string {
  if (!path.isAbsolute(href)) return href;
  return path.relative(outDir, href).split(path.sep).join('/');
}

function polygon([w, s, e, n]: CatalogItem['bbox']) {
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

function eoBand(band: BandInfo): Record<string, unknown> {
  return {
    name: band.name,
    ...(band.commonName ? { common_name: band.commonName } : {}),
    ...(band.centerWavelength !== undefined ? { center_wavelength: band.centerWavelength } : {}),
  };
}

function rasterBand(band: BandInfo): Record<string, unknown> {
  const raster: Record<string, unknown> = {};
  if (band.nodata !== undefined && band.nodata !== null && Number.isFinite(band.nodata)) raster.nodata = band.nodata;
  if (band.dataType && STAC_TYPES[band.dataType]) raster.data_type = STAC_TYPES[band.dataType];
  if (band.scale !== undefined) raster.scale = band.scale;
  if (band.offset !== undefined) raster.offset = band.offset;
  return raster;
}

/** A STAC Item for one catalogue item, with proj: fields so readers need not open the files. */
export function stacItem(item: CatalogItem, bands: BandInfo[], collectionId: string, outDir: string): Record<string, unknown> {
  const [ox, px, rx, oy, ry, py] = item.grid.geoTransform;
  // One asset per file; a file holding several bands lists them in band order.
  const byFile = new Map<string, Map<number, BandInfo>>();
  for (const band of bands) {
    const asset = item.assets[band.name];
    if (!asset) continue;
    const inFile = byFile.get(asset.href) ?? new Map<number, BandInfo>();
    inFile.set(asset.band, band);
    byFile.set(asset.href, inFile);
  }
  const assets: Record<string, unknown> = {};
  for (const [href, inFile] of byFile) {
    const count = Math.max(...inFile.keys());
    const key = inFile.size === 1 && count === 1 ? [...inFile.values()][0].name : path.basename(href).replace(/\.[^.]+$/, '');
    const ordered = Array.from({ length: count }, (_, i) => inFile.get(i + 1) ?? { name: `${key}_${i + 1}` });
    const ext = href.toLowerCase().split('.').pop() ?? '';
    assets[key] = {
      href: relativeHref(href, outDir),
      ...(MEDIA_TYPES[ext] ? { type: MEDIA_TYPES[ext] } : {}),
      roles: ['data'],
      'eo:bands': ordered.map(eoBand),
      'raster:bands': ordered.map(rasterBand),
    };
  }
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: EXTENSIONS,
    id: item.id,
    collection: collectionId,
    bbox: item.bbox,
    geometry: polygon(item.bbox),
    properties: {
      ...item.properties,
      datetime: item.datetime,
      ...(item.grid.epsg ? { 'proj:epsg': item.grid.epsg } : { 'proj:wkt2': item.grid.crs }),
      'proj:shape': [item.grid.height, item.grid.width],
      'proj:transform': [px, rx, ox, ry, py, oy],
    },
    assets,
    links: [{ rel: 'collection', href: './collection.json', type: 'application/json' }],
  };
}

/** A static STAC Collection that links the item files written next to it. */
export function stacCollectionFile(record: CollectionRecord, itemFiles: string[]): Record<string, unknown> {
  const { info, metadata } = record;
  const t = info.temporalExtent;
  return {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [EXTENSIONS[0]],
    id: info.id,
    title: info.title,
    description: info.description,
    license: metadata.license ?? 'proprietary',
    extent: { spatial: { bbox: [info.bbox] }, temporal: { interval: [t ? [t[0], t[1]] : [null, null]] } },
    summaries: { 'eo:bands': info.bands.map(eoBand) },
    links: itemFiles.map((f) => ({ rel: 'item', href: `./${f}`, type: 'application/geo+json' })),
  };
}
