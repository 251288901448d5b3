import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { freePort } from '../helpers/ports';
import { ProbeRenderer, SIMPLE_PROCESS, pngPixels, removeServices } from './helpers';

let server: TestServer;
let alice: string;
const renderer = new ProbeRenderer();

beforeAll(async () => {
  server = await startTestServer({ services: { tileConcurrency: 2, tileTimeoutSeconds: 1 } }, { renderer });
  alice = await server.login('alice');
});

afterAll(() => server.close());

afterEach(() => removeServices(server.app, alice));

beforeEach(() => {
  renderer.renders = [];
  renderer.mostRunning = 0;
  renderer.dateList = [];
});

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await request(server.app).post('/services').set('Authorization', alice).send({ process: SIMPLE_PROCESS, ...body });
  expect(res.status).toBe(201);
  return res.headers['openeo-identifier'];
}

describe('XYZ tiles', () => {
  test('an unknown service is 404 ServiceNotFound as openEO error JSON', async () => {
    const res = await request(server.app).get('/services/no-such-service/tiles/0/0/0');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'ServiceNotFound' });
  });

  test.each([
    ['23/0/0', 'zoom level 23'],
    ['1/2/0', 'from 0 to 1'],
    ['1/0/2', 'from 0 to 1'],
    ['a/0/0', "'z' must be a whole number"],
    ['1/-1/0', "'x' must be a whole number"],
  ])('%s is out of range: 400', async (zxy, message) => {
    const id = await create({ type: 'XYZ' });
    const res = await request(server.app).get(`/services/${id}/tiles/${zxy}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
    expect(res.body.message).toContain(message);
  });

  test('renders a tile with its Web Mercator bounds and no credentials, ignoring unknown parameters', async () => {
    const id = await create({ type: 'XYZ', configuration: { colormap: 'terrain' } });
    const res = await request(server.app).get(`/services/${id}/tiles/1/1/0?__editorSessionId=abc`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(pngPixels(res.body)).toMatchObject({ width: 256, height: 256 });
    expect(renderer.renders).toHaveLength(1);
    const { service, view } = renderer.renders[0];
    expect(service).toMatchObject({ id, process: SIMPLE_PROCESS, configuration: { colormap: 'terrain' } });
    expect(view.size).toBe(256);
    const half = 20037508.342789244;
    view.bounds.forEach((v, i) => expect(v).toBeCloseTo([0, 0, half, half][i], 3));
    expect(view.time).toBeUndefined();
  });

  test('a tile without data is a transparent 256² PNG', async () => {
    const id = await create({ type: 'XYZ' });
    const res = await request(server.app).get(`/services/${id}/tiles/2/1/1?time=none`).buffer(true);
    expect(res.status).toBe(200);
    const pixels = pngPixels(res.body);
    expect(pixels).toMatchObject({ width: 256, height: 256, bands: 4 });
    expect(pixels.alpha.every((a) => a === 0)).toBe(true);
  });

  test('serves a tile again from the cache with the same ETag, 304 for If-None-Match; PATCH and new data change it', async () => {
    const id = await create({ type: 'XYZ' });
    const first = await request(server.app).get(`/services/${id}/tiles/3/2/2`).buffer(true).expect(200);
    const again = await request(server.app).get(`/services/${id}/tiles/3/2/2`).buffer(true).expect(200);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(renderer.renders).toHaveLength(1);
    const unchanged = await request(server.app).get(`/services/${id}/tiles/3/2/2`).set('If-None-Match', first.headers.etag);
    expect(unchanged.status).toBe(304);
    expect(renderer.renders).toHaveLength(1);

    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ configuration: { colormap: 'greys' } }).expect(204);
    const patched = await request(server.app).get(`/services/${id}/tiles/3/2/2`).buffer(true).expect(200);
    expect(renderer.renders).toHaveLength(2);
    expect(renderer.renders[1].service.configuration).toEqual({ colormap: 'greys' });
    expect(patched.headers.etag).not.toBe(first.headers.etag);

    // A title is no part of the picture: the cached tile stays.
    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ title: 'renamed' }).expect(204);
    await request(server.app).get(`/services/${id}/tiles/3/2/2`).expect(200);
    expect(renderer.renders).toHaveLength(2);
  });

  test('editing a user-defined process the graph calls is a new cache key', async () => {
    const double = { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'v' }, y: 2 }, result: true } }, parameters: [{ name: 'v', description: 'a value', schema: { type: 'number' } }] };
    await request(server.app).put('/process_graphs/double_it').set('Authorization', alice).send(double).expect(200);
    const id = await create({ type: 'XYZ', process: { process_graph: { d: { process_id: 'double_it', namespace: 'user', arguments: { v: 3 }, result: true } } } });
    await request(server.app).get(`/services/${id}/tiles/2/2/2`).expect(200);
    await request(server.app).get(`/services/${id}/tiles/2/2/2`).expect(200);
    expect(renderer.renders).toHaveLength(1);
    const triple = { ...double, process_graph: { m: { ...double.process_graph.m, arguments: { x: { from_parameter: 'v' }, y: 3 } } } };
    await request(server.app).put('/process_graphs/double_it').set('Authorization', alice).send(triple).expect(200);
    await request(server.app).get(`/services/${id}/tiles/2/2/2`).expect(200);
    expect(renderer.renders).toHaveLength(2);
  });

  test('new data in the catalogue is a new cache key', async () => {
    const dataDir = server.ctx.config.dataDir;
    const folder = path.join(dataDir, 'elevation');
    const local = await startTestServer({ dataDir: fs.mkdtempSync(path.join(dataDir, 'x-')), collections: { sources: [{ type: 'folder', path: folder }], rescanSeconds: 0 } }, { renderer });
    try {
      const auth = await local.login('carol');
      const res = await request(local.app).post('/services').set('Authorization', auth).send({ type: 'XYZ', process: SIMPLE_PROCESS });
      const id = res.headers['openeo-identifier'];
      await request(local.app).get(`/services/${id}/tiles/0/0/0`).expect(200);
      fs.mkdirSync(folder, { recursive: true });
      const ds = gdal.open(path.join(folder, 'dem.tif'), 'w', 'GTiff', 4, 4, 1, gdal.GDT_Float32);
      ds.srs = gdal.SpatialReference.fromEPSG(4326);
      ds.geoTransform = [10, 0.1, 0, 50, 0, -0.1];
      ds.close();
      await local.ctx.catalog.refresh?.(true);
      expect(local.ctx.catalog.list()).toHaveLength(1);
      await request(local.app).get(`/services/${id}/tiles/0/0/0`).expect(200);
      expect(renderer.renders).toHaveLength(2);
    } finally {
      local.close();
    }
  });

  test('a disabled or deleted service answers 404', async () => {
    const id = await create({ type: 'XYZ' });
    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ enabled: false }).expect(204);
    expect((await request(server.app).get(`/services/${id}/tiles/0/0/0`)).body.code).toBe('ServiceNotFound');
    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ enabled: true }).expect(204);
    await request(server.app).get(`/services/${id}/tiles/0/0/0`).expect(200);
    await request(server.app).delete(`/services/${id}`).set('Authorization', alice).expect(204);
    const gone = await request(server.app).get(`/services/${id}/tiles/0/0/0`);
    expect([gone.status, gone.body.code]).toEqual([404, 'ServiceNotFound']);
  });
});

describe('tile computation', () => {
  afterEach(() => renderer.release());

  test('computes at most services.tileConcurrency tiles at once; the others wait their turn', async () => {
    const id = await create({ type: 'XYZ' });
    renderer.hold = true;
    const pending = [0, 1, 2, 3, 4].map((x) => request(server.app).get(`/services/${id}/tiles/3/${x}/1`).then((r) => r.status));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(renderer.running).toBe(2);
    renderer.release();
    expect(await Promise.all(pending)).toEqual([200, 200, 200, 200, 200]);
    expect(renderer.mostRunning).toBe(2);
  });

  test('past 32 waiting tiles per slot the server answers 503 InfrastructureBusy with Retry-After', async () => {
    const id = await create({ type: 'XYZ' });
    renderer.hold = true;
    const held = Array.from({ length: 66 }, (_, x) => request(server.app).get(`/services/${id}/tiles/7/${x}/5`).then((r) => r.status));
    for (let i = 0; i < 200 && server.ctx.services.load().waiting < 64; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.ctx.services.load()).toEqual({ running: 2, waiting: 64 });
    const busy = await request(server.app).get(`/services/${id}/tiles/7/100/5`);
    expect([busy.status, busy.body.code, busy.headers['retry-after']]).toEqual([503, 'InfrastructureBusy', '1']);
    renderer.release();
    expect((await Promise.all(held)).every((s) => s === 200)).toBe(true);
    const logs = await request(server.app).get(`/services/${id}/logs`).set('Authorization', alice).expect(200);
    expect(logs.body.logs).toEqual([]);
  });

  test('a tile that takes longer than services.tileTimeoutSeconds fails with 408 and is logged', async () => {
    const id = await create({ type: 'XYZ' });
    renderer.hold = true;
    const res = await request(server.app).get(`/services/${id}/tiles/4/3/3`);
    expect(res.status).toBe(408);
    expect(res.body.code).toBe('RequestTimeout');
    expect(renderer.renders[0].signal.aborted).toBe(true);
    const logs = await request(server.app).get(`/services/${id}/logs?level=error`).set('Authorization', alice).expect(200);
    expect(logs.body.logs.map((l: { message: string }) => l.message)).toEqual(['Tile 4/3/3 failed: The request took longer than the allowed 1 seconds.']);
  });

  test('a client that goes away aborts its render', async () => {
    const id = await create({ type: 'XYZ' });
    renderer.hold = true;
    const port = await freePort();
    const listener = http.createServer(server.app);
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      const req = http.get(`http://127.0.0.1:${port}/services/${id}/tiles/5/1/1`);
      req.on('error', () => undefined);
      while (renderer.renders.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      req.destroy();
      const { signal } = renderer.renders[0];
      for (let i = 0; i < 100 && !signal.aborted; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(signal.aborted).toBe(true);
      const logs = await request(server.app).get(`/services/${id}/logs`).set('Authorization', alice).expect(200);
      expect(logs.body.logs).toEqual([]);
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});

describe('WMTS', () => {
  async function capabilities(id: string): Promise<string> {
    const res = await request(server.app).get(`/services/${id}/wmts?service=WMTS&request=GetCapabilities`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    return res.text;
  }

  /** Opens the capabilities with GDAL's WMTS driver: a well-formed document it understands. */
  function openWithGdal(xml: string): gdal.Dataset {
    const file = path.join(server.dataDir, `caps-${Math.random()}.xml`);
    fs.writeFileSync(file, xml);
    return gdal.open(`WMTS:${file}`);
  }

  test('GetCapabilities: one layer in EPSG:3857 with zoom 0 to 22 and a tile template; no TIME without dates', async () => {
    const id = await create({ type: 'WMTS', title: 'NDVI & more' });
    const xml = await capabilities(id);
    expect(xml).toContain(`<ows:Identifier>${id}</ows:Identifier>`);
    expect(xml).toContain('NDVI &amp; more');
    expect(xml).toContain(`template="${server.ctx.config.publicUrl}/services/${id}/tiles/{TileMatrix}/{TileCol}/{TileRow}"`);
    expect(xml).not.toContain('<Dimension>');
    expect(xml.match(/<TileMatrix>/g)).toHaveLength(23);
    const ds = openWithGdal(xml);
    try {
      expect(ds.rasterSize).toEqual({ x: 256 * 2 ** 22, y: 256 * 2 ** 22 });
      expect(ds.srs?.getAuthorityCode()).toBe('3857');
    } finally {
      ds.close();
    }
  });

  test('GetCapabilities lists the dates of the result as the TIME dimension', async () => {
    renderer.dateList = ['2023-06-01', '2023-07-01'];
    const id = await create({ type: 'WMTS' });
    const xml = await capabilities(id);
    expect(xml).toMatch(/<Dimension><ows:Identifier>Time<\/ows:Identifier>.*<Default>2023-07-01<\/Default>.*<Value>2023-06-01<\/Value><Value>2023-07-01<\/Value><\/Dimension>/);
    expect(xml).toContain('{TileRow}?time={Time}"');
    openWithGdal(xml).close();
  });

  test('GetTile with case-insensitive keys and TIME renders that date', async () => {
    const id = await create({ type: 'WMTS' });
    const res = await request(server.app)
      .get(`/services/${id}/wmts?Service=WMTS&Request=GetTile&Version=1.0.0&Layer=${id}&Style=default&TileMatrixSet=EPSG:3857&TileMatrix=2&TileRow=1&TileCol=3&Format=image/png&time=2023-07-01&__editorSessionId=x`)
      .buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const { view } = renderer.renders[0];
    expect(view.time).toBe('2023-07-01');
    const span = 20037508.342789244 / 2;
    view.bounds.forEach((v, i) => expect(v).toBeCloseTo([span, 0, 2 * span, span][i], 3));
  });

  test.each([
    ['REQUEST=GetTile&LAYER={id}&TILEMATRIXSET=EPSG:4326&TILEMATRIX=0&TILEROW=0&TILECOL=0', 'TILEMATRIXSET'],
    ['REQUEST=GetTile&LAYER=other&TILEMATRIXSET=EPSG:3857&TILEMATRIX=0&TILEROW=0&TILECOL=0', "not 'other'"],
    ['REQUEST=GetTile&LAYER={id}&TILEMATRIXSET=EPSG:3857&TILEMATRIX=0&TILEROW=1&TILECOL=0', 'TILECOL and TILEROW go from 0 to 0'],
    ['REQUEST=GetTile&LAYER={id}&TILEMATRIXSET=EPSG:3857&TILEMATRIX=0&TILEROW=0', 'TILECOL'],
    ['REQUEST=GetTile&LAYER={id}&TILEMATRIXSET=EPSG:3857&TILEMATRIX=0&TILEROW=0&TILECOL=0&FORMAT=image/jpeg', 'FORMAT'],
    ['REQUEST=GetFeatureInfo', 'GetFeatureInfo'],
    ['SERVICE=WMS&REQUEST=GetCapabilities', 'WMTS'],
  ])('%s is refused with 400 naming %s', async (query, named) => {
    const id = await create({ type: 'WMTS' });
    const res = await request(server.app).get(`/services/${id}/wmts?${query.replace('{id}', id)}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
    expect(res.body.message).toContain(named);
  });

  test('an unknown or disabled service is 404', async () => {
    const unknown = await request(server.app).get('/services/nope/wmts?SERVICE=WMTS&REQUEST=GetCapabilities');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'ServiceNotFound']);
    const id = await create({ type: 'WMTS', enabled: false });
    const disabled = await request(server.app).get(`/services/${id}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities`);
    expect([disabled.status, disabled.body.code]).toEqual([404, 'ServiceNotFound']);
  });
});
