/**
 * Reduced reads for map tiles go through GDAL's RasterIO with a smaller buffer, so a file's
 * overviews answer a low zoom: here the overviews hold other values than the full resolution.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { planLoad } from '../../src/raster/read/planLoad';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let folder: string;

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'overviews-'));
  const file = path.join(folder, 'ovr.tif');
  const ds = gdal.open(file, 'w', 'GTiff', 1024, 1024, 1, gdal.GDT_Float32, ['TILED=YES']);
  ds.srs = gdal.SpatialReference.fromEPSG(32632);
  ds.geoTransform = [470000, 10, 0, 5270000, 0, -10];
  ds.bands.get(1).fill(100);
  ds.buildOverviews('AVERAGE', [2, 4, 8]);
  // Mark each overview level with its own value: a read that uses it returns that value.
  for (let k = 0; k < ds.bands.get(1).overviews.count(); k++) ds.bands.get(1).overviews.get(k).fill(k + 1);
  ds.close();
  server = await startTestServer({ collections: { sources: [{ type: 'folder', path: folder }], rescanSeconds: 5 } });
  await server.ctx.catalog.refresh?.(true);
}, 60_000);

afterAll(() => {
  server.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

const request = { id: 'ovr', spatialExtent: null, temporalExtent: null, bands: null, properties: null };

async function readAll(view?: { bounds: [number, number, number, number]; crs: string; width: number; height: number }) {
  const cube = await planLoad(server.ctx.catalog, { ...request, ...(view ? { view } : {}) });
  const grid = cube.grid!;
  const stats = { inputPixels: 0 };
  const values = await cube.tile({ x: 0, y: 0, width: grid.width, height: grid.height }, { signal: new AbortController().signal, stats });
  return { grid, values, stats };
}

test('a view four times coarser than the file is read from its 4× overview; without a view the full resolution', async () => {
  const whole: [number, number, number, number] = [470000, 5270000 - 10240, 470000 + 10240, 5270000];
  const coarse = await readAll({ bounds: whole, crs: 'EPSG:32632', width: 256, height: 256 });
  expect(coarse.grid.transform[1]).toBe(40);
  expect(coarse.grid.width).toBe(256);
  expect(new Set(coarse.values)).toEqual(new Set([2]));
  expect(coarse.stats.inputPixels).toBe(256 * 256);
  const full = await readAll();
  expect(full.grid.transform[1]).toBe(10);
  expect(new Set(full.values)).toEqual(new Set([100]));
}, 30_000);
