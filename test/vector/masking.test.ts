import { TestServer } from '../helpers/testServer';
import { S2_GRID, demoBand, demoServer, gdalZones, lonLat, runGraph, tempDir } from './helpers';

/** mask_polygon, filter_spatial, load_geojson and GeoJSON validation through POST /result. */
let server: TestServer;
let auth: string;

const X0 = S2_GRID.west;
const Y0 = S2_GRID.north;
// Vertices off the 10 m lattice by odd decimetres so that no edge passes exactly through a pixel centre (ties depend on rounding).
const POLYGON = {
  type: 'Polygon',
  coordinates: lonLat([[[X0 + 1003.7, Y0 - 1001.3], [X0 + 5213.1, Y0 - 1503.9], [X0 + 4003.3, Y0 - 5407.7], [X0 + 1503.9, Y0 - 4003.1], [X0 + 1003.7, Y0 - 1001.3]]]),
};

function graph(node: Record<string, unknown>) {
  return {
    load: {
      process_id: 'load_collection',
      arguments: { id: 'SENTINEL2_L2A_DEMO', spatial_extent: null, temporal_extent: ['2023-01-01', '2023-01-20'], bands: ['B04'] },
    },
    op: { ...node, arguments: { data: { from_node: 'load' }, ...(node.arguments as object) } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'op' }, format: 'JSON' }, result: true },
  };
}

beforeAll(async () => {
  ({ server, auth } = await demoServer());
}, 120_000);

afterAll(() => server?.close());

test('mask_polygon keeps exactly the pixels gdal_rasterize burns; inside=true with a replacement inverts it', async () => {
  const zones = gdalZones({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: POLYGON }] }, tempDir());
  const values = demoBand(server.dataDir, '2023-01-14', 'B04');
  const outside = JSON.parse((await runGraph(server, auth, graph({ process_id: 'mask_polygon', arguments: { mask: POLYGON } }))).body as unknown as string);
  const inside = JSON.parse(
    (await runGraph(server, auth, graph({ process_id: 'mask_polygon', arguments: { mask: POLYGON, inside: true, replacement: -1 } }))).body as unknown as string,
  );
  expect(outside.order).toEqual(['t', 'bands', 'y', 'x']);
  let kept = 0;
  // Mismatches are collected rather than asserted pixel by pixel (360 000 pixels).
  const wrong: string[] = [];
  for (let row = 0; row < S2_GRID.height; row++) {
    for (let col = 0; col < S2_GRID.width; col++) {
      const i = row * S2_GRID.width + col;
      const v = Number.isNaN(values[i]) ? null : values[i];
      const inZone = zones[i] === 1;
      if (inZone) kept++;
      const expectOutside = inZone ? v : null;
      const expectInside = inZone ? -1 : v;
      if (outside.data[0][0][row][col] !== expectOutside || inside.data[0][0][row][col] !== expectInside) wrong.push(`row ${row} col ${col}`);
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(kept).toBeGreaterThan(50000);
}, 60_000);

test('filter_spatial crops to the polygon and sets the rest of the rectangle to no-data', async () => {
  const zones = gdalZones({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: POLYGON }] }, tempDir());
  const res = await runGraph(server, auth, graph({ process_id: 'filter_spatial', arguments: { geometries: POLYGON } }));
  expect(res.status).toBe(200);
  const cube = JSON.parse(res.body as unknown as string);
  const xs: number[] = cube.dimensions.x.values;
  const ys: number[] = cube.dimensions.y.values;
  // Columns/rows of the reference zone's bounding box.
  let c0 = Infinity, c1 = -Infinity, r0 = Infinity, r1 = -Infinity;
  zones.forEach((z, i) => {
    if (z !== 1) return;
    const r = Math.floor(i / S2_GRID.width), c = i % S2_GRID.width;
    c0 = Math.min(c0, c); c1 = Math.max(c1, c); r0 = Math.min(r0, r); r1 = Math.max(r1, r);
  });
  expect(xs[0]).toBeLessThanOrEqual(X0 + (c0 + 0.5) * 10);
  expect(xs[xs.length - 1]).toBeGreaterThanOrEqual(X0 + (c1 + 0.5) * 10);
  expect(xs.length).toBeLessThanOrEqual(c1 - c0 + 3);
  expect(ys.length).toBeLessThanOrEqual(r1 - r0 + 3);
  const values = demoBand(server.dataDir, '2023-01-14', 'B04');
  const wrong: string[] = [];
  let kept = 0;
  ys.forEach((y, j) => {
    xs.forEach((x, k) => {
      const col = Math.round((x - X0) / 10 - 0.5);
      const row = Math.round((Y0 - y) / 10 - 0.5);
      const i = row * S2_GRID.width + col;
      const expected = zones[i] === 1 && !Number.isNaN(values[i]) ? values[i] : null;
      if (expected !== null) kept++;
      if (cube.data[0][0][j][k] !== expected) wrong.push(`row ${row} col ${col}`);
    });
  });
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(kept).toBeGreaterThan(50000);
}, 60_000);

test('load_geojson with properties gives a vector cube with a properties dimension', async () => {
  const fc = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { a: 1, b: 'text' }, geometry: { type: 'Point', coordinates: [8.6, 47.5] } },
      { type: 'Feature', properties: { a: 2.5, b: true }, geometry: { type: 'LineString', coordinates: [[8.6, 47.5], [8.7, 47.6]] } },
      { type: 'Feature', properties: null, geometry: null },
    ],
  };
  const res = await runGraph(server, auth, {
    v: { process_id: 'load_geojson', arguments: { data: fc, properties: ['a', 'b'] } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'v' }, format: 'JSON' }, result: true },
  });
  expect(res.status).toBe(200);
  const cube = JSON.parse(res.body as unknown as string);
  expect(cube.order).toEqual(['geometry', 'properties']);
  expect(cube.dimensions.properties.values).toEqual(['a', 'b']);
  expect(cube.data).toEqual([[1, null], [2.5, 1], [null, null]]);
});

describe('bad geometries are openEO errors, not server errors', () => {
  const aggregate = (geometries: unknown) => ({
    load: {
      process_id: 'load_collection',
      arguments: { id: 'SENTINEL2_L2A_DEMO', spatial_extent: null, temporal_extent: ['2023-01-01', '2023-01-20'], bands: ['B04'] },
    },
    agg: {
      process_id: 'aggregate_spatial',
      arguments: {
        data: { from_node: 'load' },
        geometries,
        reducer: { process_graph: { r: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } },
      },
      result: true,
    },
  });
  const cases: Array<[string, unknown, RegExp]> = [
    ['an unknown type', { type: 'Circle', coordinates: [8, 47] }, /Circle/],
    ['an open ring', { type: 'Polygon', coordinates: [[[8, 47], [9, 47], [9, 48], [8, 48]]] }, /first position/],
    ['a self-intersecting polygon', { type: 'Polygon', coordinates: [[[8, 47], [9, 48], [9, 47], [8, 48], [8, 47]]] }, /not valid/],
    ['text coordinates', { type: 'Point', coordinates: ['8', '47'] }, /position/],
    ['a Feature in a Feature list that is not a Feature', { type: 'FeatureCollection', features: [{ type: 'Point', coordinates: [8, 47] }] }, /only contain Features/],
  ];
  test.each(cases)('%s', async (_name, geometries, reason) => {
    const res = await runGraph(server, auth, aggregate(geometries) as Record<string, unknown>);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body as unknown as string);
    expect(body.code).toBe('ProcessParameterInvalid');
    expect(body.message).toMatch(reason);
  });

  test('mask_polygon refuses points', async () => {
    const res = await runGraph(server, auth, graph({ process_id: 'mask_polygon', arguments: { mask: { type: 'Point', coordinates: [8.6, 47.5] } } }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('ProcessParameterInvalid');
  });

  test('save_result as GeoJSON refuses a raster cube', async () => {
    const g = graph({ process_id: 'mask_polygon', arguments: { mask: POLYGON } });
    (g.save.arguments as Record<string, unknown>).format = 'GeoJSON';
    const res = await runGraph(server, auth, g);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('FormatUnsuitable');
  });
});

test('GET /file_formats lists GeoJSON and CSV as vector formats', async () => {
  const { default: request } = await import('supertest');
  const res = await request(server.app).get('/file_formats');
  expect(res.body.output.GeoJSON.gis_data_types).toEqual(['vector']);
  expect(res.body.output.CSV.gis_data_types).toContain('vector');
});

describe('apply_polygon', () => {
  const square = (x: number, y: number, size: number) => ({
    type: 'Polygon',
    coordinates: lonLat([[[X0 + x, Y0 - y], [X0 + x + size, Y0 - y], [X0 + x + size, Y0 - y - size], [X0 + x, Y0 - y - size], [X0 + x, Y0 - y]]]),
  });
  const graphFor = (polygons: object[]) => ({
    load: {
      process_id: 'load_collection',
      arguments: { id: 'SENTINEL2_L2A_DEMO', spatial_extent: null, temporal_extent: ['2023-01-01', '2023-01-20'], bands: ['B04'] },
    },
    v: {
      process_id: 'load_geojson',
      arguments: { data: { type: 'FeatureCollection', features: polygons.map((geometry) => ({ type: 'Feature', properties: {}, geometry })) } },
    },
    op: {
      process_id: 'apply_polygon',
      arguments: {
        data: { from_node: 'load' },
        geometries: { from_node: 'v' },
        mask_value: -5,
        process: {
          process_graph: {
            a: {
              process_id: 'apply',
              arguments: {
                data: { from_parameter: 'data' },
                process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } },
              },
              result: true,
            },
          },
        },
      },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'op' }, format: 'JSON' }, result: true },
  });

  test('the process runs on each polygon; the rest of the grid gets mask_value', async () => {
    // Two polygons, one of them crossing the 512-pixel tile border.
    const polygons = [square(1003.3, 1001.7, 1500.1), square(4801.3, 4903.7, 700.9)];
    const zones = gdalZones({ type: 'FeatureCollection', features: polygons.map((geometry) => ({ type: 'Feature', properties: {}, geometry })) }, tempDir());
    const res = await runGraph(server, auth, graphFor(polygons));
    expect(res.status).toBe(200);
    const cube = JSON.parse(res.body as unknown as string);
    const values = demoBand(server.dataDir, '2023-01-14', 'B04');
    const wrong: string[] = [];
    let inside = 0;
    for (let row = 0; row < S2_GRID.height; row++) {
      for (let col = 0; col < S2_GRID.width; col++) {
        const i = row * S2_GRID.width + col;
        if (zones[i] > 0) inside++;
        const expected = zones[i] > 0 ? (Number.isNaN(values[i]) ? null : values[i] * 2) : -5;
        if (cube.data[0][0][row][col] !== expected) wrong.push(`row ${row} col ${col}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(inside).toBeGreaterThan(20000);
  }, 60_000);

  test('overlapping polygons are GeometriesOverlap', async () => {
    const res = await runGraph(server, auth, graphFor([square(1003.3, 1001.7, 1500.1), square(2003.3, 2001.7, 500.1)]));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body as unknown as string).code).toBe('GeometriesOverlap');
  }, 60_000);
});
