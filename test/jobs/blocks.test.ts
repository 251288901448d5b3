import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { ensureDemoData } from '../../src/catalog/demo/generate';
import { halvedDemGraph, requireBuiltWorker, waitFor } from './helpers';

/**
 * A job whose output is split into blocks (each a unit of its own, here in separate child
 * processes) publishes the same file, byte for byte, as the same job computed in one piece.
 */
const servers: TestServer[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function serverWith(blockRows: number): Promise<{ server: TestServer; alice: string }> {
  requireBuiltWorker();
  const server = await startTestServer({
    collections: { sources: [{ type: 'folder', path: 'demo/dem' }] },
    processing: { tileSize: 64 },
    jobs: { maxConcurrent: 2, blockRows },
  });
  servers.push(server);
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  server.ctx.jobs.start();
  return { server, alice: await server.login('alice') };
}

async function runJob(server: TestServer, alice: string, options: Record<string, unknown>): Promise<{ file: Buffer; logs: string[] }> {
  const created = await request(server.app).post('/jobs').set('Authorization', alice).send({ process: halvedDemGraph(options) });
  const id = created.headers['openeo-identifier'];
  await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
  const job = await waitFor('the job to end', async () => {
    const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice);
    return ['finished', 'error'].includes(res.body.status) ? res.body : undefined;
  }, 60_000);
  const logs = (await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', alice)).body.logs.map((l: { message: string }) => l.message);
  expect({ status: job.status, logs }).toMatchObject({ status: 'finished' });
  return { file: fs.readFileSync(path.join(server.dataDir, 'jobs', id, 'results', 'result.tif')), logs };
}

test.each([
  ['float32 without overviews', {}],
  ['uint16 with overviews', { datatype: 'uint16', overviews: true }],
])('a job computed in blocks publishes the same file as in one piece (%s)', async (_name, options) => {
  const split = await serverWith(64);
  const whole = await serverWith(1_000_000);
  const [a, b] = await Promise.all([runJob(split.server, split.alice, options), runJob(whole.server, whole.alice, options)]);
  const blocks = a.logs.map((m) => /computed in (\d+) block/.exec(m)?.[1]).find(Boolean);
  expect(Number(blocks)).toBeGreaterThan(1);
  expect(b.logs.map((m) => /computed in (\d+) block/.exec(m)?.[1]).find(Boolean)).toBe('1');
  expect(a.file.length).toBeGreaterThan(1000);
  expect(a.file.equals(b.file)).toBe(true);
  // And it is a real COG with statistics, as a user opens it.
  const tmp = path.join(split.server.dataDir, 'check.tif');
  fs.writeFileSync(tmp, a.file);
  const ds = gdal.open(tmp);
  expect(ds.bands.get(1).getMetadata().STATISTICS_MAXIMUM).toBeDefined();
  expect(ds.rasterSize.y).toBeGreaterThan(64);
  ds.close();
}, 120_000);
