/**
 * Load: 50 clients poll job status and list collections and processes while two batch jobs and
 * several synchronous runs compute. Nothing may fail; latencies and throughput are reported.
 * `npm run load -- --seconds 60 --clients 100` runs it longer (LOAD_SECONDS, LOAD_CLIENTS).
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import request from 'supertest';
import { requireBuiltWorker, waitFor } from '../../jobs/helpers';
import { demoGraph, LiveServer, startLiveServer } from './liveServer';
import { runLoad, summarize } from './loadDriver';

const seconds = Number(process.env.LOAD_SECONDS ?? 15);
const clients = Number(process.env.LOAD_CLIENTS ?? 50);

let live: LiveServer;

beforeAll(async () => {
  requireBuiltWorker();
  live = await startLiveServer();
}, 120_000);

afterAll(async () => {
  await live?.close();
});

/** POST /result with the demo graph on a real connection; resolves with status and duration. */
function syncRun(auth: string): Promise<{ status: number; ms: number; body: string }> {
  const body = JSON.stringify({ process: { process_graph: demoGraph() } });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${live.baseUrl}/result`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: res.statusCode === 200 ? '' : Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test(
  `${clients} polling clients stay served while jobs and synchronous runs compute (${seconds} s)`,
  async () => {
    const app = live.server.app;
    const others = await Promise.all(['load1', 'load2', 'load3'].map((n) => live.server.login(n)));
    const jobIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await request(app).post('/jobs').set('Authorization', live.auth).send({ title: `load ${i}`, process: { process_graph: demoGraph() } });
      jobIds.push(String(created.headers['openeo-identifier']));
    }
    for (const id of jobIds) expect((await request(app).post(`/jobs/${id}/results`).set('Authorization', live.auth)).status).toBe(202);

    // One request of each kind first, so one-time work (first catalogue description, first process list) is not measured as load.
    for (const url of ['/', '/collections', `/collections/${live.collection}`, '/processes', '/jobs', `/jobs/${jobIds[0]}`]) {
      expect((await request(app).get(url).set('Authorization', live.auth)).status).toBe(200);
    }
    expect((await syncRun(others[0])).status).toBe(200);

    // Three users each keep two synchronous runs going for the whole time.
    const deadline = performance.now() + seconds * 1000;
    const syncResults: Array<{ status: number; ms: number; body: string }> = [];
    const syncLoop = async (auth: string) => {
      while (performance.now() < deadline) syncResults.push(await syncRun(auth));
    };
    const syncLoops = others.flatMap((auth) => [syncLoop(auth), syncLoop(auth)]);

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const report = await runLoad({ baseUrl: live.baseUrl, auths: [live.auth, ...others], clients, seconds, jobIds, collectionId: live.collection });
    await Promise.all(syncLoops);
    loopDelay.disable();

    const sync = summarize(syncResults.map((r) => r.ms));
    console.log(
      `load: ${clients} clients, ${report.requests} metadata requests in ${report.seconds.toFixed(1)} s = ${report.throughput} req/s; ` +
        `overall p50 ${report.overall.p50} ms, p99 ${report.overall.p99} ms, max ${report.overall.max} ms; by kind ${JSON.stringify(report.byKind)}; ` +
        `meanwhile ${syncResults.length} synchronous runs (p50 ${sync.p50} ms, p99 ${sync.p99} ms) and 2 jobs; event-loop delay p99 ${Math.round(loopDelay.percentile(99) / 1e6)} ms, max ${Math.round(loopDelay.max / 1e6)} ms; ` +
        `requests slower than 1 s started at ${JSON.stringify(report.slowStarts.slice(0, 20))} s`,
    );
    expect(report.errors.slice(0, 5)).toEqual([]);
    expect(syncResults.filter((r) => r.status !== 200).slice(0, 3)).toEqual([]);
    expect(syncResults.length).toBeGreaterThanOrEqual(6);
    expect(report.requests).toBeGreaterThan(clients);

    // The jobs finish normally despite the load.
    for (const id of jobIds) {
      const status = await waitFor(`job ${id} to end`, async () => {
        const res = await request(app).get(`/jobs/${id}`).set('Authorization', live.auth);
        return ['finished', 'error', 'canceled'].includes(res.body.status) ? res.body.status : undefined;
      }, 90_000, 250);
      expect(status).toBe('finished');
    }
  },
  (seconds + 150) * 1000,
);
