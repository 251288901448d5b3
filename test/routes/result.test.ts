import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { expectMatchesSpec } from '../helpers/openapi';
import { startTestServer, TestServer } from '../helpers/testServer';
import { writeGeoTiff } from '../catalog/rasters';
import { runFolders, slowGraph } from '../helpers/result';

const one = (processId: string, args: Record<string, unknown>) => ({
  process: { process_graph: { n: { process_id: processId, arguments: args, result: true } } },
});

describe('POST /result with plain values', () => {
  let server: TestServer;
  let alice: string;
  beforeAll(async () => {
    server = await startTestServer({ limits: { syncTimeoutSeconds: 1 } });
    alice = await server.login();
  });
  afterAll(() => server.close());

  const post = (body: unknown, auth = alice) => request(server.app).post('/result').set('Authorization', auth).send(body as object);

  test('a one-node add graph returns 3 as JSON, with a run id and a log link', async () => {
    const res = await post(one('add', { x: 1, y: 2 }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toBe(3);
    const runId = res.headers['openeo-identifier'];
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.link).toMatch(/^<[^>]+\/result\/logs\/[0-9a-f-]{36}>; rel="monitor"$/);
    expect(await runFolders(server.dataDir, 50)).toEqual([]);
  });

  test('the run log is readable by its owner only', async () => {
    const res = await post(one('multiply', { x: 6, y: 7 }));
    const runId = res.headers['openeo-identifier'];
    const logs = await request(server.app).get(`/result/logs/${runId}`).set('Authorization', alice);
    expect(logs.status).toBe(200);
    expectMatchesSpec('/jobs/{job_id}/logs', 'get', logs);
    expect(logs.body.logs.some((e: { message: string }) => /finished/.test(e.message))).toBe(true);
    const bob = await server.login('bob', 'another fine password');
    expect((await request(server.app).get(`/result/logs/${runId}`).set('Authorization', bob)).status).toBe(404);
    expect((await request(server.app).get(`/result/logs/${runId}`)).status).toBe(401);
  });

  test('inspect writes into the run log, filtered by the request log_level', async () => {
    const graph = (level: string) => ({
      process_graph: { i: { process_id: 'inspect', arguments: { data: [1, 2], message: `look ${level}`, code: 'Peek', level }, result: true } },
    });
    const logsOf = async (body: unknown) => {
      const res = await post(body);
      expect(res.body).toEqual([1, 2]);
      const logs = await request(server.app).get(`/result/logs/${res.headers['openeo-identifier']}`).set('Authorization', alice);
      return logs.body.logs as Array<{ code?: string; level: string; message: string; data?: unknown }>;
    };
    const warning = (await logsOf({ process: graph('warning') })).find((e) => e.code === 'Peek');
    expect(warning).toMatchObject({ level: 'warning', message: 'look warning', data: [1, 2] });
    expect((await logsOf({ process: graph('debug') })).some((e) => e.code === 'Peek')).toBe(false);
    expect((await logsOf({ process: graph('debug'), log_level: 'debug' })).some((e) => e.code === 'Peek')).toBe(true);
    expect((await logsOf({ process: graph('info'), log_level: 'error' })).length).toBe(0);
    const bad = await request(server.app).get('/result/logs/whatever?level=loud').set('Authorization', alice);
    expect(bad.status).toBe(400);
  });

  test('NaN and infinities become null in JSON', async () => {
    expect((await post(one('divide', { x: 0, y: 0 }))).body).toBeNull();
    expect((await post(one('divide', { x: 1, y: 0 }))).body).toBeNull();
    const res = await post(one('array_create', { data: [1, { from_node: 'x' }] }));
    expect(res.status).toBe(400); // a reference to a missing node
    const arr = await post({
      process: {
        process_graph: {
          nan: { process_id: 'divide', arguments: { x: 0, y: 0 } },
          list: { process_id: 'array_create', arguments: { data: [1.5, { from_node: 'nan' }, null] }, result: true },
        },
      },
    });
    expect(arr.status).toBe(200);
    expect(arr.body).toEqual([1.5, null, null]);
  });

  test('labeled arrays, strings and booleans come back as JSON', async () => {
    expect((await post(one('text_concat', { data: ['a', 1, true], separator: '-' }))).body).toBe('a-1-true');
    expect((await post(one('gt', { x: 2, y: 1 }))).body).toBe(true);
    const labeled = await post(one('array_create_labeled', { data: [1, 2], labels: ['a', 'b'] }));
    expect(labeled.body).toEqual([1, 2]);
  });

  test('declared parameters take their defaults; unknown top-level keys are ignored', async () => {
    const res = await post({
      process: {
        parameters: [{ name: 'factor', description: 'f', schema: { type: 'number' }, default: 10 }],
        process_graph: { m: { process_id: 'multiply', arguments: { x: 4, y: { from_parameter: 'factor' } }, result: true } },
      },
      plan: null,
      budget: null,
      log_level: 'info',
      something_else: { nested: true },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe(40);
  });

  test('authentication is required', async () => {
    const res = await request(server.app).post('/result').send(one('add', { x: 1, y: 2 }));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AuthenticationRequired');
    expectMatchesSpec('/result', 'post', res);
  });

  test('bad input gives openEO errors with the right code, never a 500', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'ProcessGraphMissing'],
      [{ process: {} }, 'ProcessGraphMissing'],
      [{ process: { process_graph: {} } }, 'ProcessGraphInvalid'],
      [{ process: { process_graph: 'x' } }, 'ProcessGraphInvalid'],
      [{ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 } } } } }, 'ProcessGraphInvalid'],
      [one('no_such_process', {}), 'ProcessUnsupported'],
      [one('add', { x: 1 }), 'ProcessParameterRequired'],
      [one('add', { x: 1, y: 2, z: 3 }), 'ProcessParameterUnsupported'],
      [one('add', { x: 'a', y: 2 }), 'ProcessParameterInvalid'],
      [one('add', { x: { from_parameter: 'nowhere' }, y: 2 }), 'ProcessGraphInvalid'],
      [one('array_element', { data: [1], index: 3 }), 'ArrayElementNotAvailable'],
      [one('mod', { x: 1, y: 0 }), 'DivisionByZero'],
      [{ process: { process_graph: { a: { process_id: 'add', arguments: { x: { from_node: 'a' }, y: 1 }, result: true } } } }, 'ProcessGraphInvalid'],
    ];
    for (const [body, code] of cases) {
      const res = await post(body);
      expect({ code: res.body.code, status: res.status }).toEqual({ code, status: 400 });
      expectMatchesSpec('/result', 'post', res);
    }
    const broken = await request(server.app).post('/result').set('Authorization', alice).set('Content-Type', 'application/json').send('{"process":');
    expect(broken.status).toBe(400);
    expect(await runFolders(server.dataDir, 50)).toEqual([]);
  });

  test('a failing run still names its run id, and its log holds the error', async () => {
    const res = await post(one('array_element', { data: [1], index: 3 }));
    const runId = res.headers['openeo-identifier'];
    expect(runId).toBeDefined();
    const logs = await request(server.app).get(`/result/logs/${runId}`).set('Authorization', alice);
    expect(logs.body.logs.map((e: { code?: string }) => e.code)).toContain('ArrayElementNotAvailable');
  });

  test('a run over the time limit ends with RequestTimeout (408) while other requests are served', async () => {
    const started = Date.now();
    const slow = post(slowGraph);
    // Meanwhile the server answers other requests, including other runs.
    const quick = await post(one('add', { x: 20, y: 22 }));
    expect(quick.body).toBe(42);
    expect(Date.now() - started).toBeLessThan(900);
    const res = await slow;
    expect(res.status).toBe(408);
    expect(res.body.code).toBe('RequestTimeout');
    expectMatchesSpec('/result', 'post', res);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await runFolders(server.dataDir, 50)).toEqual([]);
  });
});

describe('POST /result with raster data', () => {
  let server: TestServer;
  let alice: string;
  let data: string;
  beforeAll(async () => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'result-raster-'));
    await writeGeoTiff(path.join(data, 'dem.tif'), { width: 20, height: 10, bands: 1, fill: () => 7 });
    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 }, limits: { syncMaxPixels: 150 } });
    alice = await server.login();
  });
  afterAll(() => {
    server.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  const collectBytes = (r: request.Response, done: (error: Error | null, body: unknown) => void) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  };
  const load = (extent: unknown) => ({ process_id: 'load_collection', arguments: { id: 'dem', spatial_extent: extent, temporal_extent: null } });
  const small = { west: 500000, south: 5299900, east: 500050, north: 5300000, crs: 32632 };

  test('a saved file is streamed with its media type and file name', async () => {
    const res = await request(server.app)
      .post('/result')
      .set('Authorization', alice)
      .send({ process: { process_graph: { l: load(small), s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff' }, result: true } } } })
      .buffer(true)
      .parse(collectBytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/tiff/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="result\.tif"/);
    expect(res.headers['openeo-identifier']).toBeDefined();
    const body = res.body as Buffer;
    expect(Number(res.headers['content-length'])).toBe(body.length);
    // TIFF magic: "II*\0" or "MM\0*".
    expect(['49492a00', '4d4d002a']).toContain(body.subarray(0, 4).toString('hex'));
    expect(await runFolders(server.dataDir, 50)).toEqual([]);
  });

  test('a Range header does not cut the result of POST /result short', async () => {
    const res = await request(server.app)
      .post('/result')
      .set('Authorization', alice)
      .set('Range', 'bytes=0-3')
      .send({ process: { process_graph: { l: load(small), s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff' }, result: true } } } })
      .buffer(true)
      .parse(collectBytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
    expect((res.body as Buffer).length).toBe(Number(res.headers['content-length']));
    expect((res.body as Buffer).length).toBeGreaterThan(4);
  });

  test('a load over the pixel budget is refused before anything is read, even when the result would be small', async () => {
    const graph = {
      l: load(null),
      r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'l' }, dimension: 'x', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } } },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'GTiff' }, result: true },
    };
    const res = await request(server.app).post('/result').set('Authorization', alice).send({ process: { process_graph: graph } });
    expect([res.status, res.body.code]).toEqual([400, 'ProcessGraphComplexity']);
    expect(res.body.message).toMatch(/load_collection of 'dem'/);
  });

  test('a result cube over the pixel budget is refused with ProcessGraphComplexity', async () => {
    const res = await request(server.app)
      .post('/result')
      .set('Authorization', alice)
      .send({ process: { process_graph: { l: load(null), s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff' }, result: true } } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphComplexity');
    const unsaved = await request(server.app).post('/result').set('Authorization', alice).send({ process: { process_graph: { l: { ...load(null), result: true } } } });
    expect(unsaved.body.code).toBe('ProcessGraphComplexity');
  });
});
