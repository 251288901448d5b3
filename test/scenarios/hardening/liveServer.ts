/**
 * The real application on a loopback port over the demo collections, with job workers running,
 * plus one existing object of every kind (job, stored process, file, sync run) whose ids the
 * fuzz and load tests use in paths.
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestServer, TestServer } from '../../helpers/testServer';
import { answerClientErrors } from '../../../src/http/clientError';
import { DEFAULT_CONFIG } from '../../../src/config/defaults';
import { DEMO_S2_ID, ensureDemoData } from '../../../src/catalog/demo/generate';

export interface LiveServer {
  server: TestServer;
  baseUrl: string;
  auth: string;
  known: Record<string, string>;
  collection: string;
  close(): Promise<void>;
}

/** A small, fast graph over the demo Sentinel-2 collection, as a synchronous request or a job. */
export function demoGraph(): Record<string, unknown> {
  return {
    load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: { west: 470000, east: 472500, south: 5267500, north: 5270000, crs: 32632 }, temporal_extent: ['2023-06-01', '2023-09-01'], bands: ['B04', 'B08'] } },
    ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, red: 'B04', nir: 'B08' } },
    reduce: {
      process_id: 'reduce_dimension',
      arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'reduce' }, format: 'GTiff' }, result: true },
  };
}

export async function startLiveServer(overrides: Record<string, unknown> = {}): Promise<LiveServer> {
  const server = await startTestServer({
    collections: DEFAULT_CONFIG.collections,
    jobs: { ...DEFAULT_CONFIG.jobs, maxConcurrent: 2, maxRunSeconds: 60 },
    ...overrides,
  });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  const auth = await server.login('fuzzer');
  const app = server.app;

  const job = await request(app).post('/jobs').set('Authorization', auth).send({ title: 'known', process: { process_graph: demoGraph() } });
  await request(app).put('/process_graphs/known_graph').set('Authorization', auth).send({ process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } });
  await request(app).put('/files/known/file.txt').set('Authorization', auth).set('Content-Type', 'application/octet-stream').send(Buffer.from('hello'));
  const run = await request(app).post('/result').set('Authorization', auth).send({ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } });
  const known = {
    job_id: String(job.headers['openeo-identifier']),
    process_graph_id: 'known_graph',
    collection_id: DEMO_S2_ID,
    path: 'known/file.txt',
    run_id: String(run.headers['openeo-identifier']),
    process_id: 'add',
  };

  const httpServer = http.createServer(app);
  httpServer.headersTimeout = 60_000;
  httpServer.requestTimeout = 0;
  answerClientErrors(httpServer);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  server.ctx.jobs.start();
  return {
    server,
    baseUrl: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    auth,
    known,
    collection: DEMO_S2_ID,
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      server.close();
    },
  };
}

/** The garbage collector: from --expose-gc, or enabled at run time (jest workers start without the flag). */
function garbageCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Heap in MB after a full garbage collection (when one can be forced). */
export function heapAfterGcMb(): { mb: number; collected: boolean } {
  const gc = garbageCollector();
  if (gc) {
    gc();
    gc();
  }
  return { mb: Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10, collected: gc !== undefined };
}
