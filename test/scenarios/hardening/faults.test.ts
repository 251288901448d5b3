/**
 * Faults outside the request: a database locked by another program, a collection file that
 * breaks after it was catalogued, a work folder that cannot be created, clients that go away
 * mid-run and mid-download. The server stays up, answers with the API's error, and stored data
 * stays consistent. (SIGKILL during jobs and a full disk for job results: test/jobs; interrupted
 * uploads: test/workspace/fileLimits.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import Database from 'better-sqlite3';
import request from 'supertest';
import { startTestServer, TestServer } from '../../helpers/testServer';
import { writeGeoTiff } from '../../catalog/rasters';
import { listen } from '../../workspace/rawHttp';
import { processAlive, requireBuiltWorker, waitFor } from '../../jobs/helpers';
import { runFolders, slowGraph } from '../../helpers/result';

let server: TestServer;
let data: string;
let alice: string;

const addGraph = { process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } };
const saveGraph = (id: string) => ({
  process: {
    process_graph: {
      l: { process_id: 'load_collection', arguments: { id, spatial_extent: null, temporal_extent: null } },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff' }, result: true },
    },
  },
});

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-raster-'));
  await writeGeoTiff(path.join(data, 'good.tif'), { width: 400, height: 400, bands: 1, fill: () => 5 });
  await writeGeoTiff(path.join(data, 'breaks.tif'), { width: 64, height: 64, bands: 1, fill: () => 3 });
  // A long rescan interval: the catalogue keeps describing the file after it broke, as between two scans.
  server = await startTestServer({
    collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 3600 },
    limits: { syncConcurrentPerUser: 1, syncTimeoutSeconds: 20 },
  });
  alice = await server.login('alice');
});

afterAll(() => {
  server.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('a database locked by another program', () => {
  test('writes are refused with 503 InfrastructureBusy, reads still work, and nothing is half-written', async () => {
    const before = await request(server.app).get('/jobs').set('Authorization', alice);
    const other = new Database(path.join(server.dataDir, 'openeo.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const create = await request(server.app).post('/jobs').set('Authorization', alice).send(addGraph);
      expect([create.status, create.body.code]).toEqual([503, 'InfrastructureBusy']);
      expect(create.headers['retry-after']).toBeDefined();
      expect(create.body.message).toMatch(/database is busy/);
      const store = await request(server.app).put('/process_graphs/locked').set('Authorization', alice).send({ process_graph: addGraph.process.process_graph });
      expect([store.status, store.body.code]).toEqual([503, 'InfrastructureBusy']);
      // Reads are served meanwhile (WAL mode): metadata, the job list and computations.
      expect((await request(server.app).get('/jobs').set('Authorization', alice)).status).toBe(200);
      expect((await request(server.app).get('/collections')).status).toBe(200);
      expect((await request(server.app).post('/result').set('Authorization', alice).send(addGraph)).body).toBe(3);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const after = await request(server.app).get('/jobs').set('Authorization', alice);
    expect(after.body.jobs).toEqual(before.body.jobs);
    expect((await request(server.app).get('/process_graphs/locked').set('Authorization', alice)).status).toBe(404);
    expect((await request(server.app).post('/jobs').set('Authorization', alice).send(addGraph)).status).toBe(201);
    const check = server.ctx.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
    expect(check.integrity_check).toBe('ok');
  });
});

describe('a collection file that breaks after it was catalogued', () => {
  test('a run reading it fails with an error naming the unreadable file, and the server goes on', async () => {
    expect((await request(server.app).post('/result').set('Authorization', alice).send(saveGraph('breaks'))).status).toBe(200);
    // Overwrite the file in place with garbage of the same size, as a failing disk or a half-copied file would.
    const file = path.join(data, 'breaks.tif');
    const size = fs.statSync(file).size;
    const garbage = Buffer.alloc(size, 0x5a);
    garbage.write('II*\0', 0, 'latin1');
    fs.writeFileSync(file, garbage);

    const res = await request(server.app).post('/result').set('Authorization', alice).send(saveGraph('breaks'));
    // Broken data on the server is not the user's fault: a server error that says what happened.
    expect([res.status, res.body.code]).toEqual([500, 'Internal']);
    expect(res.body.message).toMatch(/data file of the collection cannot be read/);
    expect(typeof res.body.id).toBe('string');
    expect(await runFolders(server.dataDir, 100)).toEqual([]);
    // Other collections and requests are unaffected, and the slot of the failed run is free again.
    expect((await request(server.app).post('/result').set('Authorization', alice).send(addGraph)).body).toBe(3);
    expect((await request(server.app).get('/collections/good')).status).toBe(200);
  });
});

describe('a work folder that cannot be created (full or broken disk)', () => {
  test('a synchronous run is a StorageFailure, and runs work again once the disk is fixed', async () => {
    const tmp = path.join(server.dataDir, 'tmp');
    fs.rmSync(tmp, { recursive: true, force: true });
    // A file where the folder belongs makes every mkdir below it fail, even for root.
    fs.writeFileSync(tmp, 'in the way');
    try {
      const res = await request(server.app).post('/result').set('Authorization', alice).send(addGraph);
      expect([res.status, res.body.code]).toEqual([500, 'StorageFailure']);
      expect(res.body.message).toMatch(/stored/);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    // The failed run gave its slot back (the limit is 1 here).
    expect((await request(server.app).post('/result').set('Authorization', alice).send(addGraph)).body).toBe(3);
  });
});

describe('clients that go away', () => {
  async function post(port: number, body: unknown, onResponse: (req: http.ClientRequest, res: http.IncomingMessage) => void, afterSendMs?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/result', headers: { authorization: alice, 'content-type': 'application/json' } }, (res) => {
        onResponse(req, res);
        res.on('close', resolve);
      });
      req.on('error', () => resolve());
      req.end(JSON.stringify(body));
      if (afterSendMs !== undefined) setTimeout(() => req.destroy(), afterSendMs);
    });
  }

  test('disconnecting during the computation stops the run, frees the slot and removes its files', async () => {
    const live = await listen(server.app);
    try {
      await post(live.port, slowGraph, () => undefined, 300);
      expect(await runFolders(server.dataDir, 100)).toEqual([]);
      // The limit is one run per user: a new run is admitted, so the slot was given back.
      expect((await request(server.app).post('/result').set('Authorization', alice).send(addGraph)).body).toBe(3);
    } finally {
      await live.close();
    }
  });

  test('disconnecting mid-download frees the slot and removes the result file', async () => {
    const live = await listen(server.app);
    try {
      let received = 0;
      await post(live.port, saveGraph('good'), (req, res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', (chunk: Buffer) => {
          received = chunk.length;
          req.destroy();
        });
      });
      expect(received).toBeGreaterThan(0);
      expect(await runFolders(server.dataDir, 100)).toEqual([]);
      expect((await request(server.app).post('/result').set('Authorization', alice).send(addGraph)).body).toBe(3);
    } finally {
      await live.close();
    }
  });
});

describe('a database locked while a batch job ends', () => {
  test('the server stays up and records the end once the lock is gone', async () => {
    requireBuiltWorker();
    const jobServer = await startTestServer();
    try {
      const auth = await jobServer.login('jobs');
      jobServer.ctx.jobs.start();
      const created = await request(jobServer.app).post('/jobs').set('Authorization', auth).send(addGraph);
      const jobId = String(created.headers['openeo-identifier']);
      expect((await request(jobServer.app).post(`/jobs/${jobId}/results`).set('Authorization', auth)).status).toBe(202);
      const pid = jobServer.ctx.jobs.workerPids().get(jobId);
      expect(pid).toBeDefined();

      const other = new Database(path.join(jobServer.dataDir, 'openeo.sqlite'));
      other.exec('BEGIN IMMEDIATE');
      try {
        // The worker reports its result and exits while the database is locked.
        await waitFor('the job worker to exit', () => !processAlive(pid!), 30_000, 100);
        const row = other.prepare('SELECT status FROM jobs WHERE id = ?').get(jobId) as { status: string };
        expect(row.status).toBe('running');
        expect((await request(jobServer.app).get('/').set('Authorization', auth)).status).toBe(200);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      const status = await waitFor('the job to be recorded as ended', async () => {
        const res = await request(jobServer.app).get(`/jobs/${jobId}`).set('Authorization', auth);
        return res.body.status === 'running' ? undefined : (res.body.status as string);
      }, 30_000, 200);
      expect(status).toBe('finished');
      const results = await request(jobServer.app).get(`/jobs/${jobId}/results`).set('Authorization', auth);
      expect(results.status).toBe(200);
    } finally {
      jobServer.close();
    }
  }, 90_000);
});
