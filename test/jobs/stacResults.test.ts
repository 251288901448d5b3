import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultLinks } from '../../src/jobs/resultLinks';
import { resultsDocument } from '../../src/jobs/stacResults';
import type { JobRecord, OutputInfo } from '../../src/jobs/types';
import { expectMatchesSpec } from '../helpers/openapi';

/** The results document for jobs with several output files, which today's save_result never produces in one run. */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-stac-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function raster(west: number, east: number): OutputInfo['raster'] {
  return {
    bbox: [west, 47, east, 48],
    geometry: { type: 'Polygon', coordinates: [[[west, 47], [east, 47], [east, 48], [west, 48], [west, 47]]] },
    epsg: 4326,
    shape: [100, 100],
    transform: [0.01, 0, west, 0, -0.01, 48, 0, 0, 1],
    bands: [{ data_type: 'float32', nodata: null, statistics: { minimum: 0, maximum: 1, mean: 0.5, stddev: 0.2 } }],
  };
}

const job: JobRecord = {
  id: 'abc123',
  userId: 'u1',
  title: 'Two tiles',
  description: null,
  process: { process_graph: {} },
  plan: null,
  budget: null,
  logLevel: 'info',
  status: 'finished',
  progress: 100,
  created: '2026-01-01T00:00:00Z',
  updated: '2026-01-01T00:10:00Z',
  startedAt: '2026-01-01T00:01:00Z',
  finishedAt: '2026-01-01T00:10:00Z',
  usage: null,
  outputs: [
    { file: 'west.tif', size: 1000, mediaType: 'image/tiff; application=geotiff', format: 'GTiff', raster: raster(8, 9) },
    { file: 'east.tif', size: 2000, mediaType: 'image/tiff; application=geotiff', format: 'GTiff', raster: raster(9, 10) },
  ],
  timeRange: ['2020-06-01', '2020-07-01'],
  resultsExpired: false,
};

test('several outputs make a STAC Collection with every file as a signed asset and the union extent', () => {
  const links = new ResultLinks(dataDir, 'https://openeo.example.edu', 3600);
  const doc = resultsDocument(job, links, 'https://openeo.example.edu') as any;
  expectMatchesSpec('/jobs/{job_id}/results', 'get', { status: 200, body: doc });
  expect(doc.type).toBe('Collection');
  expect(doc['openeo:status']).toBe('finished');
  expect(doc.extent.spatial.bbox).toEqual([[8, 47, 10, 48]]);
  expect(doc.extent.temporal.interval).toEqual([['2020-06-01T00:00:00Z', '2020-07-01T00:00:00Z']]);
  expect(Object.keys(doc.assets)).toEqual(['west.tif', 'east.tif']);
  for (const [name, asset] of Object.entries(doc.assets as Record<string, { href: string; 'file:size': number }>)) {
    const url = new URL(asset.href);
    expect(url.pathname).toBe(`/jobs/abc123/results/${name}`);
    expect(links.check('abc123', name, url.searchParams.get('expires'), url.searchParams.get('signature'))).toBe('valid');
    expect(links.check('abc123', name === 'west.tif' ? 'east.tif' : 'west.tif', url.searchParams.get('expires'), url.searchParams.get('signature'))).toBe('invalid');
  }
});
