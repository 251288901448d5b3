import request from 'supertest';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { COLORMAP_NAMES } from '../../src/services/colormapNames';
import { ProbeRenderer, SIMPLE_PROCESS, removeServices } from './helpers';

let server: TestServer;
let alice: string;
let bob: string;
const renderer = new ProbeRenderer();

beforeAll(async () => {
  server = await startTestServer({ services: { maxPerUser: 3 } }, { renderer });
  alice = await server.login('alice');
  bob = await server.login('bob');
});

afterAll(() => server.close());

async function create(auth: string, body: Record<string, unknown>): Promise<string> {
  const res = await request(server.app).post('/services').set('Authorization', auth).send(body);
  expect(res.status).toBe(201);
  return res.headers['openeo-identifier'];
}

afterEach(async () => {
  await removeServices(server.app, alice);
  await removeServices(server.app, bob);
});

describe('GET /service_types', () => {
  test('offers XYZ and WMTS with the colour settings, WMTS also its version', async () => {
    const res = await request(server.app).get('/service_types').expect(200);
    expect(Object.keys(res.body)).toEqual(['XYZ', 'WMTS']);
    for (const type of ['XYZ', 'WMTS']) {
      const { configuration, process_parameters, links } = res.body[type];
      expect(configuration.colormap.enum).toEqual([...COLORMAP_NAMES]);
      expect(configuration.rescale).toMatchObject({ type: 'array', minItems: 2, maxItems: 2 });
      expect(configuration.bands.type).toBe('array');
      expect(process_parameters).toEqual([]);
      expect(links).toEqual([]);
    }
    expect(res.body.XYZ.configuration.version).toBeUndefined();
    expect(res.body.WMTS.configuration.version).toMatchObject({ enum: ['1.0.0'], default: '1.0.0' });
  });
});

describe('POST /services', () => {
  test('creates an XYZ service without configuration, with a 128-bit URL-safe id and a tile template', async () => {
    const res = await request(server.app).post('/services').set('Authorization', alice).send({ type: 'xyz', title: 'Quick view', process: SIMPLE_PROCESS });
    expect(res.status).toBe(201);
    const id = res.headers['openeo-identifier'];
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(res.headers.location).toBe(`${server.ctx.config.publicUrl}/services/${id}`);
    const doc = await request(server.app).get(`/services/${id}`).set('Authorization', alice).expect(200);
    expect(doc.body).toMatchObject({
      id,
      title: 'Quick view',
      type: 'XYZ',
      enabled: true,
      configuration: {},
      attributes: {},
      process: SIMPLE_PROCESS,
      url: `${server.ctx.config.publicUrl}/services/${id}/tiles/{z}/{x}/{y}`,
    });
  });

  test('a WMTS service is served at …/wmts and keeps its configuration', async () => {
    const configuration = { colormap: 'terrain', rescale: [0, 3000], bands: ['DEM'], version: '1.0.0' };
    const id = await create(alice, { type: 'WMTS', process: SIMPLE_PROCESS, configuration, enabled: false });
    const doc = await request(server.app).get(`/services/${id}`).set('Authorization', alice).expect(200);
    expect(doc.body).toMatchObject({ type: 'WMTS', enabled: false, configuration, url: `${server.ctx.config.publicUrl}/services/${id}/wmts` });
  });

  test.each([
    [{ type: 'WMS', process: SIMPLE_PROCESS }, 400, 'ServiceUnsupported', 'WMS'],
    [{ process: SIMPLE_PROCESS }, 400, 'ServiceUnsupported', 'XYZ, WMTS'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { palette: 'x' } }, 400, 'ServiceConfigUnsupported', 'palette'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { version: '1.0.0' } }, 400, 'ServiceConfigUnsupported', 'version'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { colormap: 'jet' } }, 400, 'ServiceConfigInvalid', 'colormap'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { rescale: [5] } }, 400, 'ServiceConfigInvalid', 'rescale'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { rescale: ['0', 1] } }, 400, 'ServiceConfigInvalid', 'rescale'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: { bands: ['a', 'b'] } }, 400, 'ServiceConfigInvalid', 'bands'],
    [{ type: 'WMTS', process: SIMPLE_PROCESS, configuration: { version: '1.3.0' } }, 400, 'ServiceConfigInvalid', 'version'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, configuration: 'viridis' }, 400, 'BadRequest', 'configuration'],
    [{ type: 'XYZ', process: SIMPLE_PROCESS, enabled: 'yes' }, 400, 'BadRequest', 'enabled'],
    [{ type: 'XYZ' }, 400, 'ProcessGraphMissing', ''],
    [{ type: 'XYZ', process: { process_graph: { a: { process_id: 'no_such_process', arguments: {}, result: true } } } }, 400, 'ProcessGraphInvalid', 'no_such_process'],
  ])('refuses %j with %i %s', async (body, status, code, named) => {
    const res = await request(server.app).post('/services').set('Authorization', alice).send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.message).toContain(named);
    const list = await request(server.app).get('/services').set('Authorization', alice);
    expect(list.body.services).toEqual([]);
  });

  test('needs a login', async () => {
    const res = await request(server.app).post('/services').send({ type: 'XYZ', process: SIMPLE_PROCESS });
    expect(res.status).toBe(401);
  });

  test('refuses a service beyond services.maxPerUser without creating it; other users are not counted', async () => {
    for (let i = 0; i < 3; i++) await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS });
    const res = await request(server.app).post('/services').set('Authorization', alice).send({ type: 'XYZ', process: SIMPLE_PROCESS });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
    expect(res.body.message).toContain('3 services');
    expect((await request(server.app).get('/services').set('Authorization', alice)).body.services).toHaveLength(3);
    await create(bob, { type: 'XYZ', process: SIMPLE_PROCESS });
  });
});

describe('GET /services', () => {
  test("lists only the caller's services, newest first, in keyset pages", async () => {
    const first = await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS, title: 'one' });
    const second = await create(alice, { type: 'WMTS', process: SIMPLE_PROCESS, title: 'two' });
    await create(bob, { type: 'XYZ', process: SIMPLE_PROCESS });
    const all = await request(server.app).get('/services').set('Authorization', alice).expect(200);
    expect(all.body.services.map((s: { id: string }) => s.id)).toEqual([second, first]);
    expect(all.body.links).toEqual([]);
    const page1 = await request(server.app).get('/services?limit=1').set('Authorization', alice).expect(200);
    expect(page1.body.services.map((s: { id: string }) => s.id)).toEqual([second]);
    const next = page1.body.links.find((l: { rel: string }) => l.rel === 'next');
    const page2 = await request(server.app).get(new URL(next.href).pathname + new URL(next.href).search).set('Authorization', alice).expect(200);
    expect(page2.body.services.map((s: { id: string }) => s.id)).toEqual([first]);
    expect(page2.body.links.some((l: { rel: string }) => l.rel === 'next')).toBe(false);
  });

  test('refuses a limit of 0', async () => {
    const res = await request(server.app).get('/services?limit=0').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
  });
});

describe('/services/{service_id}', () => {
  test("another user's or an unknown service does not exist: 404 ServiceNotFound for every method", async () => {
    const id = await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS });
    for (const target of [id, 'unknown-id']) {
      for (const [method, path] of [['get', `/services/${target}`], ['patch', `/services/${target}`], ['delete', `/services/${target}`], ['get', `/services/${target}/logs`]] as const) {
        const res = await request(server.app)[method](path).set('Authorization', bob).send({ title: 'mine now' });
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'ServiceNotFound']);
      }
    }
    expect((await request(server.app).get(`/services/${id}`).set('Authorization', alice)).body.title).toBeUndefined();
  });

  test('PATCH changes what it names and checks like POST', async () => {
    const id = await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS, title: 'before', configuration: { colormap: 'greys' } });
    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ title: 'after', enabled: false }).expect(204);
    let doc = (await request(server.app).get(`/services/${id}`).set('Authorization', alice)).body;
    expect(doc).toMatchObject({ title: 'after', enabled: false, configuration: { colormap: 'greys' } });

    const bad = await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ configuration: { colormap: 'rainbow' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'ServiceConfigInvalid']);
    const badGraph = await request(server.app)
      .patch(`/services/${id}`)
      .set('Authorization', alice)
      .send({ process: { process_graph: { a: { process_id: 'nope', arguments: {}, result: true } } } });
    expect([badGraph.status, badGraph.body.code]).toEqual([400, 'ProcessGraphInvalid']);
    const empty = await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({});
    expect([empty.status, empty.body.code]).toEqual([400, 'NoDataForUpdate']);

    await request(server.app).patch(`/services/${id}`).set('Authorization', alice).send({ configuration: { rescale: [0, 1] }, description: 'text' }).expect(204);
    doc = (await request(server.app).get(`/services/${id}`).set('Authorization', alice)).body;
    expect(doc).toMatchObject({ title: 'after', description: 'text', configuration: { rescale: [0, 1] } });
    expect(doc.configuration.colormap).toBeUndefined();
  });

  test('DELETE removes the service: 204, then 404', async () => {
    const id = await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS });
    await request(server.app).delete(`/services/${id}`).set('Authorization', alice).expect(204);
    const res = await request(server.app).get(`/services/${id}`).set('Authorization', alice);
    expect([res.status, res.body.code]).toEqual([404, 'ServiceNotFound']);
  });
});

describe('GET /services/{service_id}/logs', () => {
  test('is empty for a new service and records a failed tile as an error', async () => {
    const id = await create(alice, { type: 'XYZ', process: SIMPLE_PROCESS });
    const empty = await request(server.app).get(`/services/${id}/logs`).set('Authorization', alice).expect(200);
    expect(empty.body).toEqual({ level: 'info', logs: [], links: [] });

    renderer.failWith = new Error('the band B99 does not exist');
    try {
      const tile = await request(server.app).get(`/services/${id}/tiles/3/4/2`);
      expect(tile.status).toBe(500);
    } finally {
      renderer.failWith = undefined;
    }
    const logs = await request(server.app).get(`/services/${id}/logs`).set('Authorization', alice).expect(200);
    expect(logs.body.logs).toHaveLength(1);
    expect(logs.body.logs[0]).toMatchObject({ id: expect.any(String), level: 'error', message: 'Tile 3/4/2 failed: the band B99 does not exist' });

    const page = await request(server.app).get(`/services/${id}/logs?limit=1`).set('Authorization', alice).expect(200);
    expect(page.body.links[0].href).toContain(`offset=${logs.body.logs[0].id}`);
    const after = await request(server.app).get(`/services/${id}/logs?offset=${logs.body.logs[0].id}`).set('Authorization', alice).expect(200);
    expect(after.body.logs).toEqual([]);
    const bad = await request(server.app).get(`/services/${id}/logs?level=loud`).set('Authorization', alice);
    expect([bad.status, bad.body.code]).toEqual([400, 'BadRequest']);
  });
});
