import path from 'node:path';
import gdal from 'gdal-async';
import { execFileSync } from 'node:child_process';
import { OpenEO } from '@openeo/js-client';
import { DEMO_S2_ID } from '../../../src/catalog/demo/generate';
import { DemoServer, plainClientErrors, startDemoServer, streamToFile } from './helpers';
import { expectDemoNdvi } from './ndviReference';

/**
 * The openEO JavaScript client, over real HTTP, computes NDVI on the demo collection; the
 * GeoTIFF it receives must equal NDVI computed directly from the demo files with GDAL.
 */
let demo: DemoServer;
let url: string;
let dataDir: string;

plainClientErrors();

beforeAll(async () => {
  demo = await startDemoServer();
  ({ url, dataDir } = demo);
  await demo.server.ctx.users.add('student', 'student password');
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

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
  const download = path.join(dataDir, 'ndvi.tif');
  expect(response.type).toMatch(/^image\/tiff/);
  await streamToFile(response.data, download);

  // The window starts 100 px right and 420 px down in the demo scenes.
  await expectDemoNdvi(download, 1, dataDir, '2023-07-08', { west: 471000, north: 5265800, width: 120, height: 80 });
  const out = await gdal.openAsync(download);
  try {
    expect(out.bands.count()).toBe(1);
    expect(out.bands.get(1).getMetadata().STATISTICS_MEAN).toBeDefined();
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
