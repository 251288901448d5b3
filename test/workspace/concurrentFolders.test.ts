import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { userWorkspaceDir } from '../../src/store/storage';
import { listen } from './rawHttp';

let server: TestServer;
let alice: string;
let http: { port: number; close(): Promise<void> };

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.login('alice');
  http = await listen(server.app);
});

afterAll(async () => {
  await http.close();
  server.close();
});

// A delete removes the folders it empties; an upload into the same folders at that moment
// used to fail with a 500 when its folder vanished between creating and filling it.
test('uploads and deletes racing in the same folders all answer as defined, and the final state is consistent', async () => {
  const paths = ['shared/a.txt', 'shared/deeper/b.txt', 'shared/deeper/still/c.txt'];
  const unexpected: string[] = [];
  const client = async (worker: number) => {
    for (let i = 0; i < 250; i++) {
      const file = paths[(i + worker) % paths.length];
      const upload = (i + worker) % 2 === 0;
      const res = await fetch(`http://127.0.0.1:${http.port}/files/${file}`, {
        method: upload ? 'PUT' : 'DELETE',
        headers: { authorization: alice, 'content-type': 'application/octet-stream' },
        body: upload ? Buffer.alloc(10 + i, worker) : undefined,
      });
      const text = await res.text();
      const allowed = upload ? [200] : [204, 404];
      if (!allowed.includes(res.status)) unexpected.push(`${upload ? 'PUT' : 'DELETE'} ${file}: ${res.status} ${text.slice(0, 200)}`);
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(client));
  expect(unexpected).toEqual([]);

  // What the listing says is what is on disk, and no empty folder is left behind.
  const listed = await request(server.app).get('/files').set('Authorization', alice);
  expect(listed.status).toBe(200);
  const root = userWorkspaceDir(server.dataDir, server.ctx.users.findByName('alice')!.id);
  const onDisk: string[] = [];
  const walk = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (dir !== root) expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else onDisk.push(path.relative(root, path.join(dir, e.name)));
    }
  };
  walk(root);
  expect((listed.body.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual(onDisk.sort());
}, 120_000);
