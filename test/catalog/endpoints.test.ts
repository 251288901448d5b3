import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { tempDir, writeGeoTiff } from './rasters';

let server: TestServer;
let data: string;

beforeAll(async () => {
  data = tempDir();
  for (const name of ['alpha', 'beta', 'gamma']) await writeGeoTiff(path.join(data, `${name}.tif`));
  server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 } });
});

afterAll(() => {
  server.close();
  fs.rmSync(data, { recursive: true, force: true });
});

type Link = { rel: string; href: string };
const link = (links: Link[], rel: string) => links.find((l) => l.rel === rel);
/** The path and query of a link, to follow it against the in-process app. */
const local = (href: string) => href.replace(server.ctx.config.publicUrl, '');

describe('GET /collections', () => {
  test('lists every collection in short form', async () => {
    const res = await request(server.app).get('/collections');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections', 'get', res);
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(['alpha', 'beta', 'gamma']);
    expect(res.body.collections[0]['cube:dimensions']).toBeUndefined();
    expect(res.body.collections[0]).toMatchObject({ stac_version: '1.0.0', type: 'Collection', license: 'proprietary' });
    expect(link(res.body.links, 'next')).toBeUndefined();
  });

  test('pages with limit, following next and prev links', async () => {
    const first = await request(server.app).get('/collections?limit=2');
    expect(first.status).toBe(200);
    expectMatchesSpec('/collections', 'get', first);
    expect(first.body.collections.map((c: { id: string }) => c.id)).toEqual(['alpha', 'beta']);
    expect(link(first.body.links, 'prev')).toBeUndefined();
    const next = link(first.body.links, 'next')!;
    expect(next.href.startsWith(server.ctx.config.publicUrl)).toBe(true);

    const second = await request(server.app).get(local(next.href));
    expect(second.status).toBe(200);
    expectMatchesSpec('/collections', 'get', second);
    expect(second.body.collections.map((c: { id: string }) => c.id)).toEqual(['gamma']);
    expect(link(second.body.links, 'next')).toBeUndefined();
    const back = await request(server.app).get(local(link(second.body.links, 'prev')!.href));
    expect(back.body.collections.map((c: { id: string }) => c.id)).toEqual(['alpha', 'beta']);
  });

  test.each(['0', '-1', 'abc', '1.5'])('rejects limit=%s with 400', async (limit) => {
    const res = await request(server.app).get(`/collections?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
    expectMatchesSpec('/collections', 'get', res);
  });

  test('accepts credentials but does not need them', async () => {
    const auth = await server.login();
    expect((await request(server.app).get('/collections').set('Authorization', auth)).status).toBe(200);
    expect((await request(server.app).get('/collections/alpha').set('Authorization', auth)).status).toBe(200);
    const bad = await request(server.app).get('/collections').set('Authorization', 'Bearer basic//nonsense');
    expect(bad.status).toBe(403);
    expect(bad.body.code).toBe('TokenInvalid');
  });

  test('is advertised in the capabilities and refuses other methods', async () => {
    const caps = await request(server.app).get('/');
    const paths = caps.body.endpoints.filter((e: { path: string }) => e.path.startsWith('/collections'));
    expect(paths).toEqual([
      { path: '/collections', methods: ['GET'] },
      { path: '/collections/{collection_id}', methods: ['GET'] },
      { path: '/collections/{collection_id}/queryables', methods: ['GET'] },
      // The default picture of a collection as XYZ tiles (its STAC link of rel xyz).
      { path: '/collections/{collection_id}/preview/{z}/{x}/{y}', methods: ['GET'] },
    ]);
    const post = await request(server.app).post('/collections').send({});
    expect(post.status).toBe(405);
  });
});

describe('GET /collections/{collection_id}', () => {
  test('links to itself, its parent, the root and its queryables', async () => {
    const res = await request(server.app).get('/collections/beta');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    const base = server.ctx.config.publicUrl;
    expect(link(res.body.links, 'self')!.href).toBe(`${base}/collections/beta`);
    expect(link(res.body.links, 'parent')!.href).toBe(`${base}/collections`);
    expect(link(res.body.links, 'root')!.href).toBe(`${base}/`);
    expect(link(res.body.links, 'http://www.opengis.net/def/rel/ogc/1.0/queryables')!.href).toBe(`${base}/collections/beta/queryables`);
    expect(res.body.stac_extensions).toEqual(
      expect.arrayContaining(['https://stac-extensions.github.io/datacube/v2.2.0/schema.json', 'https://stac-extensions.github.io/eo/v1.1.0/schema.json']),
    );
  });

  test('answers unknown ids with 404 CollectionNotFound', async () => {
    for (const url of ['/collections/nothing', '/collections/nothing/queryables']) {
      const res = await request(server.app).get(url);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('CollectionNotFound');
      expect(res.body.message).toContain('nothing');
    }
    expectMatchesSpec('/collections/{collection_id}', 'get', await request(server.app).get('/collections/nothing'));
  });

  test('queryables of data without item properties still offer datetime', async () => {
    const res = await request(server.app).get('/collections/alpha/queryables');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}/queryables', 'get', res);
    expect(Object.keys(res.body.properties)).toEqual(['datetime']);
    expect(res.body.$id).toBe(`${server.ctx.config.publicUrl}/collections/alpha/queryables`);
  });
});
