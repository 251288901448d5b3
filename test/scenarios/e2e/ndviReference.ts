import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';

/**
 * NDVI of the demo Sentinel-2 collection computed directly from its files with GDAL, to compare
 * results the server sends with. The demo scenes share one grid: origin (470000, 5270000) in
 * EPSG:32632, 10 m pixels.
 */
export const DEMO_ORIGIN = { x: 470000, y: 5270000 };
export const DEMO_PIXEL = 10;

export interface Window {
  west: number;
  north: number;
  width: number;
  height: number;
}

async function readBand(dataDir: string, date: string, band: string, window: Window): Promise<Uint16Array> {
  const ds = await gdal.openAsync(path.join(dataDir, 'demo', 'sentinel2', `S2_${date.replace(/-/g, '')}_${band}.tif`));
  try {
    expect(ds.geoTransform).toEqual([DEMO_ORIGIN.x, DEMO_PIXEL, 0, DEMO_ORIGIN.y, 0, -DEMO_PIXEL]);
    const col = (window.west - DEMO_ORIGIN.x) / DEMO_PIXEL;
    const row = (DEMO_ORIGIN.y - window.north) / DEMO_PIXEL;
    return (await ds.bands.get(1).pixels.readAsync(col, row, window.width, window.height)) as Uint16Array;
  } finally {
    ds.close();
  }
}

/**
 * Checks one band of a result file against (B08 − B04) / (B08 + B04) of `date`; missing input
 * (0) must stay missing. Returns how many pixels had a value.
 */
export async function expectDemoNdvi(file: string, band: number, dataDir: string, date: string, window: Window): Promise<number> {
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  const out = await gdal.openAsync(file);
  try {
    expect(out.rasterSize).toEqual({ x: window.width, y: window.height });
    expect(out.geoTransform).toEqual([window.west, DEMO_PIXEL, 0, window.north, 0, -DEMO_PIXEL]);
    expect(out.srs?.getAuthorityCode()).toBe('32632');
    const result = out.bands.get(band);
    const got = (await result.pixels.readAsync(0, 0, window.width, window.height)) as Float32Array | Float64Array;
    const red = await readBand(dataDir, date, 'B04', window);
    const nir = await readBand(dataDir, date, 'B08', window);
    const nodata = result.noDataValue;
    let valid = 0;
    for (let i = 0; i < got.length; i++) {
      if (red[i] === 0 || nir[i] === 0) {
        expect(Number.isNaN(got[i]) || got[i] === nodata).toBe(true);
        continue;
      }
      expect(got[i]).toBeCloseTo((nir[i] - red[i]) / (nir[i] + red[i]), 5);
      valid++;
    }
    expect(valid).toBeGreaterThan(got.length * 0.9);
    return valid;
  } finally {
    out.close();
  }
}
