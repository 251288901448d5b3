import path from 'node:path';
import type { ProductArchive } from './archive';
import { BandTemplate, finiteNumber, ParsedProduct, ProductBand, ProductTypeInfo, rfc3339 } from './types';

const reflectance = (name: string, commonName: string, centerWavelength: number, description: string): BandTemplate => ({
  name, commonName, centerWavelength, description: `${description}, surface reflectance`, nodata: 0, dataType: 'UInt16', unit: '1',
});
const temperature = (name: string, centerWavelength: number): BandTemplate => ({
  name, commonName: 'lwir', centerWavelength, description: 'Surface temperature', nodata: 0, dataType: 'UInt16', unit: 'K',
});
const QA_PIXEL: BandTemplate = {
  name: 'QA_PIXEL', description: 'Pixel quality bits: 0 fill, 1 dilated cloud, 2 cirrus, 3 cloud, 4 cloud shadow, 5 snow, 6 clear, 7 water', nodata: 1, dataType: 'UInt16',
};

/** A Landsat product type: its satellites, instruments and bands. */
function landsatType(satellites: string, sensors: string, instruments: string[], bands: BandTemplate[]): ProductTypeInfo {
  return {
    title: `Landsat ${satellites} Collection 2 Level-2 (${sensors})`,
    description: `Landsat ${satellites.replace(/\//g, ', ')} Collection 2 Level-2 products from a local folder. Surface reflectance and temperature are delivered as physical values (reflectance, kelvin) with the scale and offset of the MTL file.`,
    bands: [...bands, QA_PIXEL],
    summaries: { constellation: ['landsat'], instruments },
    license: 'proprietary',
  };
}

export const LANDSAT_TYPES: Record<string, ProductTypeInfo> = {
  LANDSAT_C2_L2: landsatType('8/9', 'OLI/TIRS', ['oli', 'tirs'], [
    reflectance('SR_B1', 'coastal', 0.44, 'Coastal aerosol'),
    reflectance('SR_B2', 'blue', 0.48, 'Blue'),
    reflectance('SR_B3', 'green', 0.56, 'Green'),
    reflectance('SR_B4', 'red', 0.655, 'Red'),
    reflectance('SR_B5', 'nir08', 0.865, 'Near infrared'),
    reflectance('SR_B6', 'swir16', 1.61, 'Short-wave infrared 1'),
    reflectance('SR_B7', 'swir22', 2.2, 'Short-wave infrared 2'),
    temperature('ST_B10', 10.9),
  ]),
  LANDSAT_TM_ETM_C2_L2: landsatType('4/5/7', 'TM/ETM+', ['tm', 'etm+'], [
    reflectance('SR_B1', 'blue', 0.485, 'Blue'),
    reflectance('SR_B2', 'green', 0.56, 'Green'),
    reflectance('SR_B3', 'red', 0.66, 'Red'),
    reflectance('SR_B4', 'nir08', 0.835, 'Near infrared'),
    reflectance('SR_B5', 'swir16', 1.65, 'Short-wave infrared 1'),
    reflectance('SR_B7', 'swir22', 2.22, 'Short-wave infrared 2'),
    temperature('ST_B6', 11.45),
  ]),
};

/** `LC09_L2SP_…` names a Landsat Collection 2 product (a tar bundle or its unpacked files). */
export const LANDSAT_NAME = /^L[COTEM]0\d_L\d[A-Z]{2}_\d{6}_\d{8}_\d{8}_\d{2}_[A-Z0-9]{2}/;

/** Groups of an MTL file (`GROUP = X … END_GROUP = X` in .txt, `<X>…</X>` in .xml) as key → value. */
function mtlGroup(text: string, group: string, xml: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const body = xml
    ? new RegExp(`<${group}>([\\s\\S]*?)</${group}>`).exec(text)?.[1]
    : new RegExp(`GROUP = ${group}\\s*\\n([\\s\\S]*?)END_GROUP = ${group}`).exec(text)?.[1];
  if (!body) return out;
  const re = xml ? /<(\w+)>([^<]*)<\/\1>/g : /^\s*(\w+)\s*=\s*"?([^"\r\n]*)"?\s*$/gm;
  for (let m = re.exec(body); m; m = re.exec(body)) if (!out.has(m[1])) out.set(m[1], m[2].trim());
  return out;
}

const BAND_FILE = /_(SR_B\d|ST_B\d{1,2}|QA_PIXEL)\.TIF$/i;

/** Reads a Landsat Collection 2 Level-2 product from its MTL file and band GeoTIFFs. */
export function parseLandsat(archive: ProductArchive): ParsedProduct {
  const mtlFile = archive.files.find((f) => /_MTL\.txt$/i.test(f)) ?? archive.files.find((f) => /_MTL\.xml$/i.test(f));
  if (!mtlFile) throw new Error('no *_MTL.txt or *_MTL.xml in the product');
  const xml = /\.xml$/i.test(mtlFile);
  const text = archive.read(mtlFile).toString('utf8');
  if (xml ? !/<\/LANDSAT_METADATA_FILE>\s*$/.test(text) : !/END_GROUP = LANDSAT_METADATA_FILE\s*(END\s*)?$/.test(text)) {
    throw new Error(`${path.posix.basename(mtlFile)} is incomplete`);
  }
  const contents = mtlGroup(text, 'PRODUCT_CONTENTS', xml);
  const image = mtlGroup(text, 'IMAGE_ATTRIBUTES', xml);
  const level = contents.get('PROCESSING_LEVEL') ?? '';
  if (!level.startsWith('L2')) throw new Error(`processing level '${level || 'unknown'}': only Level-2 products are read`);
  const id = contents.get('LANDSAT_PRODUCT_ID') ?? path.posix.basename(mtlFile).replace(/_MTL\.\w+$/i, '');
  const date = image.get('DATE_ACQUIRED');
  if (!date) throw new Error('the MTL file has no DATE_ACQUIRED');
  const time = image.get('SCENE_CENTER_TIME') ?? '00:00:00Z';
  const spacecraft = image.get('SPACECRAFT_ID') ?? '';
  const oli = /LANDSAT_(8|9)/.test(spacecraft) || /^LC0[89]/.test(id);
  const productType = oli ? 'LANDSAT_C2_L2' : 'LANDSAT_TM_ETM_C2_L2';
  const known = new Set(LANDSAT_TYPES[productType].bands.map((b) => b.name));

  const sr = mtlGroup(text, 'LEVEL2_SURFACE_REFLECTANCE_PARAMETERS', xml);
  const st = mtlGroup(text, 'LEVEL2_SURFACE_TEMPERATURE_PARAMETERS', xml);
  const bands: ProductBand[] = [];
  for (const rel of archive.files) {
    const name = BAND_FILE.exec(rel)?.[1]?.toUpperCase();
    if (!name || !known.has(name)) continue;
    let scale = 1;
    let offset = 0;
    if (name.startsWith('SR_')) {
      const n = name.slice(4);
      scale = finiteNumber(sr.get(`REFLECTANCE_MULT_BAND_${n}`) ?? '2.75e-5', `reflectance scale of ${name}`);
      offset = finiteNumber(sr.get(`REFLECTANCE_ADD_BAND_${n}`) ?? '-0.2', `reflectance offset of ${name}`);
    } else if (name.startsWith('ST_')) {
      scale = finiteNumber(st.get(`TEMPERATURE_MULT_BAND_${name}`) ?? '0.00341802', `temperature scale of ${name}`);
      offset = finiteNumber(st.get(`TEMPERATURE_ADD_BAND_${name}`) ?? '149', `temperature offset of ${name}`);
    }
    bands.push({ name, rel, href: archive.gdalPath(rel), band: 1, scale, offset });
  }
  if (bands.length === 0) throw new Error('no band files (*_SR_B*.TIF, *_ST_B*.TIF, *_QA_PIXEL.TIF) in the product');

  const number = (v: string | undefined) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
  const pad = (v: string | undefined) => (v ? v.padStart(3, '0') : undefined);
  const entries: Array<[string, unknown]> = [
    ['platform', spacecraft ? spacecraft.toLowerCase().replace('_', '-') : undefined],
    ['constellation', 'landsat'],
    ['eo:cloud_cover', number(image.get('CLOUD_COVER'))],
    ['landsat:cloud_cover_land', number(image.get('CLOUD_COVER_LAND'))],
    ['landsat:wrs_path', pad(image.get('WRS_PATH'))],
    ['landsat:wrs_row', pad(image.get('WRS_ROW'))],
    ['landsat:collection_number', contents.get('COLLECTION_NUMBER')],
    ['landsat:collection_category', contents.get('COLLECTION_CATEGORY')],
    ['landsat:correction', level],
    ['landsat:product_id', id],
    ['view:sun_elevation', number(image.get('SUN_ELEVATION'))],
    ['view:sun_azimuth', number(image.get('SUN_AZIMUTH'))],
  ];
  const properties = Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  return { productType, id, datetime: rfc3339(`${date}T${time.replace(/(\.\d{3})\d*/, '$1')}`), properties, bands };
}
