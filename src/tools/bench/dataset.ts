import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';

/** The synthetic Sentinel-2-like time series the benchmark reads. */
export const BANDS = ['B02', 'B03', 'B04', 'B08'] as const;
export type BandName = (typeof BANDS)[number];
export const EPSG = 32632;
export const PIXEL_SIZE = 10;
export const ORIGIN = { west: 300000, north: 5100000 };
const BLOCK = 512;

/** Twelve dates, one a month, as `YYYY-MM-DD`. */
export const DATES: string[] = Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}-05`);

export function fileName(date: string, band: string): string {
  return `S2_${date.replace(/-/g, '')}_${band}.tif`;
}

/** Cheap integer hash: deterministic per-pixel noise without a random generator's state. */
function hash(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Fills `out` with rows `row0…row0+rows-1` of one band and date: smooth waves plus noise,
 * always ≥ 1 so that 0 stays free for no-data. NIR is brighter than red, as over vegetation.
 */
export function fillRows(out: Uint16Array, width: number, row0: number, rows: number, dateIndex: number, bandIndex: number): void {
  const level = [600, 800, 700, 2400][bandIndex];
  const colWave = new Float64Array(width);
  for (let c = 0; c < width; c++) colWave[c] = Math.sin(c / 97 + dateIndex * 0.5 + bandIndex);
  for (let r = 0; r < rows; r++) {
    const row = row0 + r;
    const rowWave = Math.cos(row / 131 - dateIndex * 0.3);
    const base = r * width;
    for (let c = 0; c < width; c++) {
      const noise = hash(c, row, dateIndex * 8 + bandIndex) & 127;
      out[base + c] = 1 + Math.max(0, Math.round(level + 0.4 * level * colWave[c] * rowWave + noise));
    }
  }
}

export interface Dataset {
  folder: string;
  size: number;
}

/** Writes the series into `folder` once (a `.done` marker records completion), block row by block row. */
export async function ensureDataset(folder: string, size: number, log: (msg: string) => void): Promise<Dataset> {
  const marker = path.join(folder, '.done');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === String(size)) return { folder, size };
  fs.mkdirSync(folder, { recursive: true });
  const srs = gdal.SpatialReference.fromEPSG(EPSG);
  const started = Date.now();
  const buffer = new Uint16Array(size * BLOCK);
  for (let d = 0; d < DATES.length; d++) {
    for (let b = 0; b < BANDS.length; b++) {
      const file = path.join(folder, fileName(DATES[d], BANDS[b]));
      const tmp = `${file}.partial`;
      const ds = await gdal.openAsync(tmp, 'w', 'GTiff', size, size, 1, gdal.GDT_UInt16, [
        'TILED=YES', `BLOCKXSIZE=${BLOCK}`, `BLOCKYSIZE=${BLOCK}`, 'COMPRESS=DEFLATE', 'ZLEVEL=1', 'PREDICTOR=2', 'NUM_THREADS=ALL_CPUS', 'BIGTIFF=IF_SAFER',
      ]);
      ds.srs = srs;
      ds.geoTransform = [ORIGIN.west, PIXEL_SIZE, 0, ORIGIN.north, 0, -PIXEL_SIZE];
      const band = ds.bands.get(1);
      band.noDataValue = 0;
      for (let row0 = 0; row0 < size; row0 += BLOCK) {
        const rows = Math.min(BLOCK, size - row0);
        const view = buffer.subarray(0, rows * size);
        fillRows(view, size, row0, rows, d, b);
        await band.pixels.writeAsync(0, row0, size, rows, view);
      }
      ds.close();
      fs.renameSync(tmp, file);
    }
    log(`  data: date ${d + 1}/${DATES.length} written`);
  }
  fs.writeFileSync(marker, String(size));
  log(`  data: ${DATES.length * BANDS.length} files of ${size}² in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { folder, size };
}
