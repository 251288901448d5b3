import path from 'node:path';
import type { ProductArchive } from './archive';
import { BandTemplate, finiteNumber, ParsedProduct, ProductBand, ProductTypeInfo, rfc3339, xmlByAttribute, xmlText } from './types';

/** Spectral bands in the order of the metadata's band_id (0 = B01 … 12 = B12). */
const SPECTRAL = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

const SPECTRAL_BANDS: BandTemplate[] = [
  { name: 'B01', commonName: 'coastal', centerWavelength: 0.443, fullWidthHalfMax: 0.027, description: 'Coastal aerosol (60 m)' },
  { name: 'B02', commonName: 'blue', centerWavelength: 0.49, fullWidthHalfMax: 0.098, description: 'Blue (10 m)' },
  { name: 'B03', commonName: 'green', centerWavelength: 0.56, fullWidthHalfMax: 0.045, description: 'Green (10 m)' },
  { name: 'B04', commonName: 'red', centerWavelength: 0.665, fullWidthHalfMax: 0.038, description: 'Red (10 m)' },
  { name: 'B05', commonName: 'rededge', centerWavelength: 0.704, fullWidthHalfMax: 0.019, description: 'Red edge 1 (20 m)' },
  { name: 'B06', commonName: 'rededge', centerWavelength: 0.74, fullWidthHalfMax: 0.018, description: 'Red edge 2 (20 m)' },
  { name: 'B07', commonName: 'rededge', centerWavelength: 0.783, fullWidthHalfMax: 0.028, description: 'Red edge 3 (20 m)' },
  { name: 'B08', commonName: 'nir', centerWavelength: 0.842, fullWidthHalfMax: 0.145, description: 'Near infrared (10 m)' },
  { name: 'B8A', commonName: 'nir08', centerWavelength: 0.865, fullWidthHalfMax: 0.033, description: 'Narrow near infrared (20 m)' },
  { name: 'B09', commonName: 'nir09', centerWavelength: 0.945, fullWidthHalfMax: 0.026, description: 'Water vapour (60 m)' },
  { name: 'B10', commonName: 'cirrus', centerWavelength: 1.375, fullWidthHalfMax: 0.075, description: 'Cirrus (60 m)' },
  { name: 'B11', commonName: 'swir16', centerWavelength: 1.61, fullWidthHalfMax: 0.143, description: 'Short-wave infrared 1 (20 m)' },
  { name: 'B12', commonName: 'swir22', centerWavelength: 2.19, fullWidthHalfMax: 0.242, description: 'Short-wave infrared 2 (20 m)' },
].map((b) => ({ ...b, nodata: 0, dataType: 'UInt16', unit: '1' }));

const L2A_EXTRA: BandTemplate[] = [
  { name: 'SCL', description: 'Scene classification (20 m): 0 no data, 1 saturated, 2 dark, 3 cloud shadow, 4 vegetation, 5 bare soil, 6 water, 7 unclassified, 8/9 cloud medium/high probability, 10 thin cirrus, 11 snow', nodata: 0, dataType: 'Byte' },
  { name: 'AOT', description: 'Aerosol optical thickness at 550 nm (10 m)', nodata: 0, dataType: 'UInt16', unit: '1' },
  { name: 'WVP', description: 'Water vapour (10 m)', nodata: 0, dataType: 'UInt16', unit: 'cm' },
];

const SUMMARIES = { constellation: ['sentinel-2'], instruments: ['msi'] };
const LICENSE = 'proprietary';

export const SENTINEL2_TYPES: Record<string, ProductTypeInfo> = {
  SENTINEL2_L2A: {
    title: 'Sentinel-2 Level-2A (surface reflectance)',
    description: 'Sentinel-2 MSI Level-2A products (SAFE) from a local folder. Reflectances are delivered as physical values: (DN + BOA_ADD_OFFSET) / BOA_QUANTIFICATION_VALUE.',
    bands: [...SPECTRAL_BANDS.filter((b) => b.name !== 'B10'), ...L2A_EXTRA],
    summaries: SUMMARIES,
    license: LICENSE,
  },
  SENTINEL2_L1C: {
    title: 'Sentinel-2 Level-1C (top-of-atmosphere reflectance)',
    description: 'Sentinel-2 MSI Level-1C products (SAFE) from a local folder. Reflectances are delivered as physical values: (DN + RADIO_ADD_OFFSET) / QUANTIFICATION_VALUE.',
    bands: SPECTRAL_BANDS,
    summaries: SUMMARIES,
    license: LICENSE,
  },
};

/** `S2A_MSIL2A_…` (a SAFE folder or zip) names a Sentinel-2 product. */
export function isSentinel2ProductName(name: string): boolean {
  return /^S2[A-D]_MSIL(1C|2A)_.*\.SAFE(\.zip)?$/i.test(name) || /^S2[A-D]_MSIL(1C|2A)_.*\.zip$/i.test(name);
}

const BAND_FILE = /_(B\d{2}|B8A|SCL|AOT|WVP)(?:_(10|20|60)m)?\.jp2$/i;

/** The band files of the product's granule, the finest resolution of each band. */
function bandFiles(archive: ProductArchive, safeRoot: string): Map<string, string> {
  const granules = new Set<string>();
  const chosen = new Map<string, { rel: string; resolution: number }>();
  for (const rel of archive.files) {
    if (!rel.startsWith(safeRoot)) continue;
    const parts = rel.slice(safeRoot.length).split('/');
    if (parts[0] !== 'GRANULE' || parts[2] !== 'IMG_DATA') continue;
    const m = BAND_FILE.exec(parts[parts.length - 1]);
    if (!m) continue;
    granules.add(parts[1]);
    const name = m[1].toUpperCase();
    const resolution = m[2] ? Number(m[2]) : 0;
    const known = chosen.get(name);
    if (!known || resolution < known.resolution) chosen.set(name, { rel, resolution });
  }
  if (granules.size > 1) throw new Error('products of several granules (older than 2016-12) are not supported');
  return new Map([...chosen.entries()].map(([k, v]) => [k, v.rel]));
}

/** Reads a Sentinel-2 L1C or L2A product (SAFE) from its product metadata file. */
export function parseSentinel2(archive: ProductArchive): ParsedProduct {
  const mtd = archive.files
    .filter((f) => /(^|\/)MTD_MSIL(1C|2A)\.xml$/.test(f))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (!mtd) throw new Error('no MTD_MSIL1C.xml or MTD_MSIL2A.xml in the product');
  const level = /MTD_MSIL(1C|2A)\.xml$/.exec(mtd)![1];
  const safeRoot = mtd.slice(0, mtd.length - path.posix.basename(mtd).length);
  const xml = archive.read(mtd).toString('utf8');
  if (!/<\/[\w:-]*User_Product>\s*$/.test(xml)) {
    throw new Error(`${path.posix.basename(mtd)} is incomplete or not valid XML`);
  }
  const productName =
    safeRoot.split('/').filter(Boolean).pop()?.replace(/\.SAFE$/i, '') ??
    xmlText(xml, 'PRODUCT_URI')?.replace(/\.SAFE$/i, '') ??
    path.basename(archive.location).replace(/\.zip$/i, '').replace(/\.SAFE$/i, '');
  const start = xmlText(xml, 'PRODUCT_START_TIME') ?? xmlText(xml, 'DATATAKE_SENSING_START');
  if (!start) throw new Error('the metadata has no PRODUCT_START_TIME');

  const quantification = finiteNumber(xmlText(xml, level === '2A' ? 'BOA_QUANTIFICATION_VALUE' : 'QUANTIFICATION_VALUE'), 'quantification value');
  // Processing baseline 04.00 and later shifts the stored values by an offset (−1000).
  const offsets = xmlByAttribute(xml, level === '2A' ? 'BOA_ADD_OFFSET' : 'RADIO_ADD_OFFSET', 'band_id');
  const files = bandFiles(archive, safeRoot);
  if (files.size === 0) throw new Error('no band files (GRANULE/*/IMG_DATA/*.jp2) in the product');
  const bands: ProductBand[] = [];
  for (const [name, rel] of files) {
    const index = SPECTRAL.indexOf(name);
    let scale = 1;
    let offset = 0;
    if (index >= 0) {
      const add = offsets.has(String(index)) ? finiteNumber(offsets.get(String(index)), `offset of ${name}`) : 0;
      scale = 1 / quantification;
      offset = add / quantification;
    } else if (name === 'AOT' || name === 'WVP') {
      scale = 1 / finiteNumber(xmlText(xml, `${name}_QUANTIFICATION_VALUE`) ?? '1000', `${name} quantification value`);
    } else if (level !== '2A') continue;
    bands.push({ name, rel, href: archive.gdalPath(rel), band: 1, scale, offset });
  }

  const tile = /_T(\d{2}[A-Z]{3})_/.exec(productName)?.[1];
  const spacecraft = xmlText(xml, 'SPACECRAFT_NAME');
  const cloud = xmlText(xml, 'Cloud_Coverage_Assessment');
  const orbit = xmlText(xml, 'SENSING_ORBIT_NUMBER');
  const baseline = xmlText(xml, 'PROCESSING_BASELINE');
  const datatake = /datatakeIdentifier="([^"]*)"/.exec(xml)?.[1] ?? '';
  const absoluteOrbit = /_(\d{6})_N\d\d\.\d\d$/.exec(datatake)?.[1];
  const properties: Record<string, unknown> = {
    ...(spacecraft ? { platform: spacecraft.toLowerCase() } : {}),
    constellation: 'sentinel-2',
    ...(cloud !== undefined && Number.isFinite(Number(cloud)) ? { 'eo:cloud_cover': Number(cloud) } : {}),
    ...(tile ? { 's2:mgrs_tile': tile, 'mgrs:utm_zone': Number(tile.slice(0, 2)), 'mgrs:latitude_band': tile[2], 'mgrs:grid_square': tile.slice(3) } : {}),
    ...(orbit && Number.isFinite(Number(orbit)) ? { 'sat:relative_orbit': Number(orbit) } : {}),
    ...(absoluteOrbit ? { 'sat:absolute_orbit': Number(absoluteOrbit) } : {}),
    ...(baseline ? { 's2:processing_baseline': baseline } : {}),
    's2:product_type': level === '2A' ? 'S2MSI2A' : 'S2MSI1C',
    's2:product_uri': `${productName}.SAFE`,
  };
  return { productType: `SENTINEL2_L${level}`, id: productName, datetime: rfc3339(start), properties, bands };
}
