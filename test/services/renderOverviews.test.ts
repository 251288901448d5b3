/**
 * Reduced reads for map tiles go through GDAL's RasterIO with a smaller buffer, so a file's
 * overviews answer a low zoom: here the overviews hold other values than the full resolution.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import gdal from 'gdal-async';
import { planLoad } from '../../src/raster/read/planLoad';
import { createTileRenderer } from '../../src/services/render';
import { tileAt, tileBounds } from '../../src/services/render/tileGrid';
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

/** Servers a test started, stopped even when it fails. */
const closers: Array<() => void> = [];

afterAll(() => {
  for (const close of closers) close();
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

/** Serves `folder` on 127.0.0.1 with byte ranges, which GDAL's /vsicurl/ reads the file through; returns the base URL. */
async function serveFolder(): Promise<{ url: string; close(): void }> {
  const files = http.createServer((req, res) => {
    const file = path.join(folder, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(folder) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const data = fs.readFileSync(file);
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'content-length': data.length, 'accept-ranges': 'bytes' }).end(req.method === 'HEAD' ? undefined : data);
      return;
    }
    const from = Number(range[1]);
    const to = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1, 'accept-ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : data.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(files.address() as AddressInfo).port}`, close: () => files.close() };
}

function stacCatalogue(): string {
  const file = path.join(folder, 'stac', 'collection.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bbox = [8.59, 47.44, 8.74, 47.54];
  const item = {
    type: 'Feature', stac_version: '1.0.0', stac_extensions: [], id: 'ovr-item', bbox,
    geometry: { type: 'Polygon', coordinates: [[[bbox[0], bbox[1]], [bbox[2], bbox[1]], [bbox[2], bbox[3]], [bbox[0], bbox[3]], [bbox[0], bbox[1]]]] },
    properties: { datetime: '2023-06-01T10:00:00Z', 'proj:epsg': 32632, 'proj:shape': [1024, 1024], 'proj:transform': [10, 0, 470000, 0, -10, 5270000] },
    assets: { v: { href: '../ovr.tif', type: 'image/tiff; application=geotiff', roles: ['data'], 'eo:bands': [{ name: 'v' }] } },
    links: [],
  };
  fs.writeFileSync(path.join(folder, 'stac', 'item.json'), JSON.stringify(item));
  fs.writeFileSync(file, JSON.stringify({
    type: 'Collection', stac_version: '1.0.0', id: 'ovr-stac', description: 'the overview test file', license: 'proprietary',
    extent: { spatial: { bbox: [bbox] }, temporal: { interval: [['2023-06-01T00:00:00Z', '2023-06-02T00:00:00Z']] } },
    links: [{ rel: 'item', href: './item.json' }],
  }));
  return 'stac/collection.json';
}

test('a low-zoom tile of load_stac and of load_collection shows the overview values, read coarse', async () => {
  const tiles: number[] = [];
  const renderer = createTileRenderer({
    run: server.ctx.processing.runs,
    caller: () => ({}),
    logger: server.ctx.logger,
    config: server.ctx.config,
    onTile: (info) => tiles.push(info.inputPixels),
  });
  // Zoom 11 over the file: about 52 m ground pixels, so the file (10 m) is read from its 4× overview (value 2).
  const centre = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(32632), gdal.SpatialReference.fromEPSG(3857)).transformPoint(475120, 5264880);
  const view = { bounds: tileBounds(tileAt(centre.x, centre.y, 11)), size: 256 };
  const files = await serveFolder();
  closers.push(files.close);
  const graphs = [
    { load: { process_id: 'load_stac', arguments: { url: `${files.url}/${stacCatalogue()}` }, result: true } },
    { load: { process_id: 'load_collection', arguments: { id: 'ovr', spatial_extent: null, temporal_extent: null }, result: true } },
  ];
  for (const process_graph of graphs) {
    const png = await renderer.render({ id: 'ovr', userId: 'nobody', process: { process_graph }, configuration: { rescale: [0, 4], colormap: 'greys' } }, view, new AbortController().signal);
    const file = `/vsimem/ovr-${Math.random()}.png`;
    gdal.vsimem.set(png!, file);
    const ds = gdal.open(file);
    const grey = ds.bands.get(1).pixels.read(0, 0, 256, 256) as Uint8Array;
    const alpha = ds.bands.get(4).pixels.read(0, 0, 256, 256) as Uint8Array;
    ds.close();
    gdal.vsimem.release(file);
    const shown = new Set(grey.filter((_, i) => alpha[i] === 255));
    expect(shown).toEqual(new Set([128]));
    expect(tiles[tiles.length - 1]).toBeLessThan(300 * 300);
  }
}, 30_000);
