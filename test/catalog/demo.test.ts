import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { closeContext, createContext, prepare } from '../../src/server';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { DEMO_DATES, ensureDemoData, SCL } from '../../src/catalog/demo/generate';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { tempDir } from './rasters';

let server: TestServer;
let second: string;
let generationMs: number;

beforeAll(async () => {
  // The server generates the demo data on its first start, as in the default configuration.
  server = await startTestServer({ demo: true, collections: { sources: DEFAULT_CONFIG.collections.sources } });
  const started = performance.now();
  await prepare(server.ctx);
  generationMs = performance.now() - started;
  second = tempDir('demo-again-');
  expect(await ensureDemoData(second)).toBe(true);
}, 180_000);

afterAll(() => {
  server.close();
  fs.rmSync(second, { recursive: true, force: true });
});

function filesBelow(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .sort();
}

async function readBand(file: string): Promise<Uint16Array> {
  const ds = await gdal.openAsync(file);
  try {
    const { x, y } = ds.rasterSize;
    return (await ds.bands.get(1).pixels.readAsync(0, 0, x, y, gdalBuffer(new Uint16Array(x * y)))) as Uint16Array;
  } finally {
    ds.close();
  }
}

const s2 = (date: string, band: string) => path.join(server.dataDir, 'demo', 'sentinel2', `S2_${date.replace(/-/g, '')}_${band}.tif`);

test('generation is deterministic: a second run writes the same bytes', () => {
  console.log(`demo data generated in ${(generationMs / 1000).toFixed(1)} s`);
  const first = path.join(server.dataDir, 'demo');
  const files = filesBelow(first);
  expect(files).toEqual(filesBelow(path.join(second, 'demo')));
  expect(files.filter((f) => f.endsWith('.tif'))).toHaveLength(DEMO_DATES.length * 5 + 1);
  for (const f of files) expect(fs.readFileSync(path.join(second, 'demo', f)).equals(fs.readFileSync(path.join(first, f)))).toBe(true);
});

test('a second start skips generation', async () => {
  const marker = filesBelow(path.join(server.dataDir, 'demo')).map((f) => fs.statSync(path.join(server.dataDir, 'demo', f)).mtimeMs);
  expect(await ensureDemoData(server.dataDir)).toBe(false);
  expect(filesBelow(path.join(server.dataDir, 'demo')).map((f) => fs.statSync(path.join(server.dataDir, 'demo', f)).mtimeMs)).toEqual(marker);
});

test('the scene has water, seasonal vegetation, clouds and no-data', async () => {
  const ndvi = (nir: Uint16Array, red: Uint16Array, i: number) => (nir[i] - red[i]) / (nir[i] + red[i]);
  // 8 July: cloud-free summer scene.
  const summer = { scl: await readBand(s2('2023-07-08', 'SCL')), red: await readBand(s2('2023-07-08', 'B04')), nir: await readBand(s2('2023-07-08', 'B08')) };
  const winter = { scl: await readBand(s2('2023-01-14', 'SCL')), red: await readBand(s2('2023-01-14', 'B04')), nir: await readBand(s2('2023-01-14', 'B08')) };
  const n = summer.scl.length;
  const share = (scl: Uint16Array, classes: number[]) => scl.filter((v) => classes.includes(v)).length / n;

  expect(share(summer.scl, [SCL.Water])).toBeGreaterThan(0.02);
  expect(share(summer.scl, [SCL.Vegetation])).toBeGreaterThan(0.4);
  expect(share(summer.scl, [SCL.CloudMedium, SCL.CloudHigh])).toBe(0);
  expect(share(winter.scl, [SCL.CloudMedium, SCL.CloudHigh])).toBeGreaterThan(0.3);
  expect(share(winter.scl, [SCL.CloudShadow])).toBeGreaterThan(0);

  // Water is dark in the near infrared; vegetation greens up in summer where winter is clear.
  let water = 0, waterNdvi = 0, summerNdvi = 0, winterNdvi = 0, both = 0;
  for (let i = 0; i < n; i++) {
    if (summer.scl[i] === SCL.Water) {
      water++;
      waterNdvi += ndvi(summer.nir, summer.red, i);
    }
    if (summer.scl[i] === SCL.Vegetation && (winter.scl[i] === SCL.Vegetation || winter.scl[i] === SCL.NotVegetated)) {
      both++;
      summerNdvi += ndvi(summer.nir, summer.red, i);
      winterNdvi += ndvi(winter.nir, winter.red, i);
    }
  }
  expect(waterNdvi / water).toBeLessThan(0);
  expect(both).toBeGreaterThan(1000);
  expect(summerNdvi / both).toBeGreaterThan(0.6);
  expect(summerNdvi / both - winterNdvi / both).toBeGreaterThan(0.2);

  // 15 March lies at the swath edge: its south-east corner has no data in every band.
  const edge = await readBand(s2('2023-03-15', 'B02'));
  const edgeScl = await readBand(s2('2023-03-15', 'SCL'));
  const corner = n - 1;
  expect(edge[corner]).toBe(0);
  expect(edgeScl[corner]).toBe(SCL.NoData);
  expect(edge[0]).toBeGreaterThan(0);
  expect(summer.red.every((v) => v > 0)).toBe(true);
});

test('the catalogue serves both demo collections with full metadata', async () => {
  const list = await request(server.app).get('/collections');
  expectMatchesSpec('/collections', 'get', list);
  expect(list.body.collections.map((c: { id: string }) => c.id)).toEqual(['DEM_DEMO', 'SENTINEL2_L2A_DEMO']);

  const res = await request(server.app).get('/collections/SENTINEL2_L2A_DEMO');
  expect(res.status).toBe(200);
  expectMatchesSpec('/collections/{collection_id}', 'get', res);
  const dims = res.body['cube:dimensions'];
  expect(dims.x).toMatchObject({ extent: [470000, 476000], step: 10, reference_system: 32632 });
  expect(dims.y).toMatchObject({ extent: [5264000, 5270000], step: 10, reference_system: 32632 });
  expect(dims.t.values).toEqual(DEMO_DATES.map((d) => `${d}T00:00:00Z`));
  expect(dims.bands.values).toEqual(['B02', 'B03', 'B04', 'B08', 'SCL']);
  expect(res.body.summaries['eo:bands'].slice(0, 4).map((b: { common_name: string }) => b.common_name)).toEqual(['blue', 'green', 'red', 'nir']);
  expect(res.body.summaries['eo:cloud_cover'].length).toBeGreaterThan(5);
  expect(res.body.license).toBe('CC0-1.0');

  // The cloud cover given per date matches the clouds in the SCL band.
  const items = server.ctx.catalog.items('SENTINEL2_L2A_DEMO');
  const january = await readBand(items[0].assets.SCL.href);
  const valid = january.filter((v) => v !== SCL.NoData).length;
  const cloudy = january.filter((v) => v === SCL.CloudMedium || v === SCL.CloudHigh).length;
  expect(items[0].properties['eo:cloud_cover']).toBeCloseTo((100 * cloudy) / valid, 1);

  const dem = await request(server.app).get('/collections/DEM_DEMO');
  expectMatchesSpec('/collections/{collection_id}', 'get', dem);
  expect(dem.body['cube:dimensions'].x.reference_system).toBe(4326);
  expect(dem.body['cube:dimensions'].bands.values).toEqual(['DEM']);
  // The elevation model covers the whole Sentinel-2 scene.
  const [[dw, ds, de, dn]] = dem.body.extent.spatial.bbox;
  const [[sw, ss, se, sn]] = res.body.extent.spatial.bbox;
  expect(dw).toBeLessThan(sw);
  expect(ds).toBeLessThan(ss);
  expect(de).toBeGreaterThan(se);
  expect(dn).toBeGreaterThan(sn);

  const q = await request(server.app).get('/collections/SENTINEL2_L2A_DEMO/queryables');
  expect(q.body.properties['eo:cloud_cover']).toMatchObject({ type: 'number' });
});

test('the first start does not warn about the demo folders it is about to generate, but about other missing folders', async () => {
  const warnings = async (demo: boolean) => {
    const dataDir = tempDir('demo-first-');
    const messages: string[] = [];
    const config = loadConfig({
      file: path.resolve(__dirname, '../../config.json'),
      env: {},
      overrides: { dataDir, logLevel: 'debug', demo, collections: { sources: DEFAULT_CONFIG.collections.sources } },
    });
    const logger = createLogger('debug', {
      write: (line: string) => {
        const entry = JSON.parse(line) as { level: number; msg: string };
        if (entry.level >= 40) messages.push(entry.msg);
      },
    });
    const ctx = await createContext(config, logger);
    closeContext(ctx);
    fs.rmSync(dataDir, { recursive: true, force: true });
    return messages;
  };
  expect(await warnings(true)).toEqual([]);
  expect(await warnings(false)).toEqual(['catalogue: data location skipped', 'catalogue: data location skipped']);
});
