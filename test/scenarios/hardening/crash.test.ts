/**
 * SIGKILL of the server process in the middle of an upload and of a burst of database writes:
 * after a restart on the same data directory the old file is intact, every stored process is
 * complete, the database passes its integrity check, and users can sign in. (SIGKILL during
 * batch jobs: test/jobs/restart.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { loadConfig } from '../../../src/config/load';
import { createLogger } from '../../../src/logger';
import { closeContext, createContext } from '../../../src/server';
import { get } from './loadDriver';
import { freePort } from '../../helpers/ports';

const ROOT = path.resolve(__dirname, '../../..');

function startServerProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const config = path.join(dataDir, 'config.json');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], {
    env: { ...process.env, PORT: String(port), OPENEO_DATA_DIR: dataDir, OPENEO_CONFIG: config, OPENEO_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function send(port: number, method: string, url: string, auth: string | undefined, body?: Buffer, contentType = 'application/json'): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': contentType };
    if (auth) headers.authorization = auth;
    if (body) headers['content-length'] = body.length;
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function login(port: number): Promise<string> {
  const res = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/credentials/basic', auth: 'alice:correct horse battery', agent: false }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  expect(res.status).toBe(200);
  return `Bearer basic//${JSON.parse(res.body.toString()).access_token}`;
}

const graph = (i: number) => ({ summary: `graph ${i}`, process_graph: { a: { process_id: 'add', arguments: { x: i, y: 'x'.repeat(2000).length }, result: true } } });

test('SIGKILL mid-upload and mid-writes leaves the old file, complete records and a sound database', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-crash-'));
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ dataDir: '.', demo: false, logLevel: 'info', collections: { sources: [] } }));
  const config = loadConfig({ file: path.join(dataDir, 'config.json'), env: {}, overrides: { dataDir } });
  const ctx = await createContext(config, createLogger('silent'));
  await ctx.users.add('alice', 'correct horse battery');
  closeContext(ctx);

  const port = await freePort();
  let server = await startServerProcess(dataDir, port);
  try {
    let auth = await login(port);
    const original = Buffer.alloc(1 << 20, 0x41);
    expect((await send(port, 'PUT', '/files/data.bin', auth, original, 'application/octet-stream')).status).toBe(200);
    expect((await send(port, 'PUT', '/process_graphs/kept', auth, Buffer.from(JSON.stringify(graph(0))))).status).toBe(200);

    // A replacement upload announced as 50 MB, of which 4 MB arrive before the server dies…
    const upload = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/files/data.bin', headers: { authorization: auth, 'content-type': 'application/octet-stream', 'content-length': 50 << 20 } });
    upload.on('error', () => undefined);
    for (let i = 0; i < 4; i++) upload.write(Buffer.alloc(1 << 20, 0x42));
    // …while many process graphs are being stored.
    const writes = Array.from({ length: 60 }, (_, i) => send(port, 'PUT', `/process_graphs/g${i}`, auth, Buffer.from(JSON.stringify(graph(i)))).catch(() => ({ status: 0, body: Buffer.alloc(0) })));
    await new Promise((r) => setTimeout(r, 150));
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    const statuses = (await Promise.all(writes)).map((w) => w.status);
    upload.destroy();

    server = await startServerProcess(dataDir, port);
    auth = await login(port);
    const agent = new http.Agent();
    const file = await get(`http://127.0.0.1:${port}`, '/files/data.bin', auth, agent);
    expect(file.status).toBe(200);
    expect(file.body.equals(original)).toBe(true);
    const list = JSON.parse((await get(`http://127.0.0.1:${port}`, '/files', auth, agent)).body.toString());
    expect(list.files.map((f: { path: string; size: number }) => [f.path, f.size])).toEqual([['data.bin', 1 << 20]]);

    // Every graph whose store was confirmed is there, and every listed graph is complete.
    const stored = JSON.parse((await get(`http://127.0.0.1:${port}`, '/process_graphs', auth, agent)).body.toString());
    const ids: string[] = stored.processes.map((p: { id: string }) => p.id);
    expect(ids).toContain('kept');
    statuses.forEach((status, i) => {
      if (status === 200) expect(ids).toContain(`g${i}`);
    });
    for (const id of ids) {
      const one = await get(`http://127.0.0.1:${port}`, `/process_graphs/${id}`, auth, agent);
      expect([id, one.status]).toEqual([id, 200]);
      expect(JSON.parse(one.body.toString()).process_graph.a.process_id).toBe('add');
    }
    const db = new Database(path.join(dataDir, 'openeo.sqlite'), { readonly: true });
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    db.close();
    agent.destroy();
    console.log(`SIGKILL during writes: ${statuses.filter((s) => s === 200).length} of 60 process graph writes confirmed before the kill, ${ids.length - 1} stored after restart`);
  } finally {
    server.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
