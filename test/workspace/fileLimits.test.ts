import fs from 'node:fs';
import nodeHttp from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { userWorkspaceDir } from '../../src/store/storage';
import { collect, listen, streamUpload } from './rawHttp';

const MAX_UPLOAD = 200_000;
const QUOTA = 300_000;

let server: TestServer;
let http: { port: number; close(): Promise<void> };
let alice: string;
let aliceRoot: string;
let uploadsDir: string;

beforeAll(async () => {
  server = await startTestServer({ limits: { maxUploadBytes: MAX_UPLOAD } });
  await server.ctx.users.add('alice', 'correct horse battery', { storageQuota: QUOTA });
  alice = await server.login('alice');
  http = await listen(server.app);
  aliceRoot = userWorkspaceDir(server.dataDir, server.ctx.users.findByName('alice')!.id);
  uploadsDir = path.join(server.dataDir, 'workspace', '.uploads');
});

afterAll(async () => {
  await http.close();
  server.close();
});

function leftoverTempFiles(): string[] {
  return fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [];
}

function errorCode(res: { body: Buffer }): string {
  return JSON.parse(res.body.toString()).code;
}

describe('size limit', () => {
  test('an announced body over the limit is refused before anything is stored', async () => {
    const res = await streamUpload(http.port, '/files/big-announced.bin', alice, MAX_UPLOAD + 1, { declareLength: true });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('FileSizeExceeded');
    expect(fs.existsSync(path.join(aliceRoot, 'big-announced.bin'))).toBe(false);
    expect(leftoverTempFiles()).toEqual([]);
  });

  test('a streamed body that grows over the limit is stopped and leaves nothing', async () => {
    const res = await streamUpload(http.port, '/files/big-streamed.bin', alice, MAX_UPLOAD * 3);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('FileSizeExceeded');
    expect(JSON.parse(res.body.toString()).message).toContain(String(MAX_UPLOAD));
    expect(fs.existsSync(path.join(aliceRoot, 'big-streamed.bin'))).toBe(false);
    expect(leftoverTempFiles()).toEqual([]);
  });

  test('a client that sends the whole body before reading still gets the error', async () => {
    const res = await streamUpload(http.port, '/files/big-sent-anyway.bin', alice, MAX_UPLOAD * 2, { sendAll: true });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('FileSizeExceeded');
    expect(fs.existsSync(path.join(aliceRoot, 'big-sent-anyway.bin'))).toBe(false);
    expect(leftoverTempFiles()).toEqual([]);
  });

  test('a file of exactly the limit is accepted', async () => {
    const res = await streamUpload(http.port, '/files/exact.bin', alice, MAX_UPLOAD, { declareLength: true });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expectMatchesSpec('/files/{path}', 'put', { status: res.status, body });
    expect(body.size).toBe(MAX_UPLOAD);
    expect(fs.statSync(path.join(aliceRoot, 'exact.bin')).size).toBe(MAX_UPLOAD);
  });

  test('a failed replacement keeps the old file intact', async () => {
    const res = await streamUpload(http.port, '/files/exact.bin', alice, MAX_UPLOAD + 10, { fill: 0x62 });
    expect(res.status).toBe(400);
    const kept = fs.readFileSync(path.join(aliceRoot, 'exact.bin'));
    expect(kept.length).toBe(MAX_UPLOAD);
    expect(kept.every((b) => b === 0x61)).toBe(true);
  });
});

describe('storage quota', () => {
  // exact.bin (200 000 bytes) is stored; 100 000 bytes of the 300 000 quota are free.
  test('an announced body over the free space is refused at once', async () => {
    const res = await streamUpload(http.port, '/files/q1.bin', alice, 150_000, { declareLength: true });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('StorageQuotaExceeded');
    expect(fs.existsSync(path.join(aliceRoot, 'q1.bin'))).toBe(false);
  });

  test('a streamed body is stopped when the quota is reached and leaves nothing', async () => {
    const res = await streamUpload(http.port, '/files/q2.bin', alice, 150_000);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('StorageQuotaExceeded');
    expect(fs.existsSync(path.join(aliceRoot, 'q2.bin'))).toBe(false);
    expect(leftoverTempFiles()).toEqual([]);
  });

  test('replacing a file only counts the difference', async () => {
    const res = await streamUpload(http.port, '/files/exact.bin', alice, MAX_UPLOAD, { declareLength: true, fill: 0x63 });
    expect(res.status).toBe(200);
  });

  test('GET /me reports the personal quota and what is left', async () => {
    const res = await request(server.app).get('/me').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectMatchesSpec('/me', 'get', res);
    expect(res.body.storage).toEqual({ quota: QUOTA, free: QUOTA - MAX_UPLOAD });
  });

  test('two parallel uploads cannot together exceed the quota', async () => {
    const results = await Promise.all([
      streamUpload(http.port, '/files/par1.bin', alice, 80_000, { chunkSize: 4096 }),
      streamUpload(http.port, '/files/par2.bin', alice, 80_000, { chunkSize: 4096 }),
    ]);
    const stored = results.filter((r) => r.status === 200).length;
    expect(stored).toBeLessThanOrEqual(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(errorCode(r)).toBe('StorageQuotaExceeded');
    const me = await request(server.app).get('/me').set('Authorization', alice);
    expect(me.body.storage.free).toBeGreaterThanOrEqual(0);
    expect(fs.readdirSync(aliceRoot).length).toBe(1 + stored);
    expect(leftoverTempFiles()).toEqual([]);
    for (const name of ['par1.bin', 'par2.bin']) await request(server.app).delete(`/files/${name}`).set('Authorization', alice);
  });
});

describe('interrupted and concurrent uploads', () => {
  test('a client that disconnects mid-upload leaves no file and no temp file', async () => {
    const req = nodeHttp.request({
      host: '127.0.0.1',
      port: http.port,
      method: 'PUT',
      path: '/files/aborted/half.bin',
      headers: { Authorization: alice, 'Content-Type': 'application/octet-stream', 'Content-Length': '50000' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(20_000, 1));
    // Wait until the server has started writing the temp file, then vanish.
    const deadline = Date.now() + 5000;
    while (leftoverTempFiles().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(leftoverTempFiles()).toHaveLength(1);
    req.destroy();
    const settle = Date.now() + 5000;
    while (leftoverTempFiles().length > 0 && Date.now() < settle) await new Promise((r) => setTimeout(r, 10));
    expect(leftoverTempFiles()).toEqual([]);
    expect(fs.existsSync(path.join(aliceRoot, 'aborted'))).toBe(false);
    const list = await request(server.app).get('/files').set('Authorization', alice);
    expect(list.body.files.map((f: { path: string }) => f.path)).toEqual(['exact.bin']);
  });

  test('a body shorter than its Content-Length is not stored', async () => {
    const result = await new Promise<number | string>((resolve) => {
      const req = nodeHttp.request({
        host: '127.0.0.1',
        port: http.port,
        method: 'PUT',
        path: '/files/short.bin',
        headers: { Authorization: alice, 'Content-Type': 'application/octet-stream', 'Content-Length': '1000' },
      });
      req.on('response', (res) => collect(res).then((r) => resolve(r.status)));
      req.on('error', (e) => resolve(e.message));
      req.write(Buffer.alloc(10, 1));
      setTimeout(() => req.socket?.end(), 100);
    });
    expect(result).not.toBe(200);
    const deadline = Date.now() + 5000;
    while (leftoverTempFiles().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(path.join(aliceRoot, 'short.bin'))).toBe(false);
    expect(leftoverTempFiles()).toEqual([]);
  });

  test('concurrent uploads to one path leave one complete version, not a mix', async () => {
    const size = 40_000; // both fit into the free quota together
    const [a, b] = await Promise.all([
      streamUpload(http.port, '/files/race.bin', alice, size, { fill: 0x41, chunkSize: 1000 }),
      streamUpload(http.port, '/files/race.bin', alice, size, { fill: 0x42, chunkSize: 1000 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const content = fs.readFileSync(path.join(aliceRoot, 'race.bin'));
    expect(content.length).toBe(size);
    const first = content[0];
    expect([0x41, 0x42]).toContain(first);
    expect(content.every((byte) => byte === first)).toBe(true);
    expect(leftoverTempFiles()).toEqual([]);
  });
});
