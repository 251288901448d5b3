import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec, openapiAvailable, specViolations } from '../helpers/openapi';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ publicUrl: 'https://openeo.example.edu/api/' });
});
afterAll(() => server.close());

describe('discovery endpoints', () => {
  test('GET / describes the back-end and lists exactly the served endpoints', async () => {
    const res = await request(server.app).get('/');
    expect(res.status).toBe(200);
    expectMatchesSpec('/', 'get', res);
    expect(res.body).toMatchObject({ api_version: '1.2.0', stac_version: '1.0.0', type: 'Catalog', production: false });
    expect(res.body.conformsTo).toContain('https://api.openeo.org/1.2.0');
    const rels = res.body.links.map((l: { rel: string }) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['version-history', 'conformance', 'data']));
    for (const link of res.body.links) expect(link.href).toMatch(/^https:\/\/openeo\.example\.edu\/api\//);

    // Every advertised method answers something other than 404/405/501, and nothing is listed twice.
    const paths = res.body.endpoints.map((e: { path: string }) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const { path, methods } of res.body.endpoints as Array<{ path: string; methods: string[] }>) {
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      for (const method of methods) {
        const answer = await (request(server.app) as any)[method.toLowerCase()](concrete);
        expect([405, 501]).not.toContain(answer.status);
        // A 404 for a made-up id is fine; a 404 for the path itself means it is not really served.
        if (answer.status === 404) expect(answer.body.code).not.toBe('NotFound');
      }
    }
  });

  test('GET /.well-known/openeo gives absolute version URLs ending in a slash', async () => {
    const res = await request(server.app).get('/.well-known/openeo');
    expect(res.status).toBe(200);
    expectMatchesSpec('/.well-known/openeo', 'get', res);
    expect(res.body.versions).toEqual([{ url: 'https://openeo.example.edu/api/', production: false, api_version: '1.2.0' }]);
  });

  test.each([
    ['/conformance', (b: any) => expect(b.conformsTo).toContain('https://api.stacspec.org/v1.0.0/collections')],
    ['/file_formats', (b: any) => expect(Object.keys(b).sort()).toEqual(['input', 'output'])],
    ['/udf_runtimes', (b: any) => expect(Object.keys(b)).toEqual(['Python'])],
    ['/service_types', (b: any) => expect(Object.keys(b)).toEqual(['XYZ', 'WMTS'])],
  ])('GET %s follows the spec', async (path, check) => {
    const res = await request(server.app).get(path);
    expect(res.status).toBe(200);
    expectMatchesSpec(path, 'get', res);
    check(res.body);
  });

  test('GET /credentials/oidc is not served when OIDC is not configured (its answer needs a provider)', async () => {
    const res = await request(server.app).get('/credentials/oidc');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NotFound');
  });

  test('the spec helper really rejects a wrong body', () => {
    if (!openapiAvailable) {
      console.warn('../shared/openeo/api/openapi.yaml is missing: spec conformance checks are not run');
      return;
    }
    expect(specViolations('/.well-known/openeo', 'get', 200, { versions: [{ url: 5 }] }).length).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  test('an unknown path is a 404 NotFound error object', async () => {
    const res = await request(server.app).get('/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NotFound', links: [] });
    expect(res.body.id).toBe(res.headers['x-request-id']);
    expect(typeof res.body.message).toBe('string');
  });

  test('a method a path does not support is a 405 naming the allowed ones', async () => {
    const res = await request(server.app).delete('/conformance');
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('MethodNotAllowed');
    expect(res.headers.allow).toBe('OPTIONS, GET');
  });

  test('a malformed JSON body is a 400 with an openEO error', async () => {
    const res = await request(server.app).post('/me').set('Content-Type', 'application/json').send('{"process": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
    expect(res.body.message).toMatch(/not valid JSON/);
  });

  test('an oversized body is a 413 with an openEO error', async () => {
    const small = await startTestServer({ limits: { requestBodyBytes: 2048 } });
    try {
      const res = await request(small.app)
        .post('/me')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ pad: 'x'.repeat(5000) }));
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PayloadTooLarge');
    } finally {
      small.close();
    }
  });

  test('an unexpected failure is a 500 whose id is the logged request id, without internals', async () => {
    const broken = await startTestServer();
    const lines: string[] = [];
    const original = broken.ctx.logger;
    broken.ctx.logger = require('pino')({ level: 'info' }, { write: (l: string) => lines.push(l) });
    broken.ctx.db.close(); // the store now fails for real on its next query
    try {
      const res = await request(broken.app).get('/credentials/basic').auth('alice', 'whatever pass');
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('Internal');
      expect(res.body.id).toBe(res.headers['x-request-id']);
      expect(JSON.stringify(res.body)).not.toMatch(/database|sqlite|\.ts:|\.js:/i);
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.errId === res.body.id);
      expect(logged).toBeDefined();
      expect(logged.err.stack).toMatch(/database/i);
    } finally {
      broken.ctx.logger = original;
      broken.close();
    }
  });
});

describe('CORS', () => {
  test('every response carries the CORS headers the spec requires', async () => {
    for (const res of [await request(server.app).get('/'), await request(server.app).get('/missing')]) {
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const exposed = res.headers['access-control-expose-headers'].split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['Link', 'Location', 'OpenEO-Costs', 'OpenEO-Identifier']));
      for (const forbidden of ['Content-Type', 'Content-Length', 'Cache-Control']) expect(exposed).not.toContain(forbidden);
    }
  });

  test('OPTIONS preflight answers 204 with no body and the allowed headers and methods', async () => {
    const res = await request(server.app)
      .options('/jobs')
      .set('Origin', 'https://editor.openeo.org')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    for (const m of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) expect(res.headers['access-control-allow-methods']).toContain(m);
  });
});

describe('malformed requests', () => {
  test('an undecodable %-escape in a path parameter is a 400, not a crash', async () => {
    const res = await request(server.app).get('/collections/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
  });
});
