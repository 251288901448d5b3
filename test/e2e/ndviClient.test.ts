import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { execFileSync } from 'node:child_process';
import { OpenEO } from '@openeo/js-client';
import { ensureDemoData, DEMO_S2_ID } from '../../src/catalog/demo/generate';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { startTestServer, TestServer } from '../helpers/testServer';

/**
 * The openEO JavaScript client, over real HTTP, computes NDVI on the demo collection; the
 * GeoTIFF it receives must equal NDVI computed directly from the demo files with GDAL.
 */
let server: TestServer;
let httpServer: http.Server;
let url: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-e2e-'));
const download = path.join(dataDir, 'ndvi.tif');

beforeAll(async () => {
  await ensureDemoData(dataDir);
  server = await startTestServer({ dataDir, collections: DEFAULT_CONFIG.collections });
  await server.ctx.users.add('student', 'student password');
  httpServer = http.createServer(server.app);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as { port: number }).port}`;
  // The client follows the absolute URLs of /.well-known/openeo, which come from publicUrl.
  server.ctx.config.publicUrl = url;
}, 300_000);

afterAll(async () => {
  if (httpServer) await new Promise((resolve) => httpServer.close(resolve));
  server?.close();
});

async function streamToFile(data: unknown, file: string): Promise<void> {
  if (Buffer.isBuffer(data)) return fs.promises.writeFile(file, data);
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    (data as NodeJS.ReadableStream).pipe(out);
    out.on('finish', resolve);
    out.on('error', reject);
  });
}

test('connect, log in, compute NDVI with computeResult, and get the same pixels as GDAL', async () => {
  const con = await OpenEO.connect(url);
  expect(con.capabilities().apiVersion()).toBe('1.2.0');
  await con.authenticateBasic('student', 'student password');
  expect((await con.describeAccount()).name).toBe('student');

  const collections = await con.listCollections();
  expect(collections.collections.map((c) => c.id)).toContain(DEMO_S2_ID);

  // A 1.2 km × 0.8 km window in the collection's UTM zone, one date.
  const extent = { west: 471000, south: 5265000, east: 472200, north: 5265800, crs: 32632 };
  const builder = await con.buildProcess('ndvi_demo');
  const cube = builder.process('load_collection', {
    id: DEMO_S2_ID,
    spatial_extent: extent,
    temporal_extent: ['2023-07-08', '2023-07-09'],
    bands: ['B04', 'B08'],
  });
  const ndvi = builder.process('ndvi', { data: cube, nir: 'B08', red: 'B04' });
  const first = { process_graph: { f: { process_id: 'first', arguments: { data: { from_parameter: 'data' } }, result: true } } };
  const reduced = builder.process('reduce_dimension', { data: ndvi, reducer: first, dimension: 't' });
  const result = builder.process('save_result', { data: reduced, format: 'GTiff' });

  const response = await con.computeResult(result);
  expect(response.type).toMatch(/^image\/tiff/);
  await streamToFile(response.data, download);

  const out = await gdal.openAsync(download);
  try {
    expect(out.rasterSize).toEqual({ x: 120, y: 80 });
    expect(out.geoTransform).toEqual([471000, 10, 0, 5265800, 0, -10]);
    expect(out.srs?.getAuthorityCode()).toBe('32632');
    const band = out.bands.get(1);
    const got = (await band.pixels.readAsync(0, 0, 120, 80)) as Float32Array | Float64Array;

    // Direct computation from the demo files: the window starts 100 px right and 420 px down.
    const folder = path.join(dataDir, 'demo', 'sentinel2');
    const read = async (name: string) => {
      const ds = await gdal.openAsync(path.join(folder, name));
      try {
        expect(ds.geoTransform).toEqual([470000, 10, 0, 5270000, 0, -10]);
        return (await ds.bands.get(1).pixels.readAsync(100, 420, 120, 80)) as Uint16Array;
      } finally {
        ds.close();
      }
    };
    const red = await read('S2_20230708_B04.tif');
    const nir = await read('S2_20230708_B08.tif');
    const nodata = band.noDataValue;
    let valid = 0;
    for (let i = 0; i < got.length; i++) {
      if (red[i] === 0 || nir[i] === 0) {
        // Missing input stays missing in the output.
        expect(Number.isNaN(got[i]) || got[i] === nodata).toBe(true);
        continue;
      }
      const expected = (nir[i] - red[i]) / (nir[i] + red[i]);
      expect(got[i]).toBeCloseTo(expected, 5);
      valid++;
    }
    expect(valid).toBeGreaterThan(got.length * 0.9);
    expect(band.getMetadata().STATISTICS_MEAN).toBeDefined();
  } finally {
    out.close();
  }

  // An independent TIFF reader (geotiff.js, an ES module, hence its own node process) agrees.
  const script = `import('geotiff').then(async (g) => {
    const image = await (await g.fromFile(process.argv[1])).getImage();
    process.stdout.write(JSON.stringify({ origin: image.getOrigin(), resolution: image.getResolution(), width: image.getWidth() }));
  })`;
  const seen = JSON.parse(execFileSync(process.execPath, ['-e', script, download], { encoding: 'utf8' }));
  expect(seen.origin.slice(0, 2)).toEqual([471000, 5265800]);
  expect(seen.resolution.slice(0, 2)).toEqual([10, -10]);
  expect(seen.width).toBe(120);
}, 180_000);
