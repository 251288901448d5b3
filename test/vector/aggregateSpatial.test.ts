import { TestServer } from '../helpers/testServer';
import { S2_GRID, demoBand, demoServer, gdalZones, lonLat, runGraph, tempDir } from './helpers';

/**
 * aggregate_spatial through POST /result over the demo Sentinel-2 collection, checked against
 * zones rasterised independently by gdal_rasterize and pixel values read straight from the files.
 */
let server: TestServer;
let auth: string;
let zones: Int32Array;

const X0 = S2_GRID.west;
const Y0 = S2_GRID.north;
// UTM coordinates of pixel corners are avoided (offsets of 3 m) so no centre lies on an edge.
const FEATURES = {
  type: 'FeatureCollection',
  features: [
    // A triangle with a hole, crossing the 512-pixel tile borders in both directions.
    {
      type: 'Feature',
      id: 'triangle',
      properties: { name: 'triangle' },
      geometry: {
        type: 'Polygon',
        coordinates: lonLat([
          [[X0 + 553, Y0 - 447], [X0 + 5623, Y0 - 3217], [X0 + 1233, Y0 - 5563], [X0 + 553, Y0 - 447]],
          [[X0 + 1503, Y0 - 2003], [X0 + 2503, Y0 - 2503], [X0 + 1503, Y0 - 3003], [X0 + 1503, Y0 - 2003]],
        ]),
      },
    },
    // Two separate squares as one MultiPolygon.
    {
      type: 'Feature',
      properties: { name: 'squares' },
      geometry: {
        type: 'MultiPolygon',
        coordinates: lonLat([
          [[[X0 + 4003, Y0 - 203], [X0 + 4403, Y0 - 203], [X0 + 4403, Y0 - 603], [X0 + 4003, Y0 - 603], [X0 + 4003, Y0 - 203]]],
          [[[X0 + 5003, Y0 - 5003], [X0 + 5503, Y0 - 5003], [X0 + 5503, Y0 - 5503], [X0 + 5003, Y0 - 5503], [X0 + 5003, Y0 - 5003]]],
        ]),
      },
    },
    // A point: the pixel it lies in.
    { type: 'Feature', properties: { name: 'point' }, geometry: { type: 'Point', coordinates: lonLat([X0 + 3456, Y0 - 1234]) } },
    // Entirely outside the data: no-data.
    {
      type: 'Feature',
      properties: { name: 'outside' },
      geometry: {
        type: 'Polygon',
        coordinates: lonLat([[[X0 - 5000, Y0 + 1000], [X0 - 4000, Y0 + 1000], [X0 - 4000, Y0 + 2000], [X0 - 5000, Y0 + 1000]]]),
      },
    },
  ],
};

const DATES = ['2023-01-14', '2023-02-18'];
const BANDS = ['B04', 'B08'];

function load() {
  return {
    process_id: 'load_collection',
    arguments: { id: 'SENTINEL2_L2A_DEMO', spatial_extent: null, temporal_extent: ['2023-01-01', '2023-03-01'], bands: BANDS },
  };
}

function aggregate(reducer: string, format: string, extra: Record<string, unknown> = {}) {
  return {
    load: load(),
    vectors: { process_id: 'load_geojson', arguments: { data: FEATURES } },
    agg: {
      process_id: 'aggregate_spatial',
      arguments: {
        data: { from_node: 'load' },
        geometries: { from_node: 'vectors' },
        reducer: { process_graph: { r: { process_id: reducer, arguments: { data: { from_parameter: 'data' } }, result: true } } },
        ...extra,
      },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'agg' }, format }, result: true },
  };
}

/** Values of zone `zone` (1-based feature number) in one file, no-data excluded. */
function zoneValues(zone: number, date: string, band: string): number[] {
  const values = demoBand(server.dataDir, date, band);
  const out: number[] = [];
  for (let i = 0; i < zones.length; i++) if (zones[i] === zone && !Number.isNaN(values[i])) out.push(values[i]);
  return out;
}

const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length);

beforeAll(async () => {
  ({ server, auth } = await demoServer());
  zones = gdalZones(FEATURES, tempDir());
}, 120_000);

afterAll(() => server?.close());

test('the reference zones are non-trivial (the triangle spans several tiles, the point one pixel)', () => {
  const count = (z: number) => zones.reduce((n, v) => n + (v === z ? 1 : 0), 0);
  expect(count(1)).toBeGreaterThan(10000);
  expect(count(2)).toBeGreaterThan(3000);
  expect(count(3)).toBe(1);
  expect(count(4)).toBe(0);
});

test('mean per polygon, date and band equals the mean of the pixels gdal_rasterize puts in the zone', async () => {
  const res = await runGraph(server, auth, aggregate('mean', 'JSON'));
  expect(res.status).toBe(200);
  const cube = JSON.parse(res.body as unknown as string);
  expect(cube.order).toEqual(['geometry', 't', 'bands']);
  expect(cube.dimensions.geometry.type).toBe('geometry');
  expect(cube.dimensions.bands.values).toEqual(BANDS);
  expect(cube.dimensions.t.values.map((t: string) => t.slice(0, 10))).toEqual(DATES);
  for (let g = 0; g < 4; g++) {
    for (let d = 0; d < DATES.length; d++) {
      for (let b = 0; b < BANDS.length; b++) {
        const expected = mean(zoneValues(g + 1, DATES[d], BANDS[b]));
        const actual = cube.data[g][d][b];
        if (expected === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(expected, 6);
      }
    }
  }
}, 60_000);

test('any reducer works: count of valid pixels and max', async () => {
  const counted = JSON.parse((await runGraph(server, auth, aggregate('count', 'JSON'))).body as unknown as string);
  const maxed = JSON.parse((await runGraph(server, auth, aggregate('max', 'JSON'))).body as unknown as string);
  for (let g = 0; g < 3; g++) {
    const values = zoneValues(g + 1, DATES[1], BANDS[0]);
    expect(counted.data[g][1][0]).toBe(values.length);
    expect(maxed.data[g][1][0]).toBe(Math.max(...values));
  }
}, 60_000);

test('target_dimension adds value, total_count and valid_count', async () => {
  const res = await runGraph(server, auth, aggregate('mean', 'JSON', { target_dimension: 'stats' }));
  expect(res.status).toBe(200);
  const cube = JSON.parse(res.body as unknown as string);
  expect(cube.order).toEqual(['geometry', 't', 'bands', 'stats']);
  expect(cube.dimensions.stats.values).toEqual(['value', 'total_count', 'valid_count']);
  const total = zones.reduce((n, v) => n + (v === 1 ? 1 : 0), 0);
  const valid = zoneValues(1, DATES[0], BANDS[0]).length;
  expect(cube.data[0][0][0]).toEqual([expect.closeTo(mean(zoneValues(1, DATES[0], BANDS[0]))!, 6), total, valid]);
}, 60_000);

test('GeoJSON output keeps the geometries and properties and adds one property per date and band', async () => {
  const res = await runGraph(server, auth, aggregate('mean', 'GeoJSON'));
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
  const fc = JSON.parse(res.body as unknown as string);
  expect(fc.type).toBe('FeatureCollection');
  expect(fc.features).toHaveLength(4);
  expect(fc.features[0].id).toBe('triangle');
  expect(fc.features[0].properties.name).toBe('triangle');
  expect(fc.features[0].geometry.type).toBe('Polygon');
  expect(fc.features[0].geometry.coordinates[0][1][0]).toBeCloseTo(FEATURES.features[0].geometry.coordinates[0][1][0], 9);
  const key = Object.keys(fc.features[1].properties).find((k) => k.startsWith('2023-02-18') && k.endsWith('_B08'))!;
  expect(key).toBeDefined();
  expect(fc.features[1].properties[key]).toBeCloseTo(mean(zoneValues(2, DATES[1], 'B08'))!, 6);
  expect(Object.values(fc.features[3].properties).filter((v) => v === null)).toHaveLength(4);
}, 60_000);

test('CSV output has one row per geometry and date with one column per band', async () => {
  const res = await runGraph(server, auth, aggregate('mean', 'CSV'));
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  const lines = (res.body as unknown as string).trim().split('\n');
  expect(lines[0]).toBe('geometry,id,t,B04,B08,wkt');
  expect(lines).toHaveLength(1 + 4 * 2);
  const row = lines.find((l) => l.startsWith('2,') && l.includes('2023-01-14'))!;
  const fields = row.split(',');
  expect(Number(fields[3])).toBe(zoneValues(3, DATES[0], 'B04')[0]);
  expect(fields.slice(5).join(',')).toMatch(/^"?POINT \(/);
  const outside = lines.find((l) => l.startsWith('3,'))!.split(',');
  expect(outside[3]).toBe('');
}, 60_000);

test('many polygons over the whole scene stay fast and match the reference', async () => {
  // A 20 × 20 grid of 290 m squares: 400 geometries, every tile touched.
  const features = [];
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) {
      const x = X0 + 3 + i * 300;
      const y = Y0 - 3 - j * 300;
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: lonLat([[[x, y], [x + 290, y], [x + 290, y - 290], [x, y - 290], [x, y]]]) } });
    }
  }
  const fc = { type: 'FeatureCollection', features };
  const many = gdalZones(fc, tempDir());
  const graph = {
    load: { ...load(), arguments: { ...load().arguments, bands: ['B04'] } },
    agg: {
      process_id: 'aggregate_spatial',
      arguments: {
        data: { from_node: 'load' },
        geometries: fc,
        reducer: { process_graph: { r: { process_id: 'sum', arguments: { data: { from_parameter: 'data' } }, result: true } } },
      },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'agg' }, format: 'JSON' }, result: true },
  };
  const started = Date.now();
  const res = await runGraph(server, auth, graph);
  const elapsed = Date.now() - started;
  expect(res.status).toBe(200);
  expect(elapsed).toBeLessThan(15_000);
  const cube = JSON.parse(res.body as unknown as string);
  const values = demoBand(server.dataDir, DATES[0], 'B04');
  const sums = new Float64Array(400);
  for (let i = 0; i < many.length; i++) if (many[i] > 0 && !Number.isNaN(values[i])) sums[many[i] - 1] += values[i];
  for (const g of [0, 57, 211, 399]) expect(cube.data[g][0][0]).toBeCloseTo(sums[g], 6);
}, 60_000);
