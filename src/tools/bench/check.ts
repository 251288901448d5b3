import path from 'node:path';
import gdal from 'gdal-async';
import { BANDS, DATES, EPSG, ORIGIN, PIXEL_SIZE, fileName } from './dataset';
import type { Workload } from './workloads';

export interface CheckResult {
  ok: boolean;
  sampled: number;
  maxError: number;
  note?: string;
}

const SAMPLES = 25;
const TOLERANCE = 1e-3;

/** Reads single input pixels straight from the files, keeping datasets open while checking. */
class InputReader {
  private readonly open = new Map<string, gdal.Dataset>();
  constructor(private readonly folder: string) {}

  value(date: string, band: string, col: number, row: number): number {
    const name = fileName(date, band);
    let ds = this.open.get(name);
    if (!ds) {
      ds = gdal.open(path.join(this.folder, name));
      this.open.set(name, ds);
    }
    return ds.bands.get(1).pixels.get(col, row);
  }

  ndvi(date: string, col: number, row: number): number {
    const red = this.value(date, 'B04', col, row);
    const nir = this.value(date, 'B08', col, row);
    return (nir - red) / (nir + red);
  }

  maxNdvi(col: number, row: number): number {
    return Math.max(...DATES.map((d) => this.ndvi(d, col, row)));
  }

  close(): void {
    for (const ds of this.open.values()) ds.close();
  }
}

/** Output pixel (i, j) → the input pixel whose centre it covers, for outputs on the input grid. */
function inputPixel(gt: number[], i: number, j: number): { col: number; row: number } {
  const x = gt[0] + (i + 0.5) * gt[1];
  const y = gt[3] + (j + 0.5) * gt[5];
  return { col: Math.floor((x - ORIGIN.west) / PIXEL_SIZE), row: Math.floor((ORIGIN.north - y) / PIXEL_SIZE) };
}

/** Spread-out sample positions (a fixed quasi-random sequence). */
function samples(width: number, height: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0; k < SAMPLES; k++) {
    out.push([Math.floor(((k * 0.618034 + 0.1) % 1) * width), Math.floor(((k * 0.7548777 + 0.3) % 1) * height)]);
  }
  return out;
}

/**
 * Compares sampled output pixels with values computed directly from the input files.
 * For the reprojected W4 a value must lie within the 2×2 input neighbourhood it interpolates.
 */
export function checkOutput(workload: Workload, outFile: string, folder: string): CheckResult {
  const reader = new InputReader(folder);
  const out = gdal.open(outFile);
  try {
    const gt = out.geoTransform!;
    const bands = out.bands.count();
    let maxError = 0;
    let sampled = 0;
    const bad: string[] = [];
    const compare = (actual: number, expected: number, where: string) => {
      sampled++;
      const err = Math.abs(actual - expected);
      if (!(err <= TOLERANCE)) bad.push(`${where}: got ${actual}, expected ${expected}`);
      if (Number.isFinite(err)) maxError = Math.max(maxError, err);
    };
    if (workload.id === 'W4') {
      // A PROJ string keeps longitude first, as in the geotransform (EPSG:4326 itself is latitude first).
      const from = out.srs!.isGeographic() ? gdal.SpatialReference.fromProj4(out.srs!.toProj4()) : out.srs!;
      const toUtm = new gdal.CoordinateTransformation(from, gdal.SpatialReference.fromProj4(gdal.SpatialReference.fromEPSG(EPSG).toProj4()));
      for (const [i, j] of samples(out.rasterSize.x, out.rasterSize.y)) {
        const p = toUtm.transformPoint(gt[0] + (i + 0.5) * gt[1], gt[3] + (j + 0.5) * gt[5]);
        // Continuous input pixel coordinates of the point, relative to pixel centres.
        const fc = (p.x - ORIGIN.west) / PIXEL_SIZE - 0.5;
        const fr = (ORIGIN.north - p.y) / PIXEL_SIZE - 0.5;
        const c0 = Math.floor(fc);
        const r0 = Math.floor(fr);
        const size = workload.window.width;
        if (c0 < 0 || r0 < 0 || c0 + 1 >= size || r0 + 1 >= size) continue;
        const around = [reader.maxNdvi(c0, r0), reader.maxNdvi(c0 + 1, r0), reader.maxNdvi(c0, r0 + 1), reader.maxNdvi(c0 + 1, r0 + 1)];
        const actual = out.bands.get(1).pixels.get(i, j);
        const lo = Math.min(...around);
        const hi = Math.max(...around);
        compare(actual, Math.min(hi, Math.max(lo, actual)), `(${i},${j})`);
      }
    } else {
      for (const [i, j] of samples(out.rasterSize.x, out.rasterSize.y)) {
        const { col, row } = inputPixel(gt, i, j);
        if (workload.id === 'W3') {
          if (bands !== BANDS.length) return { ok: false, sampled, maxError, note: `expected ${BANDS.length} bands, got ${bands}` };
          BANDS.forEach((band, b) => {
            const mean = DATES.reduce((s, d) => s + reader.value(d, band, col, row), 0) / DATES.length;
            compare(out.bands.get(b + 1).pixels.get(i, j), mean, `${band}(${i},${j})`);
          });
        } else {
          const expected = workload.id === 'W2' ? reader.maxNdvi(col, row) : reader.ndvi(workload.dates[0], col, row);
          compare(out.bands.get(1).pixels.get(i, j), expected, `(${i},${j})`);
        }
      }
    }
    if (sampled === 0) return { ok: false, sampled, maxError, note: 'no pixel could be sampled' };
    return { ok: bad.length === 0, sampled, maxError, ...(bad.length ? { note: `${bad.length} wrong, e.g. ${bad[0]}` } : {}) };
  } finally {
    out.close();
    reader.close();
  }
}
