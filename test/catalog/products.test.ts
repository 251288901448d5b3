import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { closeContext, createContext } from '../../src/server';
import { checkCollection } from '../../src/catalog/check';
import type { LocalCatalog } from '../../src/catalog/LocalCatalog';
import { postResult } from '../helpers/result';
import { startLoggedServer, LoggedServer } from './appWithLog';
import { foldersPerTest } from './rasters';
import { S2_BAND_SEEDS, storedValue, tarLandsat, writeLandsat, writeSafe, zipSafe } from './productFixtures';

let server: TestServer | undefined;
let logged: LoggedServer | undefined;
const dir = foldersPerTest(() => {
  server?.close();
  logged?.close();
  server = undefined;
  logged = undefined;
});

interface JsonCube {
  order: string[];
  dimensions: Record<string, { values: Array<string | number> }>;
  data: any;
}

async function loadJson(s: TestServer, load: Record<string, unknown>): Promise<JsonCube> {
  const auth = await s.login();
  const res = await postResult(s, auth, {
    load: { process_id: 'load_collection', arguments: { spatial_extent: null, temporal_extent: null, bands: null, ...load } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'JSON' }, result: true },
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8')}`);
  return JSON.parse(res.body.toString('utf8')) as JsonCube;
}

/** Values of one band file read directly with GDAL (the reference the back-end must match). */
function readBandFile(href: string): { values: number[]; width: number; pixel: number } {
  const ds = gdal.open(href);
  const { x, y } = ds.rasterSize;
  const values = Array.from(ds.bands.get(1).pixels.read(0, 0, x, y) as Uint16Array);
  const pixel = ds.geoTransform![1];
  ds.close();
  return { values, width: x, pixel };
}

/** The value of a band file at the 10 m pixel (col, row) of the product grid. */
function atTenMetres(file: { values: number[]; width: number; pixel: number }, col: number, row: number): number {
  const f = file.pixel / 10;
  return file.values[Math.floor(row / f) * file.width + Math.floor(col / f)];
}

/** The [y][x] plane of band `band` at time index `t` from a JSON cube with dims t, bands, y, x. */
function plane(cube: JsonCube, t: number, band: string): number[][] {
  expect(cube.order).toEqual(['t', 'bands', 'y', 'x']);
  const b = cube.dimensions.bands.values.indexOf(band);
  expect(b).toBeGreaterThanOrEqual(0);
  return cube.data[t][b];
}

describe('Sentinel-2 SAFE products', () => {
  test('zipped and unpacked L2A products are items of SENTINEL2_L2A with bands, scale/offset and properties', async () => {
    const data = dir();
    const staging = dir();
    const zipped = writeSafe(staging, { sensing: '20230712T103629', cloudCover: 12.5 });
    zipSafe(zipped, data);
    const unpacked = writeSafe(data, { sensing: '20230722T103631', satellite: 'S2A', cloudCover: 48.25, relativeOrbit: 108, absoluteOrbit: 42100 });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });

    const res = await request(server.app).get('/collections/SENTINEL2_L2A');
    expect(res.status).toBe(200);
    expect(res.body['cube:dimensions'].bands.values).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B08', 'B8A', 'B11', 'SCL', 'AOT', 'WVP']);
    expect(res.body['cube:dimensions'].x.step).toBe(10);
    expect(res.body['cube:dimensions'].t.values).toEqual(['2023-07-12T10:36:29.024Z', '2023-07-22T10:36:31.024Z']);
    const eo = res.body.summaries['eo:bands'];
    expect(eo.find((b: { name: string }) => b.name === 'B04')).toMatchObject({ common_name: 'red', center_wavelength: 0.665 });
    expect(eo.find((b: { name: string }) => b.name === 'B8A')).toMatchObject({ common_name: 'nir08' });
    const raster = res.body.summaries['raster:bands'];
    expect(raster[3]).toEqual({ nodata: 0, data_type: 'uint16', scale: 0.0001, offset: -0.1, unit: '1', spatial_resolution: 10 });
    expect(raster[8]).toEqual({ nodata: 0, data_type: 'uint8', spatial_resolution: 20 });
    expect(raster.map((b: { spatial_resolution: number }) => b.spatial_resolution)).toEqual([60, 10, 10, 10, 20, 10, 20, 20, 20, 10, 10]);
    expect(raster[9]).toMatchObject({ scale: 0.001 });

    const items = server.ctx.catalog.items('SENTINEL2_L2A');
    expect(items.map((i) => i.id)).toEqual([zipped.name, unpacked.name]);
    expect(items[0].properties).toMatchObject({
      platform: 'sentinel-2b', 'eo:cloud_cover': 12.5, 's2:mgrs_tile': '32TNS', 'sat:relative_orbit': 8, 'sat:absolute_orbit': 33000, 's2:processing_baseline': '05.09',
    });
    expect(items[0].assets.B04.href).toBe(`/vsizip/${path.join(data, `${zipped.name}.SAFE.zip`)}/${zipped.name}.SAFE/${zipped.bandFiles.B04}`);
    expect(items[1].assets.B04.href).toBe(path.join(unpacked.safe, unpacked.bandFiles.B04));
    expect(items[1].properties).toMatchObject({ platform: 'sentinel-2a', 'eo:cloud_cover': 48.25, 'sat:relative_orbit': 108 });

    // The administrator's check (npm run collections -- check) finds every band file as the catalogue says.
    const record = (server.ctx.catalog as LocalCatalog).record('SENTINEL2_L2A')!;
    expect(await checkCollection(record)).toEqual([]);
    // A 20 m band is shown on the 10 m grid through a VRT; the check names the file behind it.
    const b05 = path.join(unpacked.safe, unpacked.bandFiles.B05);
    fs.rmSync(b05);
    const problems = await checkCollection(record);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`item ${unpacked.name}, band B05 (VRT of ${b05}): cannot be opened`);

    const queryables = await request(server.app).get('/collections/SENTINEL2_L2A/queryables');
    expect(queryables.status).toBe(200);
    expect(Object.keys(queryables.body.properties)).toEqual(expect.arrayContaining(['eo:cloud_cover', 'platform', 's2:mgrs_tile', 'sat:relative_orbit', 's2:processing_baseline']));
    expect(queryables.body.properties['s2:mgrs_tile'].enum).toEqual(['32TNS']);
  });

  test('load_collection returns (DN + BOA_ADD_OFFSET) / 10000 on the 10 m grid, 20 m and 60 m bands repeated', async () => {
    const data = dir();
    const staging = dir();
    const zipped = writeSafe(staging, { sensing: '20230712T103629' });
    const zip = zipSafe(zipped, data);
    const unpacked = writeSafe(data, { sensing: '20230722T103631' });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });

    const cube = await loadJson(server, { id: 'SENTINEL2_L2A', bands: ['B04', 'B05', 'B01', 'SCL', 'AOT'] });
    expect(cube.dimensions.x.values).toHaveLength(12);
    const sources = [
      (rel: string) => `/vsizip/${zip}/${zipped.name}.SAFE/${rel}`,
      (rel: string) => path.join(unpacked.safe, rel),
    ];
    const bandFiles = [zipped.bandFiles, unpacked.bandFiles];
    for (const t of [0, 1]) {
      for (const band of ['B04', 'B05', 'B01']) {
        const file = readBandFile(sources[t](bandFiles[t][band]));
        const values = plane(cube, t, band);
        for (const [col, row] of [[0, 0], [1, 0], [5, 7], [11, 11]]) {
          expect(values[row][col]).toBeCloseTo((atTenMetres(file, col, row) - 1000) / 10000, 6);
        }
      }
      const scl = readBandFile(sources[t](bandFiles[t].SCL));
      expect(plane(cube, t, 'SCL')[3][4]).toBe(atTenMetres(scl, 4, 3));
      const aot = readBandFile(sources[t](bandFiles[t].AOT));
      expect(plane(cube, t, 'AOT')[2][9]).toBeCloseTo(atTenMetres(aot, 9, 2) / 1000, 6);
    }
    // The finest file of a band is read: B04 at 10 m, not its 20 m or 60 m copies.
    const b04 = readBandFile(sources[0](zipped.bandFiles.B04));
    expect(b04.pixel).toBe(10);
    // The fixtures are real JPEG 2000, as in products from ESA.
    const opened = gdal.open(sources[0](zipped.bandFiles.B05));
    expect(opened.driver.description).toBe('JP2OpenJPEG');
    opened.close();
  });

  test('products of an older baseline without offsets deliver the same physical scale as newer ones', async () => {
    const data = dir();
    const old = writeSafe(data, { sensing: '20210612T103629', baseline: '03.00', addOffset: null });
    const recent = writeSafe(data, { sensing: '20230712T103629' });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });

    const cube = await loadJson(server, { id: 'SENTINEL2_L2A', bands: ['B04', 'B05'] });
    for (const [t, product, offset] of [[0, old, 0], [1, recent, -1000]] as const) {
      for (const band of ['B04', 'B05']) {
        const file = readBandFile(path.join(product.safe, product.bandFiles[band]));
        expect(plane(cube, t, band)[6][3]).toBeCloseTo((atTenMetres(file, 3, 6) + offset) / 10000, 6);
      }
    }
    expect(server.ctx.catalog.items('SENTINEL2_L2A').map((i) => i.properties['s2:processing_baseline'])).toEqual(['03.00', '05.09']);
  });

  test('properties filters select products by cloud cover and tile', async () => {
    const data = dir();
    writeSafe(data, { sensing: '20230712T103629', cloudCover: 5 });
    writeSafe(data, { sensing: '20230722T103631', cloudCover: 60 });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });
    const lte = (value: number) => ({ process_graph: { c: { process_id: 'lte', arguments: { x: { from_parameter: 'value' }, y: value }, result: true } } });
    const cube = await loadJson(server, { id: 'SENTINEL2_L2A', bands: ['B02'], properties: { 'eo:cloud_cover': lte(20) } });
    expect(cube.dimensions.t.values).toEqual(['2023-07-12T10:36:29.024Z']);
    const eq = { process_graph: { c: { process_id: 'eq', arguments: { x: { from_parameter: 'value' }, y: '33UUP' }, result: true } } };
    const auth = await server.login();
    const none = await postResult(server, auth, {
      load: { process_id: 'load_collection', arguments: { id: 'SENTINEL2_L2A', spatial_extent: null, temporal_extent: null, bands: ['B02'], properties: { 's2:mgrs_tile': eq } } },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'JSON' }, result: true },
    });
    expect(none.status).toBe(400);
    expect(JSON.parse(none.body.toString('utf8')).code).toBe('NoDataAvailable');
  });

  test('L1C products form SENTINEL2_L1C with B10 and RADIO_ADD_OFFSET applied; id names a single collection', async () => {
    const data = dir();
    const product = writeSafe(data, { sensing: '20230712T103629', level: '1C' });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data, id: 'MY_L1C' }], rescanSeconds: 0 } });
    const res = await request(server.app).get('/collections/MY_L1C');
    expect(res.status).toBe(200);
    expect(res.body['cube:dimensions'].bands.values).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B08', 'B8A', 'B10', 'B11']);
    const cube = await loadJson(server, { id: 'MY_L1C', bands: ['B10', 'B04'] });
    for (const band of ['B10', 'B04']) {
      const file = readBandFile(path.join(product.safe, product.bandFiles[band]));
      expect(plane(cube, 0, band)[10][7]).toBeCloseTo((atTenMetres(file, 7, 10) - 1000) / 10000, 6);
    }
    expect(server.ctx.catalog.items('MY_L1C')[0].properties['s2:product_type']).toBe('S2MSI1C');
  });

  test('with L1C and L2A products in one folder, id is the prefix of both collections', async () => {
    const data = dir();
    writeSafe(data, { sensing: '20230712T103629', level: '1C' });
    writeSafe(data, { sensing: '20230712T103629', level: '2A' });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data, id: 'S2' }], rescanSeconds: 0 } });
    expect(server.ctx.catalog.list().map((c) => c.id)).toEqual(['S2_SENTINEL2_L1C', 'S2_SENTINEL2_L2A']);
    expect(server.ctx.catalog.get('S2_SENTINEL2_L1C')!.title).toBe('Sentinel-2 Level-1C (top-of-atmosphere reflectance)');
  });

  test('products of two UTM zones: the cube takes the most common CRS and warps the other product', async () => {
    const data = dir();
    writeSafe(data, { sensing: '20230712T103629', tile: '32TNS' });
    writeSafe(data, { sensing: '20230722T103629', tile: '32TNS' });
    // The same area in zone 33 (west of its central meridian).
    const t = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(32632), gdal.SpatialReference.fromEPSG(32633));
    const corner = t.transformPoint(600000, 5100000);
    const origin = { x: Math.round(corner.x / 60) * 60 - 120, y: Math.round(corner.y / 60) * 60 + 120 };
    writeSafe(data, { sensing: '20230801T103629', tile: '33TUM', epsg: 32633, originX: origin.x, originY: origin.y, size: 36 });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });
    const collection = server.ctx.catalog.get('SENTINEL2_L2A')!;
    expect(collection.crs).toBe('EPSG:32632');
    const cube = await loadJson(server, { id: 'SENTINEL2_L2A', bands: ['B02'], temporal_extent: ['2023-08-01', '2023-08-02'] });
    const values = plane(cube, 0, 'B02').flat();
    expect(values).toHaveLength(144);
    expect(values.filter((v) => !(typeof v === 'number' && v > 0.09 && v < 0.27))).toEqual([]);
    // Nearest neighbour: each cube pixel centre, taken to zone 33, falls into the pixel it shows.
    for (const [col, row] of [[0, 0], [11, 11], [4, 9]]) {
      const p = t.transformPoint(600005 + 10 * col, 5099995 - 10 * row);
      const expected = storedValue(S2_BAND_SEEDS.B02, Math.floor((p.x - origin.x) / 10), Math.floor((origin.y - p.y) / 10));
      expect(plane(cube, 0, 'B02')[row][col]).toBeCloseTo((expected - 1000) / 10000, 6);
    }
  });
});

describe('Landsat Collection 2 Level-2 products', () => {
  test('a tar bundle and an unpacked product: SR and ST scaled from the MTL file, QA_PIXEL as stored, path/row properties', async () => {
    const data = dir();
    const staging = dir();
    const bundled = writeLandsat(staging, { date: '20230615', cloudCover: 11.5 });
    const tar = tarLandsat(bundled, data);
    const unpacked = writeLandsat(path.join(data, 'unpacked'), { date: '20230701', spacecraft: 'LANDSAT_8', mtl: 'xml', path: 192, row: 27 });
    server = await startTestServer({ collections: { sources: [{ type: 'landsat', path: data }], rescanSeconds: 0 } });

    const res = await request(server.app).get('/collections/LANDSAT_C2_L2');
    expect(res.status).toBe(200);
    expect(res.body['cube:dimensions'].bands.values).toEqual(['SR_B1', 'SR_B2', 'SR_B3', 'SR_B4', 'SR_B5', 'SR_B6', 'SR_B7', 'ST_B10', 'QA_PIXEL']);
    expect(res.body['cube:dimensions'].x.step).toBe(30);
    expect(res.body.summaries['raster:bands'][3]).toMatchObject({ scale: 2.75e-5, offset: -0.2 });
    expect(res.body.summaries['raster:bands'][7]).toMatchObject({ scale: 0.00341802, offset: 149, unit: 'K' });
    expect(res.body.summaries['raster:bands'][8]).toEqual({ nodata: 1, data_type: 'uint16', spatial_resolution: 30 });
    const items = server.ctx.catalog.items('LANDSAT_C2_L2');
    expect(items.map((i) => i.id)).toEqual([bundled.id, unpacked.id]);
    expect(items[0].datetime).toBe('2023-06-15T10:02:03.123Z');
    expect(items[0].properties).toMatchObject({ platform: 'landsat-9', 'eo:cloud_cover': 11.5, 'landsat:wrs_path': '193', 'landsat:wrs_row': '026', 'landsat:collection_category': 'T1' });
    expect(items[1].properties).toMatchObject({ platform: 'landsat-8', 'landsat:wrs_path': '192', 'landsat:wrs_row': '027' });
    expect(items[0].assets.SR_B4.href).toBe(`/vsitar/${tar}/${bundled.id}_SR_B4.TIF`);

    const cube = await loadJson(server, { id: 'LANDSAT_C2_L2', bands: ['SR_B4', 'ST_B10', 'QA_PIXEL'] });
    const hrefs = [(b: string) => `/vsitar/${tar}/${bundled.id}_${b}.TIF`, (b: string) => path.join(unpacked.folder, `${unpacked.id}_${b}.TIF`)];
    for (const t of [0, 1]) {
      const sr = readBandFile(hrefs[t]('SR_B4'));
      const st = readBandFile(hrefs[t]('ST_B10'));
      const qa = readBandFile(hrefs[t]('QA_PIXEL'));
      for (const [col, row] of [[0, 0], [3, 5], [7, 7]]) {
        const i = row * 8 + col;
        expect(plane(cube, t, 'SR_B4')[row][col]).toBeCloseTo(sr.values[i] * 2.75e-5 - 0.2, 6);
        expect(plane(cube, t, 'ST_B10')[row][col]).toBeCloseTo(st.values[i] * 0.00341802 + 149, 4);
        expect(plane(cube, t, 'QA_PIXEL')[row][col]).toBe(qa.values[i]);
      }
    }

    const queryables = await request(server.app).get('/collections/LANDSAT_C2_L2/queryables');
    expect(queryables.body.properties['landsat:wrs_path'].enum).toEqual(['192', '193']);
    const eq = { process_graph: { c: { process_id: 'eq', arguments: { x: { from_parameter: 'value' }, y: '192' }, result: true } } };
    const filtered = await loadJson(server, { id: 'LANDSAT_C2_L2', bands: ['SR_B4'], properties: { 'landsat:wrs_path': eq } });
    expect(filtered.dimensions.t.values).toEqual(['2023-07-01T10:02:03.123Z']);
  });
});

describe('broken and late products', () => {
  test('a truncated zip, a tar without MTL and a SAFE with corrupt XML are skipped with a warning; the rest loads', async () => {
    const s2 = dir();
    const landsat = dir();
    const staging = dir();
    const good = writeSafe(s2, { sensing: '20230712T103629' });
    const zip = zipSafe(writeSafe(staging, { sensing: '20230722T103631' }), s2);
    fs.truncateSync(zip, Math.floor(fs.statSync(zip).size / 2));
    const corrupt = writeSafe(s2, { sensing: '20230801T103631' });
    const mtd = path.join(corrupt.safe, 'MTD_MSIL2A.xml');
    fs.writeFileSync(mtd, fs.readFileSync(mtd, 'utf8').slice(0, 900));

    // Half copied: every file there, but one band file stops early (its header opens fine).
    const halfCopied = writeSafe(s2, { sensing: '20230805T103631', size: 60 });
    const cutJp2 = path.join(halfCopied.safe, halfCopied.bandFiles.B04);
    fs.truncateSync(cutJp2, Math.floor(fs.statSync(cutJp2).size * 0.6));

    const fine = writeLandsat(path.join(landsat, 'fine'), { date: '20230615' });
    const cutLandsat = writeLandsat(path.join(landsat, 'cut'), { date: '20230620', size: 64 });
    const cutTif = path.join(cutLandsat.folder, `${cutLandsat.id}_SR_B4.TIF`);
    fs.truncateSync(cutTif, Math.floor(fs.statSync(cutTif).size * 0.6));
    const noMtl = writeLandsat(path.join(staging, 'nomtl'), { date: '20230701' });
    fs.rmSync(path.join(noMtl.folder, noMtl.files.pop()!));
    const noMtlTar = tarLandsat(noMtl, landsat);

    logged = await startLoggedServer({ sources: [{ type: 'sentinel2', path: s2 }, { type: 'landsat', path: landsat }], rescanSeconds: 0 });
    await logged.ctx.catalog.refresh?.(true);
    const list = await request(logged.app).get('/collections');
    expect(list.status).toBe(200);
    expect(list.body.collections.map((c: { id: string }) => c.id)).toEqual(['LANDSAT_C2_L2', 'SENTINEL2_L2A']);
    expect((await request(logged.app).get('/collections/SENTINEL2_L2A')).status).toBe(200);
    expect(logged.ctx.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([good.name]);
    expect(logged.ctx.catalog.items('LANDSAT_C2_L2').map((i) => i.id)).toEqual([fine.id]);

    const warnings = logged.log.filter((l) => l.level === 40 && l.msg === 'catalogue: file skipped');
    const warned = (file: string) => warnings.find((w) => w.file === file)?.reason as string | undefined;
    expect(warned(zip)).toMatch(/zip/);
    expect(warned(corrupt.safe)).toMatch(/MTD_MSIL2A\.xml is incomplete/);
    expect(warned(noMtlTar)).toMatch(/no \*_MTL\.txt or \*_MTL\.xml/);
    expect(warned(halfCopied.safe)).toMatch(/band B04 .*JPEG 2000.*still being copied/);
    expect(warned(path.join(cutLandsat.folder, cutLandsat.id))).toMatch(/band SR_B4 .*TIFF/);
  });

  test('a product copied into the folder later appears on rescan; a removed one disappears', async () => {
    const data = dir();
    const first = writeSafe(data, { sensing: '20230712T103629' });
    server = await startTestServer({ collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } });
    expect(server.ctx.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([first.name]);
    const staging = dir();
    const later = writeSafe(staging, { sensing: '20230722T103631' });
    // Zip64 records, as archivers write for products over 4 GB.
    zipSafe(later, data, { zip64: true });
    await server.ctx.catalog.refresh?.(true);
    expect(server.ctx.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([first.name, later.name]);
    const cube = await loadJson(server, { id: 'SENTINEL2_L2A', bands: ['B8A'], temporal_extent: ['2023-07-22', '2023-07-23'] });
    const b8a = readBandFile(`/vsizip/${path.join(data, `${later.name}.SAFE.zip`)}/${later.name}.SAFE/${later.bandFiles.B8A}`);
    expect(plane(cube, 0, 'B8A')[9][2]).toBeCloseTo((atTenMetres(b8a, 2, 9) - 1000) / 10000, 6);
    fs.rmSync(first.safe, { recursive: true });
    await server.ctx.catalog.refresh?.(true);
    expect(server.ctx.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([later.name]);
  });
});

describe('product descriptions across restarts', () => {
  test('a restart opens no unchanged product: what was read is kept in the database', async () => {
    const data = dir();
    const dataDir = dir();
    const staging = dir();
    const product = writeSafe(staging, { sensing: '20230712T103629' });
    const zip = zipSafe(product, data);
    // Whole seconds, so the time can be set back exactly after the content is replaced.
    fs.utimesSync(zip, 1_700_000_000, 1_700_000_000);
    const start = async () => {
      const config = loadConfig({
        file: path.resolve(__dirname, '../../config.json'),
        env: {},
        overrides: { dataDir, logLevel: 'silent', demo: false, collections: { sources: [{ type: 'sentinel2', path: data }], rescanSeconds: 0 } },
      });
      const ctx = await createContext(config, createLogger('silent'));
      await ctx.catalog.refresh?.(true);
      return ctx;
    };
    const first = await start();
    expect(first.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([product.name]);
    closeContext(first);

    // Same name, size and time, but unreadable content: only a remembered description can list it.
    fs.writeFileSync(zip, Buffer.alloc(fs.statSync(zip).size));
    fs.utimesSync(zip, 1_700_000_000, 1_700_000_000);
    const second = await start();
    try {
      expect(second.catalog.items('SENTINEL2_L2A').map((i) => i.id)).toEqual([product.name]);
      fs.utimesSync(zip, 1_700_000_100, 1_700_000_100);
      await second.catalog.refresh?.(true);
      expect(second.catalog.get('SENTINEL2_L2A')).toBeUndefined();
    } finally {
      closeContext(second);
    }
  });
});
