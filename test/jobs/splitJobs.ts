import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { ensureDemoData } from '../../src/catalog/demo/generate';
import { requireBuiltWorker, waitFor } from './helpers';

/**
 * Jobs computed in parts against the same jobs in one piece: test servers over the demo DEM
 * (64-pixel tiles, two units at once) that differ only in `jobs.blockRows`.
 */
export async function demoJobServer(blockRows: number, servers: TestServer[]): Promise<{ server: TestServer; alice: string }> {
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

/** Runs `process` as a batch job that must finish; its result files by name and its log messages. */
export async function finishedJob(server: TestServer, alice: string, process: Record<string, unknown>): Promise<{ files: Map<string, Buffer>; logs: string[] }> {
  const created = await request(server.app).post('/jobs').set('Authorization', alice).send({ process }).expect(201);
  const id = created.headers['openeo-identifier'];
  await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice).expect(202);
  const job = await waitFor('the job to end', async () => {
    const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice);
    return ['finished', 'error'].includes(res.body.status) ? res.body : undefined;
  }, 60_000);
  const logs = (await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', alice)).body.logs.map((l: { message: string }) => l.message);
  expect({ status: job.status, logs }).toMatchObject({ status: 'finished' });
  const dir = path.join(server.dataDir, 'jobs', id, 'results');
  return { files: new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))])), logs };
}

/** The number a job's log gives for its parts: `computed in <n> block(s)` or `group(s)`. */
export function partsInLog(logs: string[], what: 'block' | 'group'): number {
  const pattern = new RegExp(`computed in (\\d+) ${what}`);
  return Number(logs.map((m) => pattern.exec(m)?.[1]).find(Boolean) ?? 0);
}
