import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { writeTiff } from '../raster/fixtures';
import { runGraph } from './helpers';

/**
 * load_uploaded_files over files uploaded through PUT /files, and load_url over the same files
 * served on 127.0.0.1 (GeoTIFF through /vsicurl/ with range requests).
 */
let server: TestServer;
let auth: string;
let dir: string;
let httpServer: http.Server;
let baseUrl: string;

const WIDTH = 30;
const HEIGHT = 20;
const value = (x: number, y: number) => 1 + x + 100 * y;
// Two squares in UTM 32N (the raster's CRS) as a GeoJSON document naming its CRS.
const ZONES = {
  type: 'FeatureCollection',
  crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32632' } },
  features: [
    { type: 'Feature', properties: { zone: 'a' }, geometry: { type: 'Polygon', coordinates: [[[500003, 5299997], [500053, 5299997], [500053, 5299947], [500003, 5299947], [500003, 5299997]]] } },
    { type: 'Feature', properties: { zone: 'b' }, geometry: { type: 'Polygon', coordinates: [[[500203, 5299897], [500233, 5299897], [500233, 5299867], [500203, 5299867], [500203, 5299897]]] } },
  ],
};

beforeAll(async () => {
  server = await startTestServer();
  auth = await server.login();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-files-'));
  await writeTiff(path.join(dir, 'heights.tif'), { width: WIDTH, height: HEIGHT, nodata: 0, value });
  fs.writeFileSync(path.join(dir, 'zones.geojson'), JSON.stringify(ZONES));
  for (const name of ['heights.tif', 'zones.geojson']) {
    const res = await request(server.app).put(`/files/uploads/${name}`).set('Authorization', auth).set('Content-Type', 'application/octet-stream').send(fs.readFileSync(path.join(dir, name)));
    expect(res.status).toBe(200);
  }
  httpServer = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(new URL(req.url ?? '/', 'http://x').pathname));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    const data = fs.readFileSync(file);
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (range) {
      const from = Number(range[1]);
      const to = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${data.length}`, 'content-length': to - from + 1, 'accept-ranges': 'bytes' });
      return void res.end(req.method === 'HEAD' ? undefined : data.subarray(from, to + 1));
    }
    res.writeHead(200, { 'content-length': data.length, 'accept-ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : data);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  httpServer?.closeAllConnections();
  await new Promise((resolve) => httpServer?.close(resolve));
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Zonal means of the two squares, from the pattern: pixel (x, y) has its centre at 500005 + 10x, 5299995 - 10y. */
function expectedMeans(): number[] {
  const mean = (cols: number[], rows: number[]) => {
    let sum = 0;
    for (const y of rows) for (const x of cols) sum += value(x, y);
    return sum / (cols.length * rows.length);
  };
  return [mean([0, 1, 2, 3, 4], [0, 1, 2, 3, 4]), mean([20, 21, 22], [10, 11, 12])];
}

function zonalGraph(raster: Record<string, unknown>, vectors: Record<string, unknown>) {
  return {
    raster,
    vectors,
    agg: {
      process_id: 'aggregate_spatial',
      arguments: {
        data: { from_node: 'raster' },
        geometries: { from_node: 'vectors' },
        reducer: { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } },
      },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'agg' }, format: 'GeoJSON' }, result: true },
  };
}

function means(body: string): number[] {
  const fc = JSON.parse(body);
  return fc.features.map((f: { properties: Record<string, number> }) => f.properties.B1 ?? Object.values(f.properties).find((v) => typeof v === 'number'));
}

test('uploaded GeoTIFF and GeoJSON: zonal means', async () => {
  const res = await runGraph(server, auth, zonalGraph(
    { process_id: 'load_uploaded_files', arguments: { paths: ['/uploads/heights.tif'], format: 'gtiff' } },
    { process_id: 'load_uploaded_files', arguments: { paths: ['./uploads/zones.geojson'], format: 'GeoJSON' } },
  ));
  expect(res.status).toBe(200);
  const fc = JSON.parse(res.body as unknown as string);
  expect(fc.features.map((f: { properties: { zone: string } }) => f.properties.zone)).toEqual(['a', 'b']);
  means(res.body as unknown as string).forEach((m, i) => expect(m).toBeCloseTo(expectedMeans()[i], 9));
});

test('the same files by URL: zonal means', async () => {
  const res = await runGraph(server, auth, zonalGraph(
    { process_id: 'load_url', arguments: { url: `${baseUrl}/heights.tif`, format: 'GTiff' } },
    { process_id: 'load_url', arguments: { url: `${baseUrl}/zones.geojson`, format: 'GeoJSON' } },
  ));
  expect(res.status).toBe(200);
  means(res.body as unknown as string).forEach((m, i) => expect(m).toBeCloseTo(expectedMeans()[i], 9));
});

test('a GeoTIFF loaded by URL has the file grid and values', async () => {
  const res = await runGraph(server, auth, {
    l: { process_id: 'load_url', arguments: { url: `${baseUrl}/heights.tif`, format: 'GTiff' } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'JSON' }, result: true },
  });
  const cube = JSON.parse(res.body as unknown as string);
  expect(cube.order).toEqual(['bands', 'y', 'x']);
  expect(cube.dimensions.x.values[0]).toBe(500005);
  let wrong = 0;
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) if (cube.data[0][y][x] !== value(x, y)) wrong++;
  expect(wrong).toBe(0);
});

describe('errors', () => {
  const load = (args: Record<string, unknown>) => runGraph(server, auth, { l: { process_id: 'load_uploaded_files', arguments: args, result: true } });

  test('a missing file is FileNotFound', async () => {
    const res = await load({ paths: ['uploads/none.tif'], format: 'GTiff' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body as unknown as string).code).toBe('FileNotFound');
  });

  test('GeoJSON read as GTiff, and a GeoTIFF read as GeoJSON, are FormatUnsuitable', async () => {
    for (const [file, format] of [['uploads/zones.geojson', 'GTiff'], ['uploads/heights.tif', 'GeoJSON']]) {
      const res = await load({ paths: [file], format });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body as unknown as string).code).toBe('FormatUnsuitable');
    }
  });

  test('VRT is not offered (it could point at other files of the server)', async () => {
    const res = await load({ paths: ['uploads/heights.tif'], format: 'VRT' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).message).toMatch(/cannot be loaded here/);
  });

  test('a path out of the workspace is refused', async () => {
    const res = await load({ paths: ['../other/x.tif'], format: 'GTiff' });
    expect(res.status).toBe(400);
  });
});

test('GET /file_formats lists GeoJSON as a vector input format', async () => {
  const res = await request(server.app).get('/file_formats');
  expect(res.body.input.GeoJSON.gis_data_types).toEqual(['vector']);
});
