import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { ensureDemoData, DEMO_S2_ID } from '../../src/catalog/demo/generate';

/**
 * Hostile UDFs: each escape attempt must fail inside the sandbox (the UDF reports how), and the
 * ones that exhaust a resource end their run with a clear error while the server goes on.
 */
let server: TestServer;
let auth: string;
let listener: http.Server;
let port: number;

beforeAll(async () => {
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections, udf: { timeoutSeconds: 4, memoryMegabytes: 1024 } });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  auth = await server.login();
  listener = http.createServer((_req, res) => res.end('reached the host'));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
}, 120_000);
afterAll(() => {
  listener?.close();
  return server?.close();
});

const EXTENT = { west: 471000, south: 5265000, east: 471040, north: 5265040, crs: 32632 };

/** Runs `body` (Python, indented by 4) as apply_datacube inside apply over two dates of B04. */
function runUdf(body: string, context: Record<string, unknown> = {}) {
  const udf = `import os, sys, time\nimport xarray\n\ndef apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:\n${body}\n    return cube\n`;
  const process_graph = {
    l: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: EXTENT, temporal_extent: ['2023-01-01', '2023-03-01'], bands: ['B04'] } },
    a: {
      process_id: 'apply',
      arguments: {
        data: { from_node: 'l' },
        context,
        process: { process_graph: { u: { process_id: 'run_udf', arguments: { data: { from_parameter: 'x' }, udf, runtime: 'Python', context: { from_parameter: 'context' } }, result: true } } },
      },
    },
    s: { process_id: 'save_result', arguments: { data: { from_node: 'a' }, format: 'JSON' }, result: true },
  };
  return request(server.app).post('/result').set('Authorization', auth).send({ process: { process_graph } });
}

/** The UDF raises `marker: <what stopped it>` when blocked, and returns normally when it got through. */
async function expectBlocked(body: string, marker: string, context: Record<string, unknown> = {}) {
  const res = await runUdf(body, context);
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('UdfError');
  expect(res.body.message).toContain(marker);
  return res.body.message as string;
}

test('no network: connecting to a port of the host fails', async () => {
  const message = await expectBlocked(
    [
      '    import socket',
      '    try:',
      '        socket.create_connection(("127.0.0.1", context["port"]), timeout=2).recv(100)',
      '    except OSError as e:',
      '        raise RuntimeError("blocked network: %r" % e)',
    ].join('\n'),
    'blocked network',
    { port },
  );
  expect(message).toMatch(/Errno|refused|unreachable/i);
}, 30_000);

test('no /etc/passwd and no data directory in the sandbox', async () => {
  await expectBlocked(
    ['    try:', '        open("/etc/passwd").read()', '    except OSError as e:', '        raise RuntimeError("blocked passwd: %r" % e)'].join('\n'),
    'blocked passwd: FileNotFoundError',
  );
  await expectBlocked(
    ['    try:', '        os.listdir(context["dir"])', '    except OSError as e:', '        raise RuntimeError("blocked data dir: %r" % e)'].join('\n'),
    'blocked data dir: FileNotFoundError',
    { dir: server.dataDir },
  );
}, 30_000);

test('a fork bomb meets the process limit and the run ends with an error', async () => {
  await expectBlocked(
    ['    children = 0', '    while children < 10000:', '        if os.fork() == 0:', '            time.sleep(30)', '            os._exit(0)', '        children += 1'].join('\n'),
    'BlockingIOError',
  );
}, 30_000);

test('allocating 10 GiB fails with a memory error', async () => {
  await expectBlocked('    hog = bytearray(10 * 1024 ** 3)', 'MemoryError');
}, 30_000);

test('an endless loop is stopped by the wall-clock limit and logged', async () => {
  const started = Date.now();
  const res = await runUdf('    while True:\n        pass');
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('UdfError');
  expect(res.body.message).toMatch(/did not finish within 4 seconds/);
  expect(Date.now() - started).toBeLessThan(15_000);
  const monitor = /<[^>]*(\/result\/logs\/[^>]+)>/.exec(String(res.headers.link))![1];
  const logs = (await request(server.app).get(monitor).set('Authorization', auth)).body.logs as Array<{ level: string; message: string; code?: string }>;
  expect(logs.some((e) => e.level === 'error' && /UDF call stopped after 4 s/.test(e.message))).toBe(true);
  expect(logs.some((e) => e.level === 'error' && e.code === 'UdfError')).toBe(true);
}, 30_000);

test('prints and raw writes to stdout do not break the data exchange, and the server goes on', async () => {
  const res = await runUdf('    print("garbage " * 1000)\n    os.write(1, b"\\x00\\xff not a frame")\n    sys.stdout.write("more")');
  expect(res.status).toBe(200);
  expect(Array.isArray(res.body) || typeof res.body === 'object').toBe(true);
  const after = await runUdf('    pass');
  expect(after.status).toBe(200);
  expect(after.body).toEqual(res.body);
}, 30_000);

test('no user namespaces and no privileges inside the sandbox', async () => {
  await expectBlocked(
    [
      '    import ctypes',
      '    libc = ctypes.CDLL(None, use_errno=True)',
      '    if libc.unshare(0x10000000) != 0:',  // CLONE_NEWUSER
      '        raise RuntimeError("blocked userns: errno %d uid=%d" % (ctypes.get_errno(), os.getuid()))',
    ].join('\n'),
    'blocked userns: errno',
  );
}, 30_000);
