import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { userWorkspaceDir } from '../../src/store/storage';
import { listen } from './rawHttp';

// Large enough that holding the body in memory could not pass, and that unrelated allocations
// of a busy test process (tens of MB) stay well under the bound.
const SIZE = 160 * 1024 * 1024;
const MEMORY_BOUND = 40 * 1024 * 1024;
const FILL = 0x5a;

let server: TestServer;
let http: { port: number; close(): Promise<void> };
let alice: string;

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.login('alice');
  http = await listen(server.app);
});

afterAll(async () => {
  await http.close();
  server.close();
});

// Collecting garbage before each sample measures what is really held, not what awaits collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function liveMemory(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface ClientResult {
  status: number;
  headers: Record<string, string>;
  received: number;
  allFill: boolean;
  body: string;
}

/**
 * Runs the streaming client in its own process (so its buffers do not count) and samples
 * the live memory of this process, which serves the request; returns the peak growth.
 */
async function withServerMemory(mode: 'put' | 'get', urlPath: string): Promise<{ result: ClientResult; growth: number }> {
  const baseline = liveMemory();
  let peak = baseline;
  // Full collections are slow on a busy machine: keep them to a fifth of the time at most.
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const started = Date.now();
    peak = Math.max(peak, liveMemory());
    timer = setTimeout(sample, Math.max(250, 4 * (Date.now() - started)));
  };
  timer = setTimeout(sample, 250);
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const args = [path.join(__dirname, 'streamingClient.js'), mode, String(http.port), urlPath, alice, String(SIZE), String(FILL)];
      execFile(process.execPath, args, (error, out) => (error ? reject(error) : resolve(out)));
    });
    return { result: JSON.parse(stdout) as ClientResult, growth: peak - baseline };
  } finally {
    clearTimeout(timer);
  }
}

describe('large files stream through without being held in memory', () => {
  test('a 160 MB upload is stored completely while server memory stays far below its size', async () => {
    const { result, growth } = await withServerMemory('put', '/files/big/large.bin');
    expect(result.status).toBe(200);
    const body = JSON.parse(result.body);
    expectMatchesSpec('/files/{path}', 'put', { status: 200, body });
    expect(body.size).toBe(SIZE);
    const stored = path.join(userWorkspaceDir(server.dataDir, server.ctx.users.findByName('alice')!.id), 'big', 'large.bin');
    expect(fs.statSync(stored).size).toBe(SIZE);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 180_000);

  test('a 160 MB download arrives whole while server memory stays far below its size', async () => {
    const { result, growth } = await withServerMemory('get', '/files/big/large.bin');
    expect(result.status).toBe(200);
    expect(result.headers['content-length']).toBe(String(SIZE));
    expect(result.headers['content-type']).toBe('application/octet-stream');
    expect(result.received).toBe(SIZE);
    expect(result.allFill).toBe(true);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 180_000);
});
