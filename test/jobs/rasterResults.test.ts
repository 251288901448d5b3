import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { OpenEO } from '@openeo/js-client';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { ensureDemoData, DEMO_DEM_ID } from '../../src/catalog/demo/generate';
import { requireBuiltWorker, waitFor } from './helpers';
import { freePort } from '../helpers/ports';
import { ResultLinks } from '../../src/jobs/resultLinks';

/**
 * Batch jobs over real raster data, driven through HTTP by the official openEO JavaScript client:
 * GeoTIFF results with STAC metadata read back from the files, signed downloads, expiry, retention.
 */
let server: TestServer;
let listener: http.Server;
let baseUrl: string;
let downloads: string;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  requireBuiltWorker();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = await startTestServer({
    publicUrl: baseUrl,
    collections: { sources: [{ type: 'folder', path: 'demo/dem' }] },
    jobs: { maxConcurrent: 1, resultRetentionDays: 0.00001 },
  });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  server.ctx.jobs.start();
  await server.ctx.users.add('alice', PASSWORD);
  listener = http.createServer(server.app);
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', () => resolve()));
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-downloads-'));
}, 60_000);

afterAll(async () => {
  // The client keeps connections alive; close them so the test process can exit.
  listener?.closeAllConnections();
  await new Promise((resolve) => listener?.close(resolve));
  server?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
});

const EXTENT = { west: 8.61, south: 47.54, east: 8.66, north: 47.57 };

function demGraph() {
  return {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: EXTENT, temporal_extent: null } },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'GTiff' }, result: true },
    },
  };
}

describe('raster batch jobs through the openEO JavaScript client', () => {
  let jobId: string;
  let assetHref: string;
  let assetName: string;

  test('create, estimate, start, monitor, describe and download a GeoTIFF result', async () => {
    expect(server.ctx.catalog.get(DEMO_DEM_ID)).toBeDefined();
    const con = await OpenEO.connect(baseUrl);
    await con.authenticateBasic('alice', PASSWORD);
    const job = await con.createJob(demGraph() as never, 'DEM cut-out', 'A piece of the demo elevation model');
    jobId = job.id as string;
    expect(job.status).toBe('created');

    const estimate = await job.estimateJob();
    expect(estimate.duration).toMatch(/^PT/);
    // 0.05° x 0.03° of a 0.0003° grid, one band: about 167 x 100 pixels.
    expect(estimate.size).toBeGreaterThan(4 * 100 * 100);
    expect(estimate.size).toBeLessThan(4 * 300 * 300);

    await job.startJob();
    await waitFor('the job to end', async () => {
      await job.describeJob();
      return ['finished', 'error'].includes(String(job.status)) ? true : undefined;
    }, 60_000, 250);
    if (job.status !== 'finished') {
      const logs = await job.debugJob().nextLogs();
      throw new Error(`job failed: ${JSON.stringify(logs)}`);
    }
    expect(job.progress).toBe(100);
    expect((job as unknown as { usage: { input_pixels: { value: number } } }).usage.input_pixels.value).toBeGreaterThan(0);

    const stac = await job.getResultsAsStac();
    expect(stac.type).toBe('Feature');
    const [name, asset] = Object.entries(stac.assets as Record<string, any>)[0];
    assetName = name;
    assetHref = asset.href;
    expect(asset.type).toMatch(/^image\/tiff; application=geotiff/);
    expect(asset['proj:epsg']).toBe(4326);
    expect(asset['proj:shape'][0]).toBeGreaterThan(50);
    expect(asset['raster:bands'][0].statistics.maximum).toBeGreaterThan(asset['raster:bands'][0].statistics.minimum);
    const bbox = (stac as { bbox: number[] }).bbox;
    expect(bbox[0]).toBeCloseTo(EXTENT.west, 2);
    expect(bbox[3]).toBeCloseTo(EXTENT.north, 2);

    const files = (await job.downloadResults(downloads)) as string[];
    expect(files).toHaveLength(1);
    expect(fs.statSync(files[0]).size).toBe(asset['file:size']);
    const ds = gdal.open(files[0]);
    expect(ds.rasterSize.x).toBe(asset['proj:shape'][1]);
    ds.close();

    const logs = await job.debugJob().nextLogs();
    expect(logs.some((l: { message: string }) => l.message.includes('input pixels'))).toBe(true);
    const jobs = await con.listJobs();
    expect(jobs.map((j: { id: string }) => j.id)).toContain(jobId);
  }, 90_000);

  test('the results document of the raster job follows the spec', async () => {
    const login = await request(server.app).get('/credentials/basic').auth('alice', PASSWORD);
    const res = await request(server.app).get(`/jobs/${jobId}/results`).set('Authorization', `Bearer basic//${login.body.access_token}`);
    expectMatchesSpec('/jobs/{job_id}/results', 'get', res);
    expect(res.body.properties.datetime).toMatch(/^\d{4}-/);
    expect(res.body.geometry.type).toBe('Polygon');
    expect(Object.keys(res.body.properties['cube:dimensions'])).toEqual(expect.arrayContaining(['x', 'y']));
    const logs = await request(server.app).get(`/jobs/${jobId}/logs`).set('Authorization', `Bearer basic//${login.body.access_token}`);
    expect(logs.body.logs.map((l: { message: string }) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Loaded collection 'DEM_DEMO': \d+ x \d+ pixels/), expect.stringMatching(/^Wrote .+\.tif \(GTiff, \d+ bytes\)$/)]),
    );
  });

  test('tampered, foreign and expired links are refused; path tricks never reach the disk', async () => {
    const local = assetHref.slice(baseUrl.length);
    expect((await request(server.app).get(local)).status).toBe(200);
    const url = new URL(assetHref);
    const signature = url.searchParams.get('signature')!;
    const flipped = signature[0] === 'A' ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const tampered = await request(server.app).get(`${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${flipped}`);
    expect(tampered.status).toBe(403);
    const later = await request(server.app).get(`${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 1000}&signature=${signature}`);
    expect(later.status).toBe(403);
    const unsigned = await request(server.app).get(url.pathname);
    expect(unsigned.status).toBe(403);

    // Links signed with the server's key (it lives in the data directory), but with other expiry times.
    const links = new ResultLinks(server.dataDir, baseUrl, 60);
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = await request(server.app).get(links.url(jobId, assetName, past).slice(baseUrl.length));
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('ResultLinkExpired');

    // Even a correctly signed name outside the results folder is not served.
    const future = Math.floor(Date.now() / 1000) + 60;
    for (const name of ['../../openeo.sqlite', '../link-signing.key', '%2e%2e/%2e%2e/openeo.sqlite']) {
      const res = await request(server.app).get(links.url(jobId, name, future).slice(baseUrl.length));
      expect([403, 404]).toContain(res.status);
      expect(res.text).not.toContain('SQLite');
    }
  });

  test('retention deletes result files but keeps the job; deleting a job removes its folder', async () => {
    const folder = path.join(server.dataDir, 'jobs', jobId);
    expect(fs.existsSync(path.join(folder, 'results', assetName))).toBe(true);
    // The retention time is under a second, but finish times are stored in whole seconds.
    await new Promise((r) => setTimeout(r, 2100));
    server.ctx.jobs.housekeeping();
    expect(fs.existsSync(path.join(folder, 'results'))).toBe(false);
    expect((await request(server.app).get(assetHref.slice(baseUrl.length))).status).toBe(404);
    const login = await request(server.app).get('/credentials/basic').auth('alice', PASSWORD);
    const auth = `Bearer basic//${login.body.access_token}`;
    const job = await request(server.app).get(`/jobs/${jobId}`).set('Authorization', auth);
    expect(job.body.status).toBe('finished');
    const results = await request(server.app).get(`/jobs/${jobId}/results`).set('Authorization', auth);
    expect(results.status).toBe(410);

    await request(server.app).delete(`/jobs/${jobId}`).set('Authorization', auth).expect(204);
    expect(fs.existsSync(folder)).toBe(false);
  });
});
