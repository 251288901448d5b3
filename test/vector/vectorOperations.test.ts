import gdal from 'gdal-async';
import { startTestServer, TestServer } from '../helpers/testServer';
import { runGraph } from './helpers';

/** vector_reproject, vector_buffer and filter_vector on vector cubes from load_geojson, through POST /result. */
let server: TestServer;
let auth: string;

const POINTS = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { n: 1 }, geometry: { type: 'Point', coordinates: [9.0, 47.85] } },
    { type: 'Feature', properties: { n: 2 }, geometry: { type: 'Point', coordinates: [9.01, 47.86] } },
    { type: 'Feature', properties: { n: 3 }, geometry: { type: 'Point', coordinates: [9.2, 47.9] } },
  ],
};
const AREA = { type: 'Polygon', coordinates: [[[8.95, 47.8], [9.05, 47.8], [9.05, 47.9], [8.95, 47.9], [8.95, 47.8]]] };

beforeAll(async () => {
  server = await startTestServer();
  auth = await server.login();
});

afterAll(() => server?.close());

function csvRows(text: string): string[][] {
  // WKT is the last column and quoted when it holds commas.
  return text.trim().split('\n').slice(1).map((line) => {
    const quoted = line.indexOf('"');
    const head = (quoted >= 0 ? line.slice(0, quoted) : line).split(',');
    const wkt = quoted >= 0 ? line.slice(quoted + 1, -1) : head.pop()!;
    return [...head.filter((_, i) => i < head.length - (quoted >= 0 ? 1 : 0)), wkt];
  });
}

test('vector_reproject transforms the geometries as GDAL does', async () => {
  const res = await runGraph(server, auth, {
    v: { process_id: 'load_geojson', arguments: { data: POINTS, properties: ['n'] } },
    r: { process_id: 'vector_reproject', arguments: { data: { from_node: 'v' }, projection: 32632 } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'CSV' }, result: true },
  });
  expect(res.status).toBe(200);
  const rows = csvRows(res.body as unknown as string);
  expect(rows).toHaveLength(3);
  const ct = new gdal.CoordinateTransformation(
    gdal.SpatialReference.fromProj4('+proj=longlat +datum=WGS84 +no_defs'),
    gdal.SpatialReference.fromEPSG(32632),
  );
  rows.forEach((row, i) => {
    const expected = ct.transformPoint(POINTS.features[i].geometry.coordinates[0], POINTS.features[i].geometry.coordinates[1]);
    const point = gdal.Geometry.fromWKT(row[row.length - 1]) as gdal.Point;
    expect(point.x).toBeCloseTo(expected.x, 3);
    expect(point.y).toBeCloseTo(expected.y, 3);
    expect(Number(row[3])).toBe(i + 1);
  });
});

test('vector_buffer in metres gives circles of the right area; lon/lat geometries are a UnitMismatch', async () => {
  const res = await runGraph(server, auth, {
    v: { process_id: 'load_geojson', arguments: { data: POINTS } },
    r: { process_id: 'vector_reproject', arguments: { data: { from_node: 'v' }, projection: 32632 } },
    b: { process_id: 'vector_buffer', arguments: { geometries: { from_node: 'r' }, distance: 100 } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'b' }, format: 'CSV' }, result: true },
  });
  expect(res.status).toBe(200);
  for (const row of csvRows(res.body as unknown as string)) {
    const polygon = gdal.Geometry.fromWKT(row[row.length - 1]) as gdal.Polygon;
    expect(polygon.wkbType).toBe(gdal.wkbPolygon);
    expect(polygon.getArea() / (Math.PI * 100 * 100)).toBeGreaterThan(0.99);
    expect(polygon.getArea() / (Math.PI * 100 * 100)).toBeLessThan(1.0);
  }
  const refused = await runGraph(server, auth, {
    v: { process_id: 'load_geojson', arguments: { data: POINTS } },
    b: { process_id: 'vector_buffer', arguments: { geometries: { from_node: 'v' }, distance: 100 }, result: true },
  });
  expect(refused.status).toBe(400);
  expect(JSON.parse(refused.body as unknown as string).code).toBe('UnitMismatch');
});

test('filter_vector keeps the geometries in the relation, with their values', async () => {
  const graph = (relation: string) => ({
    v: { process_id: 'load_geojson', arguments: { data: POINTS, properties: ['n'] } },
    a: { process_id: 'load_geojson', arguments: { data: AREA } },
    f: { process_id: 'filter_vector', arguments: { data: { from_node: 'v' }, geometries: { from_node: 'a' }, relation } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'f' }, format: 'GeoJSON' }, result: true },
  });
  const within = JSON.parse((await runGraph(server, auth, graph('within'))).body as unknown as string);
  expect(within.features.map((f: { properties: { n: number } }) => f.properties.n)).toEqual([1, 2]);
  const disjoint = JSON.parse((await runGraph(server, auth, graph('disjoint'))).body as unknown as string);
  expect(disjoint.features.map((f: { properties: { n: number } }) => f.properties.n)).toEqual([3]);
  expect(disjoint.features[0].geometry.coordinates).toEqual([9.2, 47.9]);
});

/** The points of a MULTIPOINT in WKT. */
function pointsOf(wkt: string): gdal.Point[] {
  const multi = gdal.Geometry.fromWKT(wkt) as gdal.MultiPoint;
  const out: gdal.Point[] = [];
  for (let i = 0; i < multi.children.count(); i++) out.push(multi.children.get(i) as gdal.Point);
  return out;
}

describe('sampling points', () => {
  // In UTM 32N (named in the document): a 1000 m square, a 350 m line and a point.
  const SHAPES = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:32632' } },
    features: [
      { type: 'Feature', properties: { k: 1 }, geometry: { type: 'Polygon', coordinates: [[[500000, 5300000], [501000, 5300000], [501000, 5299000], [500000, 5299000], [500000, 5300000]]] } },
      { type: 'Feature', properties: { k: 2 }, geometry: { type: 'LineString', coordinates: [[500000, 5290000], [500350, 5290000]] } },
      { type: 'Feature', properties: { k: 3 }, geometry: { type: 'Point', coordinates: [502000, 5295000] } },
    ],
  };
  const sample = (process: string, args: Record<string, unknown>, format = 'CSV') => runGraph(server, auth, {
    v: { process_id: 'load_geojson', arguments: { data: SHAPES, properties: ['k'] } },
    s: { process_id: process, arguments: { data: { from_node: 'v' }, ...args } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 's' }, format }, result: true },
  });

  test('vector_to_regular_points: grid centres in polygons, steps along lines, points as given', async () => {
    const res = await sample('vector_to_regular_points', { distance: 100 });
    expect(res.status).toBe(200);
    const rows = csvRows(res.body as unknown as string);
    const square = pointsOf(rows[0][rows[0].length - 1]);
    expect(square).toHaveLength(100);
    const xs = square.map((p) => p.x).sort((a, b) => a - b);
    expect(xs[0]).toBeCloseTo(500050, 6);
    expect(xs[99]).toBeCloseTo(500950, 6);
    expect(pointsOf(rows[1][rows[1].length - 1]).map((p) => p.x)).toEqual([500000, 500100, 500200, 500300]);
    expect(rows[2][rows[2].length - 1]).toMatch(/^MULTIPOINT \(\(?502000 5295000\)?\)$/);
    const ungrouped = await sample('vector_to_regular_points', { distance: 100, group: false }, 'JSON');
    const cube = JSON.parse(ungrouped.body as unknown as string);
    expect(cube.dimensions.geometry.values).toHaveLength(105);
    // Each point keeps the values of its geometry.
    expect(cube.data.map((v: number[]) => v[0])).toEqual([...Array(100).fill(1), 2, 2, 2, 2, 3]);
  });

  test('vector_to_random_points: reproducible points inside the geometries; too small a total is CountMismatch', async () => {
    const first = await sample('vector_to_random_points', { geometry_count: 5, seed: 42 });
    const again = await sample('vector_to_random_points', { geometry_count: 5, seed: 42 });
    expect(first.status).toBe(200);
    expect(first.body).toBe(again.body);
    const rows = csvRows(first.body as unknown as string);
    const square = gdal.Geometry.fromWKT('POLYGON ((500000 5300000,501000 5300000,501000 5299000,500000 5299000,500000 5300000))');
    const points = pointsOf(rows[0][rows[0].length - 1]);
    expect(points).toHaveLength(5);
    for (const p of points) expect(square.contains(p)).toBe(true);
    const onLine = pointsOf(rows[1][rows[1].length - 1]);
    expect(onLine).toHaveLength(5);
    for (const p of onLine) {
      expect(p.y).toBeCloseTo(5290000, 6);
      expect(p.x).toBeGreaterThanOrEqual(500000);
      expect(p.x).toBeLessThanOrEqual(500350);
    }
    // A single point can be drawn only once.
    expect(rows[2][rows[2].length - 1]).toMatch(/^MULTIPOINT \(\(?502000 5295000\)?\)$/);
    const refused = await sample('vector_to_random_points', { total_count: 2 });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body as unknown as string).code).toBe('CountMismatch');
  });
});
