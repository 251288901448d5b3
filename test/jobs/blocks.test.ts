import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import type { TestServer } from '../helpers/testServer';
import { halvedDemGraph } from './helpers';
import { DEMO_DEM_ID } from '../../src/catalog/demo/generate';
import { demoJobServer, finishedJob, partsInLog } from './splitJobs';

/**
 * A job whose output is split into blocks (each a unit of its own, here in separate child
 * processes) publishes the same file, byte for byte, as the same job computed in one piece.
 */
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

test.each([
  ['float32 without overviews', {}],
  ['uint16 with overviews', { datatype: 'uint16', overviews: true }],
])('a job computed in blocks publishes the same file as in one piece (%s)', async (_name, options) => {
  const split = await demoJobServer(64, servers);
  const whole = await demoJobServer(1_000_000, servers);
  const process = halvedDemGraph(options);
  const [a, b] = await Promise.all([finishedJob(split.server, split.alice, process), finishedJob(whole.server, whole.alice, process)]);
  expect(partsInLog(a.logs, 'block')).toBeGreaterThan(1);
  expect(partsInLog(b.logs, 'block')).toBe(1);
  const [fileA, fileB] = [a.files.get('result.tif')!, b.files.get('result.tif')!];
  expect(fileA.length).toBeGreaterThan(1000);
  expect(fileA.equals(fileB)).toBe(true);
  // And it is a real COG with statistics, as a user opens it.
  const tmp = path.join(split.server.dataDir, 'check.tif');
  fs.writeFileSync(tmp, fileA);
  const ds = gdal.open(tmp);
  expect(ds.bands.get(1).getMetadata().STATISTICS_MAXIMUM).toBeDefined();
  expect(ds.rasterSize.y).toBeGreaterThan(64);
  ds.close();
}, 120_000);

/** The demo DEM through one raster process (with its arguments), saved as GTiff. */
function demThrough(processId: string, args: Record<string, unknown>) {
  return {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: null, temporal_extent: null } },
      step: { process_id: processId, arguments: { data: { from_node: 'load' }, ...args } },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'step' }, format: 'GTiff' }, result: true },
    },
  };
}

test.each([
  ['a 5 x 5 neighbourhood (apply_kernel)', demThrough('apply_kernel', { kernel: Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]), factor: 1 / 25 })],
  ['warping to Web Mercator (resample_spatial)', demThrough('resample_spatial', { projection: 3857, method: 'bilinear' })],
])('blocks that read beyond their rows give the file of one piece: %s', async (_name, process) => {
  const split = await demoJobServer(64, servers);
  const whole = await demoJobServer(1_000_000, servers);
  const [a, b] = await Promise.all([finishedJob(split.server, split.alice, process), finishedJob(whole.server, whole.alice, process)]);
  expect(partsInLog(a.logs, 'block')).toBeGreaterThan(1);
  expect(a.files.get('result.tif')!.equals(b.files.get('result.tif')!)).toBe(true);
}, 120_000);
