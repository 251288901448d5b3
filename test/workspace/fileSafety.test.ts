import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { userWorkspaceDir } from '../../src/store/storage';
import { listen, rawRequest } from './rawHttp';

let server: TestServer;
let http: { port: number; close(): Promise<void> };
let alice: string;
let bob: string;
let aliceRoot: string;
let outside: string;

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.login('alice');
  bob = await server.login('bob');
  http = await listen(server.app);
  aliceRoot = userWorkspaceDir(server.dataDir, server.ctx.users.findByName('alice')!.id);
  // A folder outside every workspace with a secret in it.
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
  const ok = await request(server.app).put('/files/mine.txt').set('Authorization', alice).set('Content-Type', 'application/octet-stream').send(Buffer.from('alice data'));
  expect(ok.status).toBe(200);
});

afterAll(async () => {
  await http.close();
  server.close();
  fs.rmSync(outside, { recursive: true, force: true });
});

/** Paths a client might send to escape or confuse the workspace, written exactly as sent. */
const ATTACKS: Array<[string, string]> = [
  ['parent folder', '/files/../secret.txt'],
  ['parent folder deeper', '/files/a/../../secret.txt'],
  ['encoded parent folder', '/files/%2e%2e/secret.txt'],
  ['encoded slashes', '/files/..%2F..%2Fetc%2Fpasswd'],
  ['encoded absolute path', '/files/%2Fetc%2Fpasswd'],
  ['double slash (absolute)', '/files//etc/passwd'],
  ['current folder', '/files/./mine.txt'],
  ['NUL byte', '/files/mine.txt%00.png'],
  ['backslash', '/files/..%5C..%5Csecret.txt'],
  ['Windows drive letter', '/files/C:%5CWindows%5Cwin.ini'],
  ['drive letter with slash', '/files/C:/secret.txt'],
  ['newline', '/files/a%0Ab.txt'],
  ['escape character', '/files/a%1Bb.txt'],
  ['delete character', '/files/a%7Fb.txt'],
  ['quote', '/files/a%22b.txt'],
  ['trailing slash', '/files/folder/'],
  ['over-long name', `/files/${'n'.repeat(256)}.txt`],
  ['over-long path', `/files/${Array.from({ length: 12 }, () => 'd'.repeat(100)).join('/')}/f.txt`],
  ['too deep', `/files/${Array.from({ length: 40 }, () => 'd').join('/')}/f.txt`],
];

describe('file paths that could leave the workspace are refused', () => {
  test.each(ATTACKS)('%s: every method answers FilePathInvalid', async (_name, url) => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await rawRequest(http.port, method, url, { Authorization: alice, 'Content-Type': 'application/octet-stream' }, method === 'PUT' ? 'x' : undefined);
      expect({ method, status: res.status }).toEqual({ method, status: 400 });
      expect(JSON.parse(res.body.toString()).code).toBe('FilePathInvalid');
    }
  });

  test('nothing was written anywhere by those attempts', async () => {
    const res = await request(server.app).get('/files').set('Authorization', alice);
    expect(res.body.files.map((f: { path: string }) => f.path)).toEqual(['mine.txt']);
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.existsSync(path.join(server.dataDir, 'workspace', 'secret.txt'))).toBe(false);
  });
});

describe('symbolic links planted in a workspace are never followed', () => {
  beforeAll(() => {
    fs.symlinkSync(outside, path.join(aliceRoot, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(aliceRoot, 'linkfile.txt'));
    fs.mkdirSync(path.join(aliceRoot, 'real'));
    fs.symlinkSync('../../', path.join(aliceRoot, 'real', 'up'));
  });

  test('reading through a link to a folder outside is refused', async () => {
    const res = await request(server.app).get('/files/linkdir/secret.txt').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
    expect(res.text).not.toContain('top secret');
  });

  test('reading a link to a file outside is refused', async () => {
    const res = await request(server.app).get('/files/linkfile.txt').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
  });

  test('a relative link pointing upwards inside a real folder is refused', async () => {
    const res = await request(server.app).get('/files/real/up/mine.txt').set('Authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
  });

  test('uploading through a link writes nothing outside', async () => {
    const res = await request(server.app).put('/files/linkdir/planted.txt').set('Authorization', alice).set('Content-Type', 'application/octet-stream').send(Buffer.from('evil'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FilePathInvalid');
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    const over = await request(server.app).put('/files/linkfile.txt').set('Authorization', alice).set('Content-Type', 'application/octet-stream').send(Buffer.from('evil'));
    expect(over.status).toBe(400);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  test('deleting through a link removes nothing outside', async () => {
    const res = await request(server.app).delete('/files/linkdir/secret.txt').set('Authorization', alice);
    expect(res.status).toBe(400);
    const link = await request(server.app).delete('/files/linkfile.txt').set('Authorization', alice);
    expect(link.status).toBe(400);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  test('links are not listed', async () => {
    const res = await request(server.app).get('/files').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectMatchesSpec('/files', 'get', res);
    expect(res.body.files.map((f: { path: string }) => f.path)).toEqual(['mine.txt']);
  });
});

describe('users are isolated from each other', () => {
  test("bob sees none of alice's files and cannot read or delete them", async () => {
    const list = await request(server.app).get('/files').set('Authorization', bob);
    expect(list.status).toBe(200);
    expectMatchesSpec('/files', 'get', list);
    expect(list.body.files).toEqual([]);
    const read = await request(server.app).get('/files/mine.txt').set('Authorization', bob);
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('FileNotFound');
    const del = await request(server.app).delete('/files/mine.txt').set('Authorization', bob);
    expect(del.status).toBe(404);
    const stillThere = await request(server.app).get('/files/mine.txt').set('Authorization', alice);
    expect(stillThere.text).toBe('alice data');
  });

  test("bob's file of the same name is his own", async () => {
    const put = await request(server.app).put('/files/mine.txt').set('Authorization', bob).set('Content-Type', 'application/octet-stream').send(Buffer.from('bob data'));
    expect(put.status).toBe(200);
    expect((await request(server.app).get('/files/mine.txt').set('Authorization', bob)).text).toBe('bob data');
    expect((await request(server.app).get('/files/mine.txt').set('Authorization', alice)).text).toBe('alice data');
  });

  test("an invalid token cannot read anyone's files", async () => {
    const res = await request(server.app).get('/files/mine.txt').set('Authorization', 'Bearer basic//not-a-token');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TokenInvalid');
  });
});

describe('requests the upload cannot take', () => {
  test('JSON- and text-typed bodies (GeoJSON uploads) are stored byte for byte', async () => {
    const geojson = '{"type":"FeatureCollection", "features":[]}';
    const res = await request(server.app).put('/files/area.geojson').set('Authorization', alice).set('Content-Type', 'application/json').send(geojson);
    expect(res.status).toBe(200);
    expect(fs.readFileSync(path.join(aliceRoot, 'area.geojson'), 'utf8')).toBe(geojson);
    const text = await request(server.app).put('/files/notes.txt').set('Authorization', alice).set('Content-Type', 'text/plain').send('{not json');
    expect(text.status).toBe(200);
    expect(fs.readFileSync(path.join(aliceRoot, 'notes.txt'), 'utf8')).toBe('{not json');
  });

  test('bodies without a content type or with a form type are stored as they are', async () => {
    const bare = await rawRequest(http.port, 'PUT', '/files/bare.bin', { Authorization: alice }, 'raw bytes');
    expect(bare.status).toBe(200);
    const form = await rawRequest(http.port, 'PUT', '/files/form.bin', { Authorization: alice, 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=1&b=2');
    expect(form.status).toBe(200);
    expect(fs.readFileSync(path.join(aliceRoot, 'bare.bin'), 'utf8')).toBe('raw bytes');
    expect(fs.readFileSync(path.join(aliceRoot, 'form.bin'), 'utf8')).toBe('a=1&b=2');
  });

  test('a malformed Content-Length is a client error', async () => {
    const res = await rawRequest(http.port, 'PUT', '/files/bad-length.txt', { Authorization: alice, 'Content-Length': '12abc' }, 'hello');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(fs.existsSync(path.join(aliceRoot, 'bad-length.txt'))).toBe(false);
  });
});
