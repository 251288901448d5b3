import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import gdal from 'gdal-async';
import { gdalBuffer } from '../../src/gdal/typedArrays';

/** Stored value of pixel (col, row) of a band: distinct per band and pixel, never 0 (no-data). */
export function storedValue(seed: number, col: number, row: number): number {
  return 1500 + seed * 211 + col * 7 + row * 13;
}

interface BandFileSpec {
  file: string;
  driver: 'JP2OpenJPEG' | 'GTiff';
  epsg: number;
  originX: number;
  originY: number;
  pixel: number;
  size: number;
  seed: number;
  dataType?: string;
}

/** A one-band raster file written by GDAL: real JPEG 2000 (lossless) or GeoTIFF. */
function writeBandFile(spec: BandFileSpec): void {
  fs.mkdirSync(path.dirname(spec.file), { recursive: true });
  const mem = gdal.open('', 'w', 'MEM', spec.size, spec.size, 1, spec.dataType ?? gdal.GDT_UInt16);
  mem.srs = gdal.SpatialReference.fromEPSG(spec.epsg);
  mem.geoTransform = [spec.originX, spec.pixel, 0, spec.originY, 0, -spec.pixel];
  const values = new Uint16Array(spec.size * spec.size);
  for (let r = 0; r < spec.size; r++) for (let c = 0; c < spec.size; c++) values[r * spec.size + c] = spec.dataType === gdal.GDT_Byte ? 1 + ((c + r + spec.seed) % 11) : storedValue(spec.seed, c, r);
  // gdalBuffer: a typed array made in jest's sandbox is otherwise refused by gdal-async as 'Invalid array'.
  mem.bands.get(1).pixels.write(0, 0, spec.size, spec.size, gdalBuffer(spec.dataType === gdal.GDT_Byte ? Uint8Array.from(values) : values));
  const options: Record<string, string> = spec.driver === 'JP2OpenJPEG' ? { REVERSIBLE: 'YES', QUALITY: '100' } : { COMPRESS: 'DEFLATE' };
  gdal.drivers.get(spec.driver).createCopy(spec.file, mem, options).close();
  mem.close();
}

export interface SafeSpec {
  level?: '2A' | '1C';
  satellite?: 'S2A' | 'S2B';
  /** Sensing start, e.g. `20230712T103629`. */
  sensing: string;
  tile?: string;
  epsg?: number;
  originX?: number;
  originY?: number;
  baseline?: string;
  /** The BOA_ADD_OFFSET / RADIO_ADD_OFFSET of every spectral band; null leaves the list out (baselines before 04.00). */
  addOffset?: number | null;
  cloudCover?: number;
  relativeOrbit?: number;
  absoluteOrbit?: number;
  /** Pixels on the 10 m grid (edge); 20 m and 60 m grids follow. */
  size?: number;
}

export const S2_BAND_SEEDS: Record<string, number> = {
  B01: 1, B02: 2, B03: 3, B04: 4, B05: 5, B06: 6, B07: 7, B08: 8, B8A: 9, B09: 10, B10: 11, B11: 12, B12: 13, AOT: 14, WVP: 15, SCL: 16,
};

export interface SafeProduct {
  /** The product name, e.g. `S2B_MSIL2A_…_N0509_R008_T32TNS_…`. */
  name: string;
  /** Folder of the unpacked SAFE (inside the staging folder until zipped). */
  safe: string;
  /** Band files relative to the SAFE folder. */
  bandFiles: Record<string, string>;
}

const SPECTRAL = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

function productMetadata(spec: Required<SafeSpec>, name: string): string {
  const l2a = spec.level === '2A';
  const start = `${spec.sensing.slice(0, 4)}-${spec.sensing.slice(4, 6)}-${spec.sensing.slice(6, 8)}T${spec.sensing.slice(9, 11)}:${spec.sensing.slice(11, 13)}:${spec.sensing.slice(13, 15)}.024Z`;
  const offsetTag = l2a ? 'BOA_ADD_OFFSET' : 'RADIO_ADD_OFFSET';
  const offsets = spec.addOffset === null ? '' :
    `      <${offsetTag}_VALUES_LIST>\n${SPECTRAL.map((_, i) => `        <${offsetTag} band_id="${i}">${spec.addOffset}</${offsetTag}>`).join('\n')}\n      </${offsetTag}_VALUES_LIST>\n`;
  const quantification = l2a
    ? `        <BOA_QUANTIFICATION_VALUE unit="none">10000</BOA_QUANTIFICATION_VALUE>\n        <AOT_QUANTIFICATION_VALUE unit="none">1000.0</AOT_QUANTIFICATION_VALUE>\n        <WVP_QUANTIFICATION_VALUE unit="cm">1000.0</WVP_QUANTIFICATION_VALUE>`
    : `        <QUANTIFICATION_VALUE unit="none">10000</QUANTIFICATION_VALUE>`;
  const root = l2a ? 'Level-2A_User_Product' : 'Level-1C_User_Product';
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<n1:${root} xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_${l2a ? 'Level-2A' : 'Level-1C'}.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <n1:General_Info>
    <Product_Info>
      <PRODUCT_START_TIME>${start}</PRODUCT_START_TIME>
      <PRODUCT_STOP_TIME>${start}</PRODUCT_STOP_TIME>
      <PRODUCT_URI>${name}.SAFE</PRODUCT_URI>
      <PROCESSING_LEVEL>Level-${spec.level}</PROCESSING_LEVEL>
      <PRODUCT_TYPE>S2MSI${spec.level}</PRODUCT_TYPE>
      <PROCESSING_BASELINE>${spec.baseline}</PROCESSING_BASELINE>
      <GENERATION_TIME>${start}</GENERATION_TIME>
      <Datatake datatakeIdentifier="G${spec.satellite}_${spec.sensing}_${String(spec.absoluteOrbit).padStart(6, '0')}_N${spec.baseline}">
        <SPACECRAFT_NAME>Sentinel-${spec.satellite.slice(1)}</SPACECRAFT_NAME>
        <DATATAKE_TYPE>INS-NOBS</DATATAKE_TYPE>
        <DATATAKE_SENSING_START>${start}</DATATAKE_SENSING_START>
        <SENSING_ORBIT_NUMBER>${spec.relativeOrbit}</SENSING_ORBIT_NUMBER>
        <SENSING_ORBIT_DIRECTION>DESCENDING</SENSING_ORBIT_DIRECTION>
      </Datatake>
    </Product_Info>
    <Product_Image_Characteristics>
      <Special_Values>
        <SPECIAL_VALUE_TEXT>NODATA</SPECIAL_VALUE_TEXT>
        <SPECIAL_VALUE_INDEX>0</SPECIAL_VALUE_INDEX>
      </Special_Values>
      <QUANTIFICATION_VALUES_LIST>
${quantification}
      </QUANTIFICATION_VALUES_LIST>
${offsets}    </Product_Image_Characteristics>
  </n1:General_Info>
  <n1:Quality_Indicators_Info>
    <Cloud_Coverage_Assessment>${spec.cloudCover}</Cloud_Coverage_Assessment>
  </n1:Quality_Indicators_Info>
</n1:${root}>
`;
}

/** Writes an unpacked Sentinel-2 SAFE product in `folder`, with the real layout and real JPEG 2000 band files. */
export function writeSafe(folder: string, options: SafeSpec): SafeProduct {
  const spec: Required<SafeSpec> = {
    level: '2A', satellite: 'S2B', tile: '32TNS', epsg: 32632, originX: 600000, originY: 5100000, baseline: '05.09',
    addOffset: -1000, cloudCover: 12.5, relativeOrbit: 8, absoluteOrbit: 33000, size: 12, ...options,
  };
  const l2a = spec.level === '2A';
  const baselineDigits = spec.baseline.replace('.', '');
  const name = `${spec.satellite}_MSIL${spec.level}_${spec.sensing}_N${baselineDigits}_R${String(spec.relativeOrbit).padStart(3, '0')}_T${spec.tile}_${spec.sensing.slice(0, 8)}T134201`;
  const safe = path.join(folder, `${name}.SAFE`);
  const granule = `GRANULE/L${spec.level}_T${spec.tile}_A${String(spec.absoluteOrbit).padStart(6, '0')}_${spec.sensing}`;
  fs.mkdirSync(path.join(safe, granule, 'QI_DATA'), { recursive: true });
  fs.writeFileSync(path.join(safe, `MTD_MSIL${spec.level}.xml`), productMetadata(spec, name));
  fs.writeFileSync(path.join(safe, 'manifest.safe'), '<?xml version="1.0" encoding="UTF-8"?>\n<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1"/>\n');
  fs.writeFileSync(path.join(safe, granule, 'MTD_TL.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<n1:Level-${spec.level}_Tile_ID xmlns:n1="x"/>\n`);
  const prefix = `T${spec.tile}_${spec.sensing}`;
  // L2A: each band at its native resolution and coarser copies (as ESA ships them); L1C: one file per band.
  const layout: Array<[string, number]> = l2a
    ? [['B02', 10], ['B03', 10], ['B04', 10], ['B08', 10], ['AOT', 10], ['WVP', 10], ['B04', 20], ['B05', 20], ['B8A', 20], ['B11', 20], ['SCL', 20], ['B01', 60], ['B04', 60]]
    : [['B02', 10], ['B03', 10], ['B04', 10], ['B08', 10], ['B05', 20], ['B8A', 20], ['B11', 20], ['B01', 60], ['B10', 60]];
  const bandFiles: Record<string, string> = {};
  for (const [band, resolution] of layout) {
    const rel = l2a ? `${granule}/IMG_DATA/R${resolution}m/${prefix}_${band}_${resolution}m.jp2` : `${granule}/IMG_DATA/${prefix}_${band}.jp2`;
    // The coarser copies carry other values so that reading the wrong file would show.
    const seed = S2_BAND_SEEDS[band] + (bandFiles[band] ? 40 : 0);
    writeBandFile({
      file: path.join(safe, rel), driver: 'JP2OpenJPEG', epsg: spec.epsg, originX: spec.originX, originY: spec.originY,
      pixel: resolution, size: (spec.size * 10) / resolution, seed, dataType: band === 'SCL' ? gdal.GDT_Byte : gdal.GDT_UInt16,
    });
    bandFiles[band] ??= rel;
  }
  return { name, safe, bandFiles };
}

/** Zips an unpacked SAFE into `<name>.SAFE.zip` in `folder` (the SAFE folder at the top of the zip, as the hubs deliver it). */
export function zipSafe(product: SafeProduct, folder: string, options: { zip64?: boolean } = {}): string {
  const zip = path.join(folder, `${product.name}.SAFE.zip`);
  execFileSync('zip', ['-q', '-r', ...(options.zip64 ? ['-fz'] : []), zip, path.basename(product.safe)], { cwd: path.dirname(product.safe) });
  return zip;
}

export interface LandsatSpec {
  spacecraft?: 'LANDSAT_8' | 'LANDSAT_9';
  /** YYYYMMDD */
  date: string;
  path?: number;
  row?: number;
  epsg?: number;
  originX?: number;
  originY?: number;
  cloudCover?: number;
  size?: number;
  /** `txt` (default) or `xml` MTL file. */
  mtl?: 'txt' | 'xml';
}

export const LANDSAT_BAND_SEEDS: Record<string, number> = { SR_B1: 1, SR_B2: 2, SR_B3: 3, SR_B4: 4, SR_B5: 5, SR_B6: 6, SR_B7: 7, ST_B10: 8, QA_PIXEL: 9 };

export interface LandsatProduct {
  id: string;
  /** Folder holding the product's files. */
  folder: string;
  files: string[];
}

function mtlText(spec: Required<LandsatSpec>, id: string, files: Record<string, string>): string {
  const date = `${spec.date.slice(0, 4)}-${spec.date.slice(4, 6)}-${spec.date.slice(6, 8)}`;
  const groups: Array<[string, Array<[string, string | number]>]> = [
    ['PRODUCT_CONTENTS', [
      ['ORIGIN', 'Image courtesy of the U.S. Geological Survey'], ['LANDSAT_PRODUCT_ID', id], ['PROCESSING_LEVEL', 'L2SP'],
      ['COLLECTION_NUMBER', '02'], ['COLLECTION_CATEGORY', 'T1'],
      ...Object.entries(files).map(([band, file]): [string, string] => [`FILE_NAME_${band.startsWith('SR_') ? `BAND_${band.slice(4)}` : band}`, file]),
    ]],
    ['IMAGE_ATTRIBUTES', [
      ['SPACECRAFT_ID', spec.spacecraft], ['SENSOR_ID', 'OLI_TIRS'], ['WRS_TYPE', 2], ['WRS_PATH', spec.path], ['WRS_ROW', spec.row],
      ['DATE_ACQUIRED', date], ['SCENE_CENTER_TIME', '10:02:03.1234560Z'], ['CLOUD_COVER', spec.cloudCover], ['CLOUD_COVER_LAND', spec.cloudCover],
      ['SUN_AZIMUTH', 141.2], ['SUN_ELEVATION', 60.5],
    ]],
    ['LEVEL2_SURFACE_REFLECTANCE_PARAMETERS', [1, 2, 3, 4, 5, 6, 7].flatMap((n): Array<[string, string]> => [[`REFLECTANCE_MULT_BAND_${n}`, '2.75E-05'], [`REFLECTANCE_ADD_BAND_${n}`, '-0.200000']])],
    ['LEVEL2_SURFACE_TEMPERATURE_PARAMETERS', [['TEMPERATURE_MULT_BAND_ST_B10', '3.41802E-03'], ['TEMPERATURE_ADD_BAND_ST_B10', '149.000000']]],
    // Level-1 rescaling comes after and must not be taken for the Level-2 values.
    ['LEVEL1_RADIOMETRIC_RESCALING', [['REFLECTANCE_MULT_BAND_4', '2.0000E-05'], ['REFLECTANCE_ADD_BAND_4', '-0.100000']]],
  ];
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : /^-?[\d.E+-]+$/.test(v) && !/^0\d/.test(v) ? v : `"${v}"`);
  if (spec.mtl === 'xml') {
    const body = groups.map(([g, kv]) => `  <${g}>\n${kv.map(([k, v]) => `    <${k}>${v}</${k}>`).join('\n')}\n  </${g}>`).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<LANDSAT_METADATA_FILE>\n${body}\n</LANDSAT_METADATA_FILE>\n`;
  }
  const body = groups.map(([g, kv]) => `  GROUP = ${g}\n${kv.map(([k, v]) => `    ${k} = ${quote(v)}`).join('\n')}\n  END_GROUP = ${g}`).join('\n');
  return `GROUP = LANDSAT_METADATA_FILE\n${body}\nEND_GROUP = LANDSAT_METADATA_FILE\nEND\n`;
}

/** Writes the files of a Landsat Collection 2 Level-2 product (GeoTIFF per band, MTL) into `folder`. */
export function writeLandsat(folder: string, options: LandsatSpec): LandsatProduct {
  const spec: Required<LandsatSpec> = {
    spacecraft: 'LANDSAT_9', path: 193, row: 26, epsg: 32632, originX: 600000, originY: 5100000, cloudCover: 23.4, size: 8, mtl: 'txt', ...options,
  };
  const id = `LC0${spec.spacecraft.slice(-1)}_L2SP_${String(spec.path).padStart(3, '0')}${String(spec.row).padStart(3, '0')}_${spec.date}_${spec.date}_02_T1`;
  fs.mkdirSync(folder, { recursive: true });
  const files: Record<string, string> = {};
  for (const band of Object.keys(LANDSAT_BAND_SEEDS)) {
    files[band] = `${id}_${band}.TIF`;
    writeBandFile({
      file: path.join(folder, files[band]), driver: 'GTiff', epsg: spec.epsg, originX: spec.originX, originY: spec.originY,
      pixel: 30, size: spec.size, seed: LANDSAT_BAND_SEEDS[band],
    });
  }
  const mtl = `${id}_MTL.${spec.mtl}`;
  fs.writeFileSync(path.join(folder, mtl), mtlText(spec, id, files));
  return { id, folder, files: [...Object.values(files), mtl] };
}

/** Bundles a product's files into `<id>.tar` with Debian's tar (files at the top, as USGS delivers them). */
export function tarLandsat(product: LandsatProduct, folder: string): string {
  const tar = path.join(folder, `${product.id}.tar`);
  execFileSync('tar', ['--format=ustar', '-cf', tar, ...product.files], { cwd: product.folder });
  return tar;
}
