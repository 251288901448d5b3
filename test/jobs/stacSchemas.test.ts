import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { stacViolations } from '../helpers/stacSchemas';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { ensureDemoData, DEMO_DEM_ID, DEMO_S2_ID } from '../../src/catalog/demo/generate';
import { ResultLinks } from '../../src/jobs/resultLinks';
import { partialDocument, resultsDocument } from '../../src/jobs/stacResults';
import type { JobRecord, RasterInfo } from '../../src/jobs/types';
import { additionChain, requireBuiltWorker, waitFor } from './helpers';

/**
 * Result documents of real batch jobs validated against the official STAC 1.0.0 schemas and the
 * schema of every extension they declare (vendored in test/fixtures/stac-schemas, no network).
 */
type Doc = Record<string, any>;
let server: TestServer;
let auth: string;

beforeAll(async () => {
  requireBuiltWorker();
  server = await startTestServer({ publicUrl: 'https://openeo.example.edu', collections: DEFAULT_CONFIG.collections, jobs: { maxConcurrent: 2 } });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  server.ctx.jobs.start();
  auth = await server.login();
}, 120_000);
afterAll(() => server?.close());

const DEM_EXTENT = { west: 8.61, south: 47.54, east: 8.66, north: 47.57 };
/** 1.2 km x 0.8 km of the Sentinel-2 demo scenes, in their UTM zone. */
const S2_EXTENT = { west: 471000, south: 5265000, east: 472200, north: 5265800, crs: 32632 };

function graph(nodes: Record<string, unknown>, format: string): { process_graph: Record<string, unknown> } {
  const last = Object.keys(nodes).at(-1)!;
  return { process_graph: { ...nodes, save: { process_id: 'save_result', arguments: { data: { from_node: last }, format }, result: true } } };
}

const loadDem = { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: DEM_EXTENT, temporal_extent: null } };
function loadS2(dates: [string, string], bands: string[]) {
  return { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: S2_EXTENT, temporal_extent: dates, bands } };
}

/** Runs a batch job to its end and returns its results document as served. */
async function resultsOf(process: { process_graph: Record<string, unknown> }): Promise<Doc> {
  const created = await request(server.app).post('/jobs').set('Authorization', auth).send({ process });
  expect(created.status).toBe(201);
  const id = created.headers['openeo-identifier'];
  expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', auth)).status).toBe(202);
  const status = await waitFor(`job ${id} to end`, async () => {
    const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', auth);
    return ['finished', 'error', 'canceled'].includes(res.body.status) ? res.body.status : undefined;
  }, 60_000, 200);
  if (status !== 'finished') {
    const logs = await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', auth);
    throw new Error(`job ${id} ended ${status}: ${JSON.stringify(logs.body.logs)}`);
  }
  const res = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', auth);
  expectMatchesSpec('/jobs/{job_id}/results', 'get', res);
  return res.body;
}

/** The document and every Item it links to must satisfy the core and extension schemas. */
async function expectValidStac(doc: Doc): Promise<void> {
  expect(stacViolations(doc)).toEqual([]);
  for (const link of (doc.links ?? []) as { rel: string; href: string }[]) {
    if (link.rel !== 'item') continue;
    const item = await request(server.app).get(new URL(link.href).pathname).set('Authorization', auth);
    expect(item.status).toBe(200);
    expect(stacViolations(item.body)).toEqual([]);
  }
}

function onlyAsset(doc: Doc): Doc {
  const assets = Object.values(doc.assets as Record<string, Doc>);
  expect(assets).toHaveLength(1);
  return assets[0];
}

describe('job results against the STAC and extension schemas', () => {
  test('the validator refuses a broken document and an extension it has no schema for', () => {
    const broken = { stac_version: '1.0.0', type: 'Feature', id: 'x', geometry: null, properties: {}, assets: {}, links: [] };
    expect(stacViolations(broken).join('\n')).toMatch(/datetime/);
    const unknown = { ...broken, properties: { datetime: '2023-01-01T00:00:00Z' }, stac_extensions: ['https://stac-extensions.github.io/unknown/v1.0.0/schema.json'] };
    expect(stacViolations(unknown)).toEqual([expect.stringMatching(/no vendored schema for the extension/)]);
    const badNodata = {
      ...unknown,
      stac_extensions: ['https://stac-extensions.github.io/raster/v1.1.0/schema.json'],
      assets: { a: { href: 'a.tif', 'raster:bands': [{ nodata: null }] } },
    };
    expect(stacViolations(badNodata)).toEqual([expect.stringMatching(/raster/)]);
  });

  test('a single-band GeoTIFF of the DEM', async () => {
    const doc = await resultsOf(graph({ load: loadDem }, 'GTiff'));
    expect(doc.type).toBe('Feature');
    await expectValidStac(doc);
    expect(onlyAsset(doc)['raster:bands']).toHaveLength(1);
  }, 90_000);

  test('a float GeoTIFF with masked pixels declares its no-data as "nan"', async () => {
    // Keeps the pixels whose rounded elevation is even; the others become no-data.
    const keepEven = {
      process_graph: {
        r: { process_id: 'round', arguments: { x: { from_parameter: 'x' } } },
        m: { process_id: 'mod', arguments: { x: { from_node: 'r' }, y: 2 } },
        even: { process_id: 'eq', arguments: { x: { from_node: 'm' }, y: 0 } },
        keep: { process_id: 'if', arguments: { value: { from_node: 'even' }, accept: { from_parameter: 'x' } }, result: true },
      },
    };
    const doc = await resultsOf(graph({ load: loadDem, mask: { process_id: 'apply', arguments: { data: { from_node: 'load' }, process: keepEven } } }, 'GTiff'));
    await expectValidStac(doc);
    const [band] = onlyAsset(doc)['raster:bands'];
    expect(band.data_type).toMatch(/^float/);
    expect(band.nodata).toBe('nan');
    expect(band.statistics.maximum).toBeGreaterThan(band.statistics.minimum);
  }, 90_000);

  test('a multi-band GeoTIFF in UTM', async () => {
    const doc = await resultsOf(graph({ load: loadS2(['2023-07-08', '2023-07-09'], ['B04', 'B08']) }, 'GTiff'));
    await expectValidStac(doc);
    const asset = onlyAsset(doc);
    expect(asset['proj:epsg']).toBe(32632);
    expect(asset['raster:bands']).toHaveLength(2);
  }, 90_000);

  test('a netCDF time series', async () => {
    const doc = await resultsOf(graph({ load: loadS2(['2023-07-01', '2023-08-01'], ['B04', 'B08']) }, 'netCDF'));
    await expectValidStac(doc);
    const asset = onlyAsset(doc);
    expect(asset.type).toMatch(/netcdf/i);
    // The grid comes from the variables GDAL lists as subdatasets: located, projected, one band per variable and date.
    expect(doc.bbox).toHaveLength(4);
    expect(doc.geometry.type).toBe('Polygon');
    expect(asset['proj:epsg']).toBe(32632);
    const names = (asset['raster:bands'] as Array<{ name?: string }>).map((b) => b.name);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.every((n) => typeof n === 'string' && /^B0[48]/.test(n))).toBe(true);
  }, 90_000);

  test('a job whose result is a number, not a data cube, declares no data cube extension', async () => {
    const doc = await resultsOf(additionChain(3));
    await expectValidStac(doc);
    expect(onlyAsset(doc).type).toBe('application/json');
    expect(doc.stac_extensions).not.toContain('https://stac-extensions.github.io/datacube/v2.2.0/schema.json');
  }, 90_000);

  test('the several-outputs Collection and the partial Item are valid too', async () => {
    // No save_result run writes several files today, so the Collection form is built directly.
    const raster: RasterInfo = {
      bbox: [8, 47, 9, 48],
      geometry: { type: 'Polygon', coordinates: [[[8, 47], [9, 47], [9, 48], [8, 48], [8, 47]]] },
      epsg: 4326,
      shape: [100, 100],
      transform: [0.01, 0, 8, 0, -0.01, 48, 0, 0, 1],
      bands: [{ data_type: 'float32', nodata: 'nan' }],
    };
    const job: JobRecord = {
      id: 'j1', userId: 'u1', title: null, description: null, process: { process_graph: {} }, plan: null, budget: null,
      logLevel: 'info', status: 'finished', progress: 100, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:10:00Z',
      startedAt: '2026-01-01T00:01:00Z', finishedAt: '2026-01-01T00:10:00Z', usage: null, timeRange: null, resultsExpired: false,
      outputs: [
        { file: 'a.tif', size: 10, mediaType: 'image/tiff; application=geotiff', format: 'GTiff', raster },
        { file: 'b.tif', size: 20, mediaType: 'image/tiff; application=geotiff', format: 'GTiff', raster },
      ],
    };
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-stac-schemas-'));
    try {
      const links = new ResultLinks(dataDir, 'https://openeo.example.edu', 3600);
      const collection = resultsDocument(job, links, 'https://openeo.example.edu');
      expect(collection.type).toBe('Collection');
      expect(stacViolations(collection)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(stacViolations(partialDocument({ ...job, status: 'running' }, 'running', 'https://openeo.example.edu'))).toEqual([]);
  });
});
