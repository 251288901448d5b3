import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import type { Logger } from 'pino';
import { seededRandom, fbm } from './noise';
import { DEMO_AREA, LandCover, elevation, greenness, landCover } from './landscape';
import { bboxToWgs84 } from '../geo';
import { gdalBuffer } from '../../gdal/typedArrays';
import type { MetadataFile } from '../metadataFile';

/** Hot loops use these through module constants: global lookups are slow inside jest's sandbox. */
const { floor, min, max, round, ceil } = Math;

/** Bumped when the generated data changes, so older demo folders are regenerated. */
const DEMO_VERSION = 1;
const MARKER = '.demo-version';

export const DEMO_S2_ID = 'SENTINEL2_L2A_DEMO';
export const DEMO_DEM_ID = 'DEM_DEMO';

/** Acquisition dates of the demo time series: irregular, like cloud-filtered real archives. */
export const DEMO_DATES = [
  '2023-01-14', '2023-02-18', '2023-03-15', '2023-04-09', '2023-04-29', '2023-05-24', '2023-06-13',
  '2023-07-08', '2023-07-28', '2023-08-22', '2023-09-16', '2023-10-11', '2023-11-05', '2023-12-10',
];
/** Share of the scene under cloud per date, in percent before no-data is taken out. */
const CLOUD_TARGETS = [55, 25, 40, 12, 6, 30, 4, 0, 15, 8, 22, 45, 35, 60];
/** Dates at the edge of the satellite's swath: part of the scene has no data. */
const SWATH_EDGE_DATES = new Set([2, 9]);

/** Scene classification codes (as in Sentinel-2 L2A SCL). */
export const SCL = { NoData: 0, CloudShadow: 3, Vegetation: 4, NotVegetated: 5, Water: 6, CloudMedium: 8, CloudHigh: 9 } as const;

const S2_BANDS = ['B02', 'B03', 'B04', 'B08'] as const;
/** Reflectance × 10000 of bare soil and of full green cover, per band; vegetation mixes them. */
const SOIL = [900, 1100, 1400, 2000];
const GREEN = [300, 650, 250, 4300];
const WATER = [700, 600, 350, 150];
const URBAN = [1150, 1200, 1300, 1800];
const CLOUD = [7800, 7600, 7500, 7300];

const CREATE_OPTIONS = ['TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256', 'COMPRESS=DEFLATE', 'ZLEVEL=1', 'PREDICTOR=2'];

function dayOfYear(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return floor((t - Date.UTC(Number(date.slice(0, 4)), 0, 1)) / 86_400_000) + 1;
}

/** Looking a CRS up in the PROJ database takes milliseconds; the demo writes 71 files in two CRSs. */
const srsCache = new Map<number, gdal.SpatialReference>();
function spatialReference(epsg: number): gdal.SpatialReference {
  let srs = srsCache.get(epsg);
  if (!srs) {
    srs = gdal.SpatialReference.fromEPSG(epsg);
    srsCache.set(epsg, srs);
  }
  return srs;
}

/**
 * Writes one array as a tiled, DEFLATE-compressed GeoTIFF (the layout COG readers like);
 * under a temporary name first, so a scan never sees a half-written file.
 */
async function writeTiff(file: string, data: Uint16Array | Float32Array, width: number, height: number, epsg: number, geoTransform: number[], nodata: number): Promise<void> {
  const type = data instanceof Uint16Array ? gdal.GDT_UInt16 : gdal.GDT_Float32;
  const tmp = `${file}.partial`;
  const ds = await gdal.openAsync(tmp, 'w', 'GTiff', width, height, 1, type, CREATE_OPTIONS);
  ds.srs = spatialReference(epsg);
  ds.geoTransform = geoTransform;
  const band = ds.bands.get(1);
  band.noDataValue = nodata;
  await band.pixels.writeAsync(0, 0, width, height, gdalBuffer(data));
  ds.close();
  fs.renameSync(tmp, file);
}

/** The static parts of the scene: land cover and a per-pixel texture. */
function sceneBase(): { cover: Uint8Array; texture: Float32Array } {
  const { width, height, west, north, pixelSize } = DEMO_AREA;
  const cover = new Uint8Array(width * height);
  const texture = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const x = west + (col + 0.5) * pixelSize;
      const y = north - (row + 0.5) * pixelSize;
      const i = row * width + col;
      cover[i] = landCover(x, y);
      texture[i] = 0.9 + 0.2 * fbm(x / 120, y / 120, 77, 3);
    }
  }
  return { cover, texture };
}

interface DateResult {
  bands: Uint16Array[];
  scl: Uint16Array;
  cloudCover: number;
}

/** One acquisition: surface reflectance from land cover and season, then clouds, shadows and no-data. */
function renderDate(dateIndex: number, cover: Uint8Array, texture: Float32Array): DateResult {
  const { width, height } = DEMO_AREA;
  const n = width * height;
  const day = dayOfYear(DEMO_DATES[dateIndex]);
  const random = seededRandom(1000 + dateIndex);
  const bands = S2_BANDS.map(() => new Uint16Array(n));
  const scl = new Uint16Array(n);

  // Clouds: smooth noise thresholded at the quantile that gives the date's target cover.
  const cloudField = new Float32Array(n);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) cloudField[row * width + col] = fbm(col / 90, row / 90, 500 + dateIndex * 31, 4);
  }
  const sorted = Float32Array.from(cloudField).sort();
  const target = CLOUD_TARGETS[dateIndex] / 100;
  const threshold = target <= 0 ? Infinity : sorted[floor((1 - target) * (n - 1))];
  const thick = threshold + 0.06;

  // Ground reflectance and class depend only on land cover and date: a small table per date.
  const groundOf: number[][] = [];
  const classOf: number[] = [];
  for (const c of [LandCover.Water, LandCover.Forest, LandCover.Urban, LandCover.Wheat, LandCover.Maize, LandCover.Grassland, LandCover.Fallow]) {
    const g = greenness(c, day);
    const ground = c === LandCover.Water ? WATER : c === LandCover.Urban ? URBAN : SOIL.map((soil, b) => soil + (GREEN[b] - soil) * g);
    const ndvi = (ground[3] - ground[2]) / (ground[3] + ground[2]);
    groundOf[c] = ground;
    classOf[c] = c === LandCover.Water ? SCL.Water : ndvi > 0.4 ? SCL.Vegetation : SCL.NotVegetated;
  }
  const swathEdge = SWATH_EDGE_DATES.has(dateIndex);

  let valid = 0, cloudy = 0;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      if (swathEdge && col + 0.4 * row > 560) continue; // stays 0: no data
      valid++;
      const c = cover[i];
      const ground = groundOf[c];
      let class_ = classOf[c];
      // Water is smooth; land has texture within and between fields.
      const tex = c === LandCover.Water ? 1 : texture[i];

      // Shadows fall south-east of the clouds.
      const shadowed = row >= 18 && col >= 25 && cloudField[i - 18 * width - 25] > threshold;
      let mix = 0;
      if (cloudField[i] > threshold) {
        const dense = cloudField[i] > thick;
        class_ = dense ? SCL.CloudHigh : SCL.CloudMedium;
        mix = dense ? 1 : 0.55;
        cloudy++;
      } else if (shadowed) {
        class_ = SCL.CloudShadow;
      }
      const shade = class_ === SCL.CloudShadow ? 0.45 : 1;
      for (let b = 0; b < 4; b++) {
        let value = ground[b] * tex * shade;
        value = value * (1 - mix) + CLOUD[b] * mix;
        value *= 1 + 0.04 * (random() - 0.5);
        bands[b][i] = max(1, min(65535, round(value)));
      }
      scl[i] = class_;
    }
  }
  return { bands, scl, cloudCover: valid === 0 ? 0 : round((10000 * cloudy) / valid) / 100 };
}

function s2Metadata(cloudCover: Record<string, { 'eo:cloud_cover': number }>): MetadataFile {
  return {
    $comment: 'Generated by the demo data generator; see README (Collections) for the format.',
    title: 'Sentinel-2 L2A (synthetic demo)',
    description:
      'A synthetic, Sentinel-2-L2A-like time series generated offline for trying the back-end: 14 dates in 2023 over an invented ' +
      'landscape (lake, river, town, forest, fields with seasonal crops) in UTM zone 32N at 10 m. Values are surface reflectance × 10000 ' +
      '(UInt16, 0 = no data); SCL holds scene classes including clouds (8, 9) and cloud shadows (3).',
    license: 'CC0-1.0',
    keywords: ['demo', 'synthetic', 'sentinel-2', 'L2A'],
    providers: [{ name: 'This openEO back-end (demo data generator)', roles: ['producer', 'processor', 'host'] }],
    summaries: { constellation: ['sentinel-2'], instruments: ['msi'] },
    bands: {
      B02: { common_name: 'blue', center_wavelength: 0.49, full_width_half_max: 0.098, description: 'Blue', nodata: 0 },
      B03: { common_name: 'green', center_wavelength: 0.56, full_width_half_max: 0.045, description: 'Green', nodata: 0 },
      B04: { common_name: 'red', center_wavelength: 0.665, full_width_half_max: 0.038, description: 'Red', nodata: 0 },
      B08: { common_name: 'nir', center_wavelength: 0.842, full_width_half_max: 0.145, description: 'Near infrared', nodata: 0 },
      SCL: {
        description: 'Scene classification: 0 no data, 3 cloud shadow, 4 vegetation, 5 not vegetated, 6 water, 8 cloud (medium probability), 9 cloud (high probability)',
        nodata: 0,
      },
    },
    properties: { platform: 'sentinel-2-demo' },
    items: cloudCover,
  };
}

async function generateSentinel2(folder: string): Promise<void> {
  fs.mkdirSync(folder, { recursive: true });
  const { width, height, west, north, pixelSize, epsg } = DEMO_AREA;
  const geoTransform = [west, pixelSize, 0, north, 0, -pixelSize];
  const { cover, texture } = sceneBase();
  const cloudCover: Record<string, { 'eo:cloud_cover': number }> = {};
  for (let d = 0; d < DEMO_DATES.length; d++) {
    const { bands, scl, cloudCover: cc } = renderDate(d, cover, texture);
    const stamp = DEMO_DATES[d].replace(/-/g, '');
    // The files of one date are written in parallel on GDAL's worker threads.
    await Promise.all([
      ...S2_BANDS.map((name, b) => writeTiff(path.join(folder, `S2_${stamp}_${name}.tif`), bands[b], width, height, epsg, geoTransform, 0)),
      writeTiff(path.join(folder, `S2_${stamp}_SCL.tif`), scl, width, height, epsg, geoTransform, 0),
    ]);
    cloudCover[DEMO_DATES[d]] = { 'eo:cloud_cover': cc };
  }
  fs.writeFileSync(path.join(folder, 'collection.meta.json'), JSON.stringify(s2Metadata(cloudCover), null, 2) + '\n');
}

/** The elevation model: same place, in geographic coordinates (EPSG:4326) at 0.0003°. */
async function generateDem(folder: string): Promise<void> {
  fs.mkdirSync(folder, { recursive: true });
  const { west, north, pixelSize, width, height, epsg } = DEMO_AREA;
  const utmBox = bboxToWgs84([west, north - height * pixelSize, west + width * pixelSize, north], `EPSG:${epsg}`);
  const step = 0.0003;
  const margin = 0.003;
  const lon0 = floor((utmBox[0] - margin) / step) * step;
  const lat0 = ceil((utmBox[3] + margin) / step) * step;
  const cols = ceil((utmBox[2] + margin - lon0) / step);
  const rows = ceil((lat0 - (utmBox[1] - margin)) / step);
  const toUtm = new gdal.CoordinateTransformation(
    gdal.SpatialReference.fromProj4('+proj=longlat +datum=WGS84 +no_defs'),
    gdal.SpatialReference.fromProj4(gdal.SpatialReference.fromEPSG(epsg).toProj4()),
  );
  const data = new Float32Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = toUtm.transformPoint(lon0 + (c + 0.5) * step, lat0 - (r + 0.5) * step);
      data[r * cols + c] = round(elevation(p.x, p.y) * 10) / 10;
    }
  }
  await writeTiff(path.join(folder, `${DEMO_DEM_ID}.tif`), data, cols, rows, 4326, [lon0, step, 0, lat0, 0, -step], -9999);
  const meta: MetadataFile = {
    $comment: 'Generated by the demo data generator; see README (Collections) for the format.',
    title: 'Elevation model (synthetic demo)',
    description: 'A synthetic digital elevation model (metres above sea level, Float32) of the same invented landscape as SENTINEL2_L2A_DEMO, in EPSG:4326 at 0.0003°.',
    license: 'CC0-1.0',
    keywords: ['demo', 'synthetic', 'elevation', 'DEM'],
    providers: [{ name: 'This openEO back-end (demo data generator)', roles: ['producer', 'processor', 'host'] }],
    bands: [{ name: 'DEM', unit: 'm', description: 'Height above sea level', nodata: -9999 }],
  };
  fs.writeFileSync(path.join(folder, `${DEMO_DEM_ID}.meta.json`), JSON.stringify(meta, null, 2) + '\n');
}

/**
 * Generates the demo collections below `<dataDir>/demo` unless they are there already.
 * Returns true when it wrote them.
 */
/** The folder of the demo collections inside the data directory. */
export function demoFolder(dataDir: string): string {
  return path.join(dataDir, 'demo');
}

/** Whether the demo folder holds the data of this version (else start-up generates it). */
export function demoDataCurrent(dataDir: string): boolean {
  const marker = path.join(demoFolder(dataDir), MARKER);
  return fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === String(DEMO_VERSION);
}

export async function ensureDemoData(dataDir: string, logger?: Logger): Promise<boolean> {
  if (demoDataCurrent(dataDir)) return false;
  const root = demoFolder(dataDir);
  const marker = path.join(root, MARKER);
  const started = Date.now();
  logger?.info({ folder: root }, 'generating demo collections');
  await generateSentinel2(path.join(root, 'sentinel2'));
  await generateDem(path.join(root, 'dem'));
  fs.writeFileSync(marker, `${DEMO_VERSION}\n`);
  logger?.info({ folder: root, seconds: (Date.now() - started) / 1000 }, 'demo collections ready');
  return true;
}
