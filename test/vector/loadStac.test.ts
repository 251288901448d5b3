import fs from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { writeTiff } from '../raster/fixtures';
import { runGraph } from './helpers';

/**
 * load_stac over STAC catalogues this test writes into a temporary folder and serves on 127.0.0.1:
 * static documents (assets read through /vsicurl/ with range requests) and a tiny STAC API.
 */
let server: TestServer;
let auth: string;
let stacDir: string;
let httpServer: http.Server;
let baseUrl: string;
const apiRequests: URL[] = [];

const WIDTH = 20;
const HEIGHT = 16;
const DATES = ['2023-05-01', '2023-06-01', '2023-07-01'];
const value = (x: number, y: number, band: number, date: number) => 1 + x + 100 * y + 10000 * band + 1000 * date;

function item(date: number, withProj: boolean) {
  const id = `scene-${date}`;
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [],
    id,
    bbox: [8.999, 47.85, 9.004, 47.86],
    geometry: { type: 'Polygon', coordinates: [[[8.999, 47.85], [9.004, 47.85], [9.004, 47.86], [8.999, 47.86], [8.999, 47.85]]] },
    properties: {
      datetime: `${DATES[date]}T10:00:00Z`,
      'eo:cloud_cover': date * 20,
      ...(withProj ? { 'proj:epsg': 32632, 'proj:shape': [HEIGHT, WIDTH], 'proj:transform': [10, 0, 500000, 0, -10, 5300000] } : {}),
    },
    assets: Object.fromEntries(
      ['red', 'nir'].map((band) => [
        band,
        { href: `./data/${id}_${band}.tif`, type: 'image/tiff; application=geotiff', roles: ['data'], 'eo:bands': [{ name: band, common_name: band }] },
      ]),
    ),
    links: [{ rel: 'collection', href: './collection.json' }],
  };
}

function collection() {
  return {
    type: 'Collection',
    stac_version: '1.0.0',
    id: 'test-scenes',
    description: 'Scenes written by the load_stac test',
    license: 'proprietary',
    extent: { spatial: { bbox: [[8.999, 47.85, 9.004, 47.86]] }, temporal: { interval: [[`${DATES[0]}T00:00:00Z`, `${DATES[2]}T23:59:59Z`]] } },
    links: DATES.map((_, d) => ({ rel: 'item', href: `./items/scene-${d}.json` })),
  };
}

/** A minimal STAC API: one collection whose items endpoint filters by datetime and pages two at a time. */
function serveApi(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = new URL(req.url ?? '/', baseUrl);
  if (!url.pathname.startsWith('/api/')) return false;
  apiRequests.push(url);
  const send = (doc: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  };
  if (url.pathname === '/api/collections/test-scenes') {
    send({ ...collection(), links: [{ rel: 'items', href: `${baseUrl}/api/collections/test-scenes/items` }] });
    return true;
  }
  if (url.pathname === '/api/collections/test-scenes/items') {
    const [start, end] = (url.searchParams.get('datetime') ?? '../..').split('/');
    const inRange = DATES.map((_, d) => item(d, true)).filter((it) => {
      const t = Date.parse(it.properties.datetime);
      return (start === '..' || t >= Date.parse(start)) && (end === '..' || t <= Date.parse(end));
    });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const page = inRange.slice(offset, offset + 2).map((it) => ({
      ...it,
      assets: Object.fromEntries(Object.entries(it.assets).map(([k, a]) => [k, { ...a, href: `${baseUrl}/files/${a.href.slice(2)}` }])),
    }));
    const next = new URL(url);
    next.searchParams.set('offset', String(offset + 2));
    send({ type: 'FeatureCollection', features: page, links: offset + 2 < inRange.length ? [{ rel: 'next', href: next.toString() }] : [] });
    return true;
  }
  res.writeHead(404).end();
  return true;
}

/** Static files of the catalogue, with range requests so GDAL's /vsicurl/ can read the GeoTIFFs. */
function serveFiles(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', baseUrl);
  const file = path.join(stacDir, decodeURIComponent(url.pathname.replace(/^\/files\//, '')));
  if (!url.pathname.startsWith('/files/') || !file.startsWith(stacDir) || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  const data = fs.readFileSync(file);
  const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
  if (range) {
    const from = Number(range[1]);
    const to = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1, 'accept-ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : data.subarray(from, to + 1));
    return;
  }
  res.writeHead(200, { 'content-length': data.length, 'accept-ranges': 'bytes', 'content-type': file.endsWith('.json') ? 'application/json' : 'image/tiff' });
  res.end(req.method === 'HEAD' ? undefined : data);
}

beforeAll(async () => {
  server = await startTestServer();
  auth = await server.login();
  stacDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stac-'));
  for (let d = 0; d < DATES.length; d++) {
    for (const [b, band] of ['red', 'nir'].entries()) {
      await writeTiff(path.join(stacDir, 'data', `scene-${d}_${band}.tif`), { width: WIDTH, height: HEIGHT, nodata: 0, value: (x, y) => value(x, y, b, d) });
    }
    fs.mkdirSync(path.join(stacDir, 'items'), { recursive: true });
    const doc = item(d, true);
    doc.assets = Object.fromEntries(Object.entries(doc.assets).map(([k, a]) => [k, { ...a, href: `.${a.href}` }]));
    fs.writeFileSync(path.join(stacDir, 'items', `scene-${d}.json`), JSON.stringify(doc));
  }
  fs.writeFileSync(path.join(stacDir, 'collection.json'), JSON.stringify(collection()));
  httpServer = http.createServer((req, res) => {
    if (!serveApi(req, res)) serveFiles(req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  httpServer?.closeAllConnections();
  await new Promise((resolve) => httpServer?.close(resolve));
  server?.close();
  fs.rmSync(stacDir, { recursive: true, force: true });
});

function loadGraph(args: Record<string, unknown>) {
  return {
    load: { process_id: 'load_stac', arguments: args },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'JSON' }, result: true },
  };
}

async function loadCube(args: Record<string, unknown>) {
  const res = await runGraph(server, auth, loadGraph(args));
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
  return JSON.parse(res.body as unknown as string);
}

/** Checks every value of a cube in order [t, bands, y, x] against the pattern the files hold. */
function expectPattern(cube: any, dates: number[], bands: number[]) {
  expect(cube.order).toEqual(['t', 'bands', 'y', 'x']);
  expect(cube.dimensions.t.values.map((t: string) => t.slice(0, 10))).toEqual(dates.map((d) => DATES[d]));
  expect(cube.dimensions.x.values[0]).toBe(500005);
  expect(cube.dimensions.y.values[0]).toBe(5299995);
  let wrong = 0;
  dates.forEach((d, i) => bands.forEach((b, j) => {
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) if (cube.data[i][j][y][x] !== value(x, y, b, d)) wrong++;
  }));
  expect(wrong).toBe(0);
}

test('a static collection: all items and bands, assets read through /vsicurl/', async () => {
  const cube = await loadCube({ url: `${baseUrl}/files/collection.json` });
  expect(cube.dimensions.bands.values).toEqual(['red', 'nir']);
  expectPattern(cube, [0, 1, 2], [0, 1]);
});

test('temporal extent, band selection (by name) and a property filter', async () => {
  const cube = await loadCube({
    url: `${baseUrl}/files/collection.json`,
    temporal_extent: ['2023-05-15', null],
    bands: ['nir'],
    properties: {
      'eo:cloud_cover': { process_graph: { lt: { process_id: 'lt', arguments: { x: { from_parameter: 'value' }, y: 30 } , result: true } } },
    },
  });
  expectPattern(cube, [1], [1]);
});

test('a single Item', async () => {
  expectPattern(await loadCube({ url: `${baseUrl}/files/items/scene-2.json` }), [2], [0, 1]);
});

test('a spatial extent in UTM selects a window of the grid', async () => {
  const cube = await loadCube({ url: `${baseUrl}/files/collection.json`, spatial_extent: { west: 500000, south: 5299900, east: 500100, north: 5300000, crs: 32632 } });
  expect(cube.dimensions.x.values).toHaveLength(10);
  expect(cube.dimensions.y.values).toHaveLength(10);
  let wrong = 0;
  for (let d = 0; d < 3; d++) for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) if (cube.data[d][0][y][x] !== value(x, y, 0, d)) wrong++;
  expect(wrong).toBe(0);
});

test('a STAC API collection is searched with the extents and its pages are followed', async () => {
  apiRequests.length = 0;
  const cube = await loadCube({ url: `${baseUrl}/api/collections/test-scenes`, temporal_extent: ['2023-01-01', '2023-12-31'], spatial_extent: { west: 8.9, south: 47.7, east: 9.1, north: 47.9 } });
  expectPattern(cube, [0, 1, 2], [0, 1]);
  const searches = apiRequests.filter((u) => u.pathname.endsWith('/items'));
  expect(searches.length).toBe(2);
  expect(searches[0].searchParams.get('datetime')).toBe('2023-01-01T00:00:00Z/2023-12-31T00:00:00Z');
  expect(searches[0].searchParams.get('bbox')).toBe('8.9,47.7,9.1,47.9');

  const narrowed = await loadCube({ url: `${baseUrl}/api/collections/test-scenes`, temporal_extent: ['2023-06-01', '2023-06-02'] });
  expectPattern(narrowed, [1], [0, 1]);
});

describe('errors', () => {
  test('no item in the temporal extent: NoDataAvailable', async () => {
    const res = await runGraph(server, auth, loadGraph({ url: `${baseUrl}/files/collection.json`, temporal_extent: ['2020-01-01', '2020-02-01'] }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('NoDataAvailable');
  });

  test('an asset naming a server file outside the published folders is not read', async () => {
    const doc = item(0, true);
    doc.assets = { red: { ...doc.assets.red, href: 'file:///etc/passwd' } } as typeof doc.assets;
    fs.writeFileSync(path.join(stacDir, 'sneaky.json'), JSON.stringify(doc));
    const res = await runGraph(server, auth, loadGraph({ url: `${baseUrl}/files/sneaky.json` }));
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body as unknown as string);
    expect(body.code).toBe('ProcessParameterInvalid');
    expect(body.message).toMatch(/no raster data asset/);
  });

  test('a local path is not a URL', async () => {
    const res = await runGraph(server, auth, loadGraph({ url: path.join(stacDir, 'collection.json') }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('ProcessParameterInvalid');
  });

  test('a document that is not STAC', async () => {
    fs.writeFileSync(path.join(stacDir, 'not-stac.json'), JSON.stringify({ hello: 'world' }));
    const res = await runGraph(server, auth, loadGraph({ url: `${baseUrl}/files/not-stac.json` }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('ProcessParameterInvalid');
  });

  test('a missing file', async () => {
    const res = await runGraph(server, auth, loadGraph({ url: `${baseUrl}/files/none.json` }));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body as unknown as string).code).toBe('FileNotFound');
  });
});

test('load_stac is listed by GET /processes', async () => {
  const res = await request(server.app).get('/processes');
  expect(res.body.processes.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['load_stac', 'aggregate_spatial', 'load_geojson']));
});
