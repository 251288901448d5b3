import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import type { TestServer } from '../helpers/testServer';
import { DEMO_DEM_ID } from '../../src/catalog/demo/generate';
import { demoJobServer, finishedJob, partsInLog } from './splitJobs';

/**
 * Zonal statistics of a batch job are computed by groups of geometries, each group a unit of
 * its own (here a child process each), and joined into the same file, byte for byte, as the job
 * computed in one piece; also for reducers that cannot be combined from partial results (median).
 */
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

/** A grid of square fields over the whole DEM, read from the file as a user would. */
function fields(dataDir: string): Record<string, unknown> {
  const file = fs.readdirSync(path.join(dataDir, 'demo', 'dem')).find((f) => f.endsWith('.tif'))!;
  const ds = gdal.open(path.join(dataDir, 'demo', 'dem', file));
  const [west, dx, , north, , dy] = ds.geoTransform!;
  const east = west + dx * ds.rasterSize.x;
  const south = north + dy * ds.rasterSize.y;
  ds.close();
  const n = 6;
  const features = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x0 = west + ((east - west) * (j + 0.1)) / n;
      const x1 = west + ((east - west) * (j + 0.8)) / n;
      const y0 = south + ((north - south) * (i + 0.1)) / n;
      const y1 = south + ((north - south) * (i + 0.7)) / n;
      features.push({
        type: 'Feature',
        properties: { field: `f${i}-${j}` },
        geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

function graph(geometries: Record<string, unknown>, reducer: string, format: string, target: string | null) {
  return {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: null, temporal_extent: null } },
      zones: {
        process_id: 'aggregate_spatial',
        arguments: {
          data: { from_node: 'load' },
          geometries,
          target_dimension: target,
          reducer: { process_graph: { r: { process_id: reducer, arguments: { data: { from_parameter: 'data' } }, result: true } } },
        },
      },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'zones' }, format }, result: true },
    },
  };
}

test.each([
  ['mean as GeoJSON', 'mean', 'GeoJSON', null],
  ['median with counts as CSV', 'median', 'CSV', 'stats'],
])('zonal statistics computed by groups of geometries give the file of one piece (%s)', async (_name, reducer, format, target) => {
  // 16 rows a block: every group of fields may read one row of tiles.
  const split = await demoJobServer(16, servers);
  const whole = await demoJobServer(1_000_000, servers);
  const geometries = fields(split.server.dataDir);
  const process = graph(geometries, reducer, format, target);
  const [a, b] = await Promise.all([finishedJob(split.server, split.alice, process), finishedJob(whole.server, whole.alice, process)]);
  expect(partsInLog(a.logs, 'group')).toBeGreaterThan(2);
  expect(partsInLog(b.logs, 'group')).toBe(1);
  expect([...a.files.keys()]).toEqual([...b.files.keys()]);
  for (const [name, bytes] of a.files) expect({ name, same: bytes.equals(b.files.get(name)!) }).toEqual({ name, same: true });

  // Every field got a value (none was lost between the groups).
  const text = [...a.files.values()][0].toString();
  if (format === 'CSV') {
    const values = text.split('\n').filter((line) => line.includes(',value,')).map((line) => Number(line.split(',')[3]));
    expect(values).toHaveLength(36);
    expect(values.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  } else {
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(text).toContain(`f${i}-${j}`);
    const doc = JSON.parse(text) as { features: Array<{ properties: Record<string, unknown> }> };
    expect(doc.features).toHaveLength(36);
    const values = doc.features.flatMap((f) => Object.values(f.properties).filter((v): v is number => typeof v === 'number'));
    expect(values.length).toBeGreaterThanOrEqual(36);
    expect(values.every((v) => Number.isFinite(v))).toBe(true);
  }
}, 120_000);
