import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import request from 'supertest';
import { Writable } from 'node:stream';
import { startTestServer } from '../helpers/testServer';
import { createLogger } from '../../src/logger';
import { freePort } from '../helpers/ports';

const ROOT = path.resolve(__dirname, '../..');

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 60000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

describe('the server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-proc-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('starts on PORT with a data dir, creates the demo account once, and serves the API', async () => {
    const port = await freePort();
    // Demo data generation is exercised by the catalogue tests; here only the account matters.
    const config = path.join(dataDir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ port: 1, dataDir: '.', collections: { sources: [] } }));
    const env = { ...process.env, PORT: String(port), OPENEO_DATA_DIR: dataDir, OPENEO_CONFIG: config };
    const start = () => spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });

    const first = start();
    try {
      const output = await waitFor(first, /listening/);
      expect(output).toMatch(/user: demo\n\s+password: \S+/);
      const res = await request(`http://127.0.0.1:${port}`).get('/');
      expect(res.status).toBe(200);
      expect(res.body.api_version).toBe('1.2.0');
      expect(fs.existsSync(path.join(dataDir, 'openeo.sqlite'))).toBe(true);
    } finally {
      first.kill('SIGTERM');
      await new Promise((r) => first.once('exit', r));
    }

    const second = start();
    try {
      const output = await waitFor(second, /listening/);
      expect(output).not.toMatch(/password:/);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });

  test('a production configuration never creates the demo account', async () => {
    const prodDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-prod-'));
    const port = await freePort();
    const config = path.join(prodDir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ port, dataDir: '.', production: true, demo: true, collections: { sources: [] } }));
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], {
      env: { ...process.env, OPENEO_CONFIG: config },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const output = await waitFor(child, /listening/);
      expect(output).not.toMatch(/Demo account/);
      const users = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/users.js'), 'list'], {
        env: { ...process.env, OPENEO_CONFIG: config },
        encoding: 'utf8',
      });
      expect(users.status).toBe(0);
      expect(users.stdout.trim()).toBe('');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(prodDir, { recursive: true, force: true });
    }
  });
});

describe('the users CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/users.js'), ...args], {
      env: { ...process.env, OPENEO_DATA_DIR: dataDir, OPENEO_CONFIG: path.join(ROOT, 'config.json') },
      encoding: 'utf8',
    });

  test('adds, lists, changes the password of and removes users', async () => {
    expect(cli('add', 'dora', '--password', 'doras secret', '--email', 'dora@uni.example').status).toBe(0);
    const list = cli('list');
    expect(list.stdout).toMatch(/^dora\t[0-9a-f-]{36}\tdora@uni\.example\t/m);

    const server = await startTestServer({ dataDir });
    try {
      expect((await request(server.app).get('/credentials/basic').auth('dora', 'doras secret')).status).toBe(200);
      expect(cli('passwd', 'dora', '--password', 'another secret').status).toBe(0);
      expect((await request(server.app).get('/credentials/basic').auth('dora', 'doras secret')).status).toBe(403);
      expect((await request(server.app).get('/credentials/basic').auth('dora', 'another secret')).status).toBe(200);
    } finally {
      server.ctx.db.close();
    }
    expect(cli('remove', 'dora').status).toBe(0);
    expect(cli('list').stdout).not.toMatch(/dora/);
  });

  test('explains its mistakes on one line and exits non-zero', () => {
    const cases: Array<[string[], RegExp]> = [
      [['add', 'eve'], /--password/],
      [['add', 'eve', '--password', 'short'], /at least 8 characters/],
      [['add', '../eve', '--password', 'long enough'], /not allowed/],
      [['remove', 'nobody'], /no user 'nobody'/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const result = cli(...args);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('request logging', () => {
  test('writes one structured line per request with the id sent in X-Request-Id', async () => {
    const server = await startTestServer();
    const lines: Array<Record<string, unknown>> = [];
    server.ctx.logger = createLogger('info', new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }) as any);
    try {
      const auth = await server.login('frank', 'franks password');
      const res = await request(server.app).get('/me').set('Authorization', auth);
      expect(res.status).toBe(200);
      const line = lines.find((l) => l.reqId === res.headers['x-request-id']);
      expect(line).toMatchObject({ method: 'GET', path: '/me', status: 200, user: 'frank', msg: 'request' });
      expect(typeof line!.durationMs).toBe('number');
      expect(JSON.stringify(lines)).not.toContain(auth.split('//')[1]);
    } finally {
      server.close();
    }
  });
});
