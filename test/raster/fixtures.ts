/**
 * Real GeoTIFFs written by GDAL into temporary folders, a real LocalCatalog over them, and
 * process contexts for running cube processes in tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/types';
import { createLogger } from '../../src/logger';
import { openDatabase } from '../../src/store/database';
import { LocalCatalog } from '../../src/catalog/LocalCatalog';
import type { Catalog } from '../../src/catalog/types';
import type { ProcessContext } from '../../src/processes/types';

export function tempDir(prefix = 'raster-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A deterministic, position-dependent value (1…997) so that shifted reads are detected. */
export function pattern(x: number, y: number, band: number, date: number): number {
  return ((x * 7 + y * 13 + band * 101 + date * 37) % 997) + 1;
}

export interface TiffSpec {
  width: number;
  height: number;
  epsg?: number;
  geoTransform?: number[];
  nodata?: number | null;
  dataType?: string;
  /** Pixel value at column x, row y (band 1). */
  value: (x: number, y: number) => number;
}

/** Writes a one-band tiled GeoTIFF with GDAL. */
export async function writeTiff(file: string, spec: TiffSpec): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const ds = await gdal.openAsync(file, 'w', 'GTiff', spec.width, spec.height, 1, spec.dataType ?? gdal.GDT_UInt16, ['TILED=YES', 'COMPRESS=DEFLATE']);
  ds.srs = gdal.SpatialReference.fromEPSG(spec.epsg ?? 32632);
  ds.geoTransform = spec.geoTransform ?? [500000, 10, 0, 5300000, 0, -10];
  const band = ds.bands.get(1);
  if (spec.nodata !== undefined && spec.nodata !== null) band.noDataValue = spec.nodata;
  const values = new Float64Array(spec.width * spec.height);
  for (let y = 0; y < spec.height; y++) for (let x = 0; x < spec.width; x++) values[y * spec.width + x] = spec.value(x, y);
  await band.pixels.writeAsync(0, 0, spec.width, spec.height, gdalBuffer(values));
  ds.close();
}

/** Reads a window of band `b` directly with GDAL, no-data as NaN. */
export async function gdalRead(file: string, x: number, y: number, width: number, height: number, b = 1): Promise<Float64Array> {
  const ds = await gdal.openAsync(file);
  const band = await ds.bands.getAsync(b);
  const out = new Float64Array(width * height);
  await band.pixels.readAsync(x, y, width, height, gdalBuffer(out));
  const nodata = band.noDataValue;
  if (nodata !== null) for (let i = 0; i < out.length; i++) if (out[i] === nodata) out[i] = NaN;
  ds.close();
  return out;
}

export const DATES = ['2023-01-05', '2023-02-10', '2023-03-15'];

/**
 * A Sentinel-2-like time series: S2_<date>_<band>.tif for three dates and bands B04 (red)
 * and B08 (nir), 10 m UTM 32N, with no-data (0) along diagonal stripes.
 */
export async function writeTimeSeries(dir: string, width = 120, height = 90): Promise<void> {
  const bands = ['B04', 'B08'];
  for (let d = 0; d < DATES.length; d++) {
    for (let b = 0; b < bands.length; b++) {
      await writeTiff(path.join(dir, `S2_${DATES[d].replace(/-/g, '')}_${bands[b]}.tif`), {
        width,
        height,
        nodata: 0,
        value: (x, y) => ((x + y + d) % 17 === 0 ? 0 : pattern(x, y, b, d)),
      });
    }
  }
  fs.writeFileSync(
    path.join(dir, 'collection.meta.json'),
    JSON.stringify({
      id: 'S2',
      bands: { B04: { common_name: 'red', center_wavelength: 0.665 }, B08: { common_name: 'nir', center_wavelength: 0.842 } },
      items: { '2023-01-05': { 'eo:cloud_cover': 10 }, '2023-02-10': { 'eo:cloud_cover': 80 }, '2023-03-15': { 'eo:cloud_cover': 30 } },
    }),
  );
}

export interface Harness {
  config: Config;
  catalog: Catalog;
  dir: string;
  context(overrides?: Partial<ProcessContext>): ProcessContext;
  cleanup(): void;
}

/** A LocalCatalog over `sources` (folders inside a fresh data directory) and a context factory. */
export async function harness(sources: Array<{ path: string; pattern?: string; id?: string }>, tileSize = 512): Promise<Harness> {
  const dir = tempDir('raster-data-');
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      logLevel: 'silent',
      demo: false,
      collections: { sources: sources.map((s) => ({ type: 'folder', ...s })), rescanSeconds: 0 },
      processing: { tileSize, gdalCacheMb: 64 },
    },
  });
  const logger = createLogger('silent');
  const db = openDatabase(path.join(dir, 'catalog.sqlite'));
  const catalog = new LocalCatalog(config, db, logger);
  await catalog.refresh(true);
  const workRoot = path.join(dir, 'work');
  fs.mkdirSync(workRoot);
  return {
    config,
    catalog,
    dir,
    context(overrides = {}) {
      const workDir = fs.mkdtempSync(path.join(workRoot, 'run-'));
      return {
        config,
        catalog,
        logger,
        signal: new AbortController().signal,
        workDir,
        stats: { inputPixels: 0 },
        outputs: [],
        ...overrides,
      };
    },
    cleanup() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The STATISTICS_* items GDAL would compute for a band holding `values`, NaN counting as missing. */
export function expectedStatistics(values: ArrayLike<number>): Record<string, number> {
  const valid = Array.from(values).filter((v) => !Number.isNaN(v));
  const mean = valid.reduce((a, b) => a + b, 0) / valid.length;
  const variance = valid.reduce((a, b) => a + (b - mean) ** 2, 0) / valid.length;
  return {
    STATISTICS_MINIMUM: Math.min(...valid),
    STATISTICS_MAXIMUM: Math.max(...valid),
    STATISTICS_MEAN: mean,
    STATISTICS_STDDEV: Math.sqrt(variance),
    STATISTICS_VALID_PERCENT: (100 * valid.length) / values.length,
  };
}
