import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { userWorkspaceDir } from '../../src/store/storage';
import { parseWorkspacePath } from '../../src/workspace/paths';

const GEOJSON = '{"type":"FeatureCollection","features":[]}';
const GEOJSON_BYTES = Buffer.byteLength(GEOJSON);

let server: TestServer;
let alice: string;

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.login('alice');
});
afterAll(() => server.close());

function put(url: string, body: Buffer | string, auth = alice) {
  return request(server.app).put(url).set('Authorization', auth).set('Content-Type', 'application/octet-stream').send(Buffer.from(body));
}

async function aliceDir(): Promise<string> {
  return userWorkspaceDir(server.dataDir, server.ctx.users.findByName('alice')!.id);
}

describe('files: upload, download, list, delete', () => {
  test('uploads into nested folders and answers with the file metadata', async () => {
    const res = await put('/files/borders/europe/austria.geojson', GEOJSON);
    expect(res.status).toBe(200);
    expectMatchesSpec('/files/{path}', 'put', res);
    expect(res.body).toEqual({ path: 'borders/europe/austria.geojson', size: GEOJSON_BYTES, modified: expect.any(String) });
    expect(Number.isNaN(Date.parse(res.body.modified))).toBe(false);
    const onDisk = path.join(await aliceDir(), 'borders', 'europe', 'austria.geojson');
    expect(fs.readFileSync(onDisk, 'utf8')).toBe(GEOJSON);
  });

  test('downloads with type, length and the exact bytes', async () => {
    const res = await request(server.app)
      .get('/files/borders/europe/austria.geojson')
      .set('Authorization', alice)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/geo+json');
    expect(res.headers['content-length']).toBe(String(GEOJSON_BYTES));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((res.body as Buffer).toString('utf8')).toBe(GEOJSON);
  });

  test('names with non-ASCII letters and spaces work when URL-encoded', async () => {
    const res = await put('/files/europe/%C3%B6sterreich/m%C3%BCnster%20city.txt', 'hallo');
    expect(res.status).toBe(200);
    expect(res.body.path).toBe('europe/österreich/münster city.txt');
    const back = await request(server.app).get('/files/europe/%C3%B6sterreich/m%C3%BCnster%20city.txt').set('Authorization', alice);
    expect(back.status).toBe(200);
    expect(back.text).toBe('hallo');
    expect(back.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  test('replacing a file keeps one file with the new content', async () => {
    await put('/files/replace.txt', 'first version, rather long');
    const res = await put('/files/replace.txt', 'second');
    expect(res.body.size).toBe(6);
    const back = await request(server.app).get('/files/replace.txt').set('Authorization', alice);
    expect(back.text).toBe('second');
  });

  test('serves a single byte range', async () => {
    await put('/files/range.txt', '0123456789');
    const middle = await request(server.app).get('/files/range.txt').set('Authorization', alice).set('Range', 'bytes=2-5');
    expect(middle.status).toBe(206);
    expect(middle.text).toBe('2345');
    expect(middle.headers['content-range']).toBe('bytes 2-5/10');
    expect(middle.headers['content-length']).toBe('4');
    const tail = await request(server.app).get('/files/range.txt').set('Authorization', alice).set('Range', 'bytes=-3');
    expect(tail.status).toBe(206);
    expect(tail.text).toBe('789');
    const beyond = await request(server.app).get('/files/range.txt').set('Authorization', alice).set('Range', 'bytes=50-');
    expect([beyond.status, beyond.body.code]).toEqual([416, 'RangeNotSatisfiable']);
    expect(beyond.headers['content-range']).toBe('bytes */10');
    const several = await request(server.app).get('/files/range.txt').set('Authorization', alice).set('Range', 'bytes=0-1,4-5');
    expect(several.status).toBe(200);
    expect(several.text).toBe('0123456789');
  });

  test('HEAD reports the size without a body', async () => {
    const res = await request(server.app).head('/files/range.txt').set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('10');
  });

  test('an empty file can be stored and read', async () => {
    const res = await put('/files/empty.bin', '');
    expect(res.status).toBe(200);
    expect(res.body.size).toBe(0);
    const back = await request(server.app).get('/files/empty.bin').set('Authorization', alice);
    expect(back.status).toBe(200);
    expect(back.headers['content-length']).toBe('0');
  });

  test('lists every file with path, size and modification time, folders not separately', async () => {
    const res = await request(server.app).get('/files').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectMatchesSpec('/files', 'get', res);
    const paths = res.body.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual([
      'borders/europe/austria.geojson',
      'empty.bin',
      'europe/österreich/münster city.txt',
      'range.txt',
      'replace.txt',
    ]);
    expect(res.body.files[0]).toEqual({ path: 'borders/europe/austria.geojson', size: GEOJSON_BYTES, modified: expect.any(String) });
    expect(res.body.links).toEqual([]);
  });

  test('pages the list with limit and next links until the end', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/files?limit=2';
    let pages = 0;
    while (url) {
      const res: request.Response = await request(server.app).get(url).set('Authorization', alice);
      expect(res.status).toBe(200);
      expectMatchesSpec('/files', 'get', res);
      expect(res.body.files.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.files.map((f: { path: string }) => f.path));
      const next: { href: string } | undefined = res.body.links.find((l: { rel: string }) => l.rel === 'next');
      url = next ? new URL(next.href).pathname + new URL(next.href).search : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  test('a bad limit is a client error', async () => {
    for (const limit of ['0', '-1', 'abc', '1.5']) {
      const res = await request(server.app).get(`/files?limit=${limit}`).set('Authorization', alice);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BadRequest');
    }
  });

  test('GET /me counts the uploaded bytes', async () => {
    const res = await request(server.app).get('/me').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectMatchesSpec('/me', 'get', res);
    const quota = server.ctx.config.auth.defaultStorageQuotaBytes;
    const used = GEOJSON_BYTES + 5 + 6 + 10 + 0;
    expect(res.body.storage).toEqual({ quota, free: quota - used });
  });

  test('deleting a file removes the folders it leaves empty', async () => {
    await put('/files/borders/africa.geojson', '{}');
    let res = await request(server.app).delete('/files/borders/europe/austria.geojson').set('Authorization', alice);
    expect(res.status).toBe(204);
    const root = await aliceDir();
    expect(fs.existsSync(path.join(root, 'borders', 'europe'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'borders', 'africa.geojson'))).toBe(true);
    res = await request(server.app).delete('/files/borders/africa.geojson').set('Authorization', alice);
    expect(res.status).toBe(204);
    expect(fs.existsSync(path.join(root, 'borders'))).toBe(false);
    expect(fs.existsSync(root)).toBe(true);
  });

  test('missing files and folders give the spec errors', async () => {
    let res = await request(server.app).get('/files/nothing/here.txt').set('Authorization', alice);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('FileNotFound');
    res = await request(server.app).delete('/files/nothing.txt').set('Authorization', alice);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('FileNotFound');
    res = await request(server.app).get('/files/europe').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FileOperationUnsupported');
    res = await request(server.app).delete('/files/europe').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FileOperationUnsupported');
    res = await put('/files/europe', 'x');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
    res = await put('/files/range.txt/inside.txt', 'x');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
  });

  test('every file endpoint needs a login', async () => {
    for (const [method, url] of [
      ['get', '/files'],
      ['get', '/files/range.txt'],
      ['put', '/files/x.txt'],
      ['delete', '/files/range.txt'],
    ] as const) {
      const res = await request(server.app)[method](url);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AuthenticationRequired');
    }
  });

  test('the file store resolves existing files for processes and refuses the rest', async () => {
    const user = server.ctx.users.findByName('alice')!;
    const resolve = async (written: string) => server.ctx.workspace.files.resolveExisting(user.id, parseWorkspacePath(written));
    const found = await resolve('range.txt');
    expect(fs.readFileSync(found, 'utf8')).toBe('0123456789');
    await expect(resolve('missing.txt')).rejects.toMatchObject({ code: 'FileNotFound' });
    await expect(resolve('../range.txt')).rejects.toMatchObject({ code: 'FilePathInvalid' });
    await expect(resolve('/etc/passwd')).rejects.toMatchObject({ code: 'FilePathInvalid' });
    await expect(resolve('europe')).rejects.toMatchObject({ code: 'FileOperationUnsupported' });
  });
});
