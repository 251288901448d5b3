import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { ensureDemoData, DEMO_S2_ID } from '../../src/catalog/demo/generate';
import { createProcessRegistry } from '../../src/processes';

/**
 * Python UDFs through POST /result on the demo collection: the documented UDF forms give the
 * same numbers as the built-in processes, messages and errors reach the user.
 */
let server: TestServer;
let auth: string;

beforeAll(async () => {
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections, udf: { timeoutSeconds: 20 } });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  auth = await server.login();
}, 120_000);
afterAll(() => server?.close());

/** 6 × 4 pixels of the Sentinel-2 demo scenes. */
const EXTENT = { west: 471000, south: 5265000, east: 471060, north: 5265040, crs: 32632 };
const load = (bands: string[], dates: [string, string] = ['2023-01-01', '2023-05-01']) => ({
  process_id: 'load_collection',
  arguments: { id: DEMO_S2_ID, spatial_extent: EXTENT, temporal_extent: dates, bands },
});
/** A child process that is just run_udf on the child's data (`x` in apply, `data` elsewhere). */
const udfCall = (udf: string, extra: Record<string, unknown> = {}, data = 'data') => ({
  process_graph: { u: { process_id: 'run_udf', arguments: { data: { from_parameter: data }, udf, runtime: 'Python', ...extra }, result: true } },
});

async function run(nodes: Record<string, unknown>) {
  const last = Object.keys(nodes).at(-1)!;
  const process_graph = { ...nodes, save: { process_id: 'save_result', arguments: { data: { from_node: last }, format: 'JSON' }, result: true } };
  return request(server.app).post('/result').set('Authorization', auth).send({ process: { process_graph } });
}

async function ok(nodes: Record<string, unknown>) {
  const res = await run(nodes);
  if (res.status !== 200) throw new Error(`POST /result answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

const DOUBLE = `
import xarray
from openeo.udf import XarrayDataCube

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    return cube * context["factor"]
`;

test('apply_dimension over t with apply_datacube doubling the values equals the same without UDF', async () => {
  const withUdf = await ok({
    l: load(['B04', 'B08']),
    a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: udfCall(DOUBLE, { context: { from_parameter: 'context' } }), context: { factor: 2 } } },
  });
  const plain = await ok({
    l: load(['B04', 'B08']),
    a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } } },
  });
  expect(withUdf.body).toEqual(plain.body);
  expect(withUdf.body.data.flat(3).filter((v: unknown) => typeof v === 'number' && v > 0).length).toBeGreaterThan(100);
}, 60_000);

const DOUBLE_PLAIN = 'import xarray\ndef apply_datacube(cube: xarray.DataArray, context):\n    return cube * 2\n';

const NDVI = `
import xarray

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    red = cube.sel(bands="B04")
    nir = cube.sel(bands="B08")
    return (nir - red) / (nir + red)
`;

test('reduce_dimension over bands with a UDF computing NDVI equals the ndvi process', async () => {
  const withUdf = await ok({ l: load(['B04', 'B08']), r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'l' }, dimension: 'bands', reducer: udfCall(NDVI) } } });
  const plain = await ok({ l: load(['B04', 'B08']), n: { process_id: 'ndvi', arguments: { data: { from_node: 'l' }, nir: 'B08', red: 'B04' } } });
  expect(withUdf.body).toEqual(plain.body);
}, 60_000);

test('apply_timeseries runs per pixel time series (a cumulative sum equals apply_dimension with cumsum)', async () => {
  const udf = `
import pandas

def apply_timeseries(series: pandas.Series, context: dict) -> pandas.Series:
    assert isinstance(series.index, pandas.DatetimeIndex)
    return series.cumsum()
`;
  const withUdf = await ok({ l: load(['B04']), a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: udfCall(udf) } } });
  const plain = await ok({
    l: load(['B04']),
    a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: { process_graph: { c: { process_id: 'cumsum', arguments: { data: { from_parameter: 'data' } }, result: true } } } } },
  });
  expect(withUdf.body).toEqual(plain.body);
}, 60_000);

test('the older form on XarrayDataCube and a generic UdfData function run unchanged', async () => {
  const older = `
from openeo.udf import XarrayDataCube

def apply_datacube(cube: XarrayDataCube, context: dict) -> XarrayDataCube:
    array = cube.get_array()
    return XarrayDataCube(array * 2)
`;
  const generic = `
from openeo.udf import UdfData, XarrayDataCube

def double_all(udf_data: UdfData):
    cubes = udf_data.get_datacube_list()
    udf_data.set_datacube_list([XarrayDataCube(c.array * 2) for c in cubes])
`;
  const twice = (code: string) => ok({ l: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: udfCall(code, {}, 'x') } } });
  const plain = await ok({
    l: load(['B04']),
    a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } } },
  });
  expect((await twice(older)).body).toEqual(plain.body);
  expect((await twice(generic)).body).toEqual(plain.body);
}, 60_000);

test('inspect messages and prints reach the run log at their level', async () => {
  const udf = `
from openeo.udf import inspect
import xarray

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    inspect(data=list(cube.dims), message="dims seen by the UDF", level="warning")
    print("hello from print")
    return cube
`;
  const res = await ok({ l: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: udfCall(udf, {}, 'x') } } });
  const monitor = /<[^>]*(\/result\/logs\/[^>]+)>/.exec(String(res.headers.link))![1];
  const logs = await request(server.app).get(monitor).set('Authorization', auth);
  expect(logs.status).toBe(200);
  const entries = logs.body.logs as Array<{ level: string; message: string; data?: unknown }>;
  const inspected = entries.find((e) => e.message === 'dims seen by the UDF');
  expect(inspected).toMatchObject({ level: 'warning', data: ['t', 'bands', 'y', 'x'] });
  expect(entries.some((e) => e.message.includes('hello from print'))).toBe(true);
}, 60_000);

test('a Python exception gives an openEO error with the traceback and its line number', async () => {
  const udf = ['import xarray', '', 'def apply_datacube(cube: xarray.DataArray, context):', '    values = cube * 2', '    raise ValueError("no good: " + str(cube.dims))', ''].join('\n');
  const res = await run({ l: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: udfCall(udf, {}, 'x') } } });
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('UdfError');
  expect(res.body.message).toContain('line 5, in apply_datacube');
  expect(res.body.message).toContain('ValueError: no good');
}, 60_000);

test('a result of the wrong shape is refused naming the dimensions', async () => {
  const udf = 'import xarray\ndef apply_datacube(cube: xarray.DataArray, context):\n    return cube.isel(t=0)\n';
  const res = await run({ l: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: udfCall(udf, {}, 'x') } } });
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/apply needs the dimensions .*t \[/);
}, 60_000);

test('GET /udf_runtimes lists Python and its libraries with the installed versions', async () => {
  const res = await request(server.app).get('/udf_runtimes');
  expect(res.status).toBe(200);
  const python = res.body.Python;
  expect(python.type).toBe('language');
  const version = python.default as string;
  expect(version).toMatch(/^3\.\d+\.\d+$/);
  const libraries = python.versions[version].libraries;
  expect(Object.keys(libraries).sort()).toEqual(['numpy', 'pandas', 'scipy', 'xarray']);
  for (const lib of Object.values(libraries) as Array<{ version: string }>) expect(lib.version).toMatch(/^\d+\.\d+/);
  const processes = await request(server.app).get('/processes?limit=1000');
  expect((processes.body.processes as Array<{ id: string }>).some((p) => p.id === 'run_udf')).toBe(true);
});

test('an unknown runtime, an unknown version and a PEP 723 dependency block are refused naming what is on offer', async () => {
  const apply = (extra: Record<string, unknown>, udf = DOUBLE) =>
    run({ l: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: udfCall(udf, { context: { from_parameter: 'context' }, ...extra }, 'x'), context: { factor: 2 } } } });
  const version = await apply({ version: '2.7' });
  expect(version.status).toBe(400);
  expect(version.body.code).toBe('InvalidVersion');
  expect(version.body.message).toMatch(/Python 3\.\d+\.\d+ with numpy/);
  const runtime = await apply({ runtime: 'R' });
  expect(runtime.body.code).toBe('InvalidRuntime');
  const pep723 = await apply({}, `# /// script\n# dependencies = ["rasterio"]\n# ///\n${DOUBLE}`);
  expect(pep723.status).toBe(400);
  expect(pep723.body.message).toMatch(/cannot be installed here.*xarray/);
}, 60_000);

test('apply_neighborhood hands the UDF size + 2 × overlap and keeps the centre, all chunks in one interpreter', async () => {
  const udf = `
import xarray
from openeo.udf import inspect

calls = []

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    calls.append(1)
    inspect(data=[len(calls), cube.sizes["x"], cube.sizes["y"]], message="chunk")
    return cube * 2
`;
  const area = { west: 471000, south: 5265000, east: 471160, north: 5265160, crs: 32632 };
  const loadArea = { ...load(['B04']), arguments: { ...load(['B04']).arguments, spatial_extent: area } };
  const px = (value: number) => [{ dimension: 'x', value, unit: 'px' }, { dimension: 'y', value, unit: 'px' }];
  const res = await ok({
    l: loadArea,
    n: { process_id: 'apply_neighborhood', arguments: { data: { from_node: 'l' }, size: px(8), overlap: px(2), process: udfCall(DOUBLE_PLAIN) } },
  });
  const plain = await ok({
    l: loadArea,
    a: { process_id: 'apply', arguments: { data: { from_node: 'l' }, process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } } },
  });
  expect(res.body).toEqual(plain.body);
  const counted = await ok({
    l: loadArea,
    n: { process_id: 'apply_neighborhood', arguments: { data: { from_node: 'l' }, size: px(8), overlap: px(2), process: udfCall(udf) } },
  });
  const monitor = /<[^>]*(\/result\/logs\/[^>]+)>/.exec(String(counted.headers.link))![1];
  const logs = (await request(server.app).get(monitor).set('Authorization', auth)).body.logs as Array<{ message: string; data: number[] }>;
  const chunks = logs.filter((e) => e.message === 'chunk').map((e) => e.data);
  // 16 × 16 pixels in chunks of 8: four chunks of 12 × 12 (with overlap), each after a one-pixel probe.
  expect(chunks.filter(([, x, y]) => x === 12 && y === 12)).toHaveLength(4);
  expect(Math.max(...chunks.map(([n]) => n))).toBe(chunks.length);
}, 60_000);

test('run_udf is not offered when udf.enabled is false', () => {
  expect(createProcessRegistry({ udf: { ...DEFAULT_CONFIG.udf, enabled: false } }).get('run_udf')).toBeUndefined();
  expect(createProcessRegistry({ udf: DEFAULT_CONFIG.udf }).get('run_udf')).toBeDefined();
});

test('apply_dimension over bands takes the labels the UDF gives (a module with apply_metadata loads too)', async () => {
  const udf = `
import xarray
from openeo.metadata import CollectionMetadata

def apply_metadata(metadata: CollectionMetadata, context: dict) -> CollectionMetadata:
    return metadata.rename_labels("bands", ["ndvi"])

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    red = cube.sel(bands="B04")
    nir = cube.sel(bands="B08")
    return ((nir - red) / (nir + red)).expand_dims(bands=["ndvi"], axis=1)
`;
  const withUdf = await ok({ l: load(['B04', 'B08']), a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 'bands', process: udfCall(udf) } } });
  expect(withUdf.body.dimensions.bands.values).toEqual(['ndvi']);
  const plain = await ok({ l: load(['B04', 'B08']), n: { process_id: 'ndvi', arguments: { data: { from_node: 'l' }, nir: 'B08', red: 'B04' } } });
  expect(withUdf.body.data.map((date: unknown[]) => date[0])).toEqual(plain.body.data);
}, 60_000);

test('apply_dimension over t into a target dimension: per-pixel statistics from a UDF equal the same without UDF', async () => {
  const udf = `
import xarray

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    stats = [cube.mean(dim="t"), cube.min(dim="t"), cube.max(dim="t")]
    return xarray.concat(stats, dim="t").transpose("t", ...)
`;
  const statistics = {
    process_graph: {
      mean: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } } },
      min: { process_id: 'min', arguments: { data: { from_parameter: 'data' } } },
      max: { process_id: 'max', arguments: { data: { from_parameter: 'data' } } },
      all: { process_id: 'array_create', arguments: { data: [{ from_node: 'mean' }, { from_node: 'min' }, { from_node: 'max' }] }, result: true },
    },
  };
  const both = async (bands: string[], target: string) => {
    const apply = (process: unknown) => ({ process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', target_dimension: target, process } });
    const withUdf = await ok({ l: load(bands), a: apply(udfCall(udf)) });
    const plain = await ok({ l: load(bands), a: apply(statistics) });
    return { withUdf: withUdf.body, plain: plain.body };
  };
  // A new dimension replaces t, labelled 0, 1, 2 like the unlabelled array of the child process.
  const fresh = await both(['B04', 'B08'], 'stats');
  expect(fresh.withUdf).toEqual(fresh.plain);
  expect(Object.keys(fresh.withUdf.dimensions)).not.toContain('t');
  expect(fresh.withUdf.dimensions.stats.values).toEqual([0, 1, 2]);
  expect(fresh.withUdf.data.flat(3).filter((v: unknown) => typeof v === 'number' && v > 0).length).toBeGreaterThan(50);
  // An existing dimension with a single label takes the results, and t is dropped.
  const existing = await both(['B04'], 'bands');
  expect(existing.withUdf).toEqual(existing.plain);
  expect(Object.keys(existing.withUdf.dimensions)).not.toContain('t');
  expect(existing.withUdf.dimensions.bands.values).toEqual([0, 1, 2]);
}, 60_000);

test('run_udf on the vector cube of aggregate_spatial gets geometry × t × bands and keeps the geometries (JSON and GeoJSON)', async () => {
  const box = (w: number, s: number, e: number, n: number) => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
  const polygons = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', id: 'west', properties: { name: 'west' }, geometry: box(8.621, 47.541, 8.624, 47.544) },
      { type: 'Feature', id: 'east', properties: { name: 'east' }, geometry: box(8.626, 47.542, 8.629, 47.546) },
    ],
  };
  const area = { west: 8.62, south: 47.54, east: 8.63, north: 47.55 };
  const nodes = (last: Record<string, unknown>) => ({
    l: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: area, temporal_extent: ['2023-01-01', '2023-05-01'], bands: ['B04', 'B08'] } },
    agg: {
      process_id: 'aggregate_spatial',
      arguments: { data: { from_node: 'l' }, geometries: polygons, reducer: { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
    },
    last,
  });
  const shaped = `
import xarray
from openeo.udf import inspect

def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    inspect(data=[list(cube.dims), cube.coords["geometry"].values.tolist()], message="vector cube")
    return cube * 2
`;
  const generic = `
from openeo.udf import UdfData, XarrayDataCube

def double_all(udf_data: UdfData):
    udf_data.set_datacube_list([XarrayDataCube(c.get_array() * 2) for c in udf_data.get_datacube_list()])
`;
  const udfNode = (udf: string) => ({ process_id: 'run_udf', arguments: { data: { from_node: 'agg' }, udf, runtime: 'Python' } });
  const doubled = {
    process_id: 'apply',
    arguments: { data: { from_node: 'agg' }, process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } },
  };
  const plain = await ok(nodes(doubled));
  expect(plain.body.data.flat(3).filter((v: unknown) => typeof v === 'number' && v > 0).length).toBeGreaterThan(4);
  const withUdf = await ok(nodes(udfNode(shaped)));
  expect(withUdf.body).toEqual(plain.body);
  expect((await ok(nodes(udfNode(generic)))).body).toEqual(plain.body);
  const monitor = /<[^>]*(\/result\/logs\/[^>]+)>/.exec(String(withUdf.headers.link))![1];
  const logs = (await request(server.app).get(monitor).set('Authorization', auth)).body.logs as Array<{ message: string; data: unknown }>;
  expect(logs.find((e) => e.message === 'vector cube')?.data).toEqual([['geometry', 't', 'bands'], [0, 1]]);
  // GeoJSON: the same features with the doubled values as properties.
  const geojson = async (last: Record<string, unknown>) => {
    const process_graph = { ...nodes(last), save: { process_id: 'save_result', arguments: { data: { from_node: 'last' }, format: 'GeoJSON' }, result: true } };
    const res = await request(server.app).post('/result').set('Authorization', auth).send({ process: { process_graph } }).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.body as string);
  };
  const fc = await geojson(udfNode(shaped));
  expect(fc.features.map((f: { id: string }) => f.id)).toEqual(['west', 'east']);
  expect(fc).toEqual(await geojson(doubled));
}, 60_000);

test('run_udf on a vector cube must keep its geometry dimension', async () => {
  const udf = 'import xarray\ndef apply_datacube(cube: xarray.DataArray, context):\n    return cube.mean(dim="geometry")\n';
  const polygon = { type: 'Polygon', coordinates: [[[8.621, 47.541], [8.624, 47.541], [8.624, 47.544], [8.621, 47.541]]] };
  const res = await run({
    l: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: { west: 8.62, south: 47.54, east: 8.63, north: 47.55 }, temporal_extent: ['2023-01-01', '2023-02-01'], bands: ['B04'] } },
    agg: {
      process_id: 'aggregate_spatial',
      arguments: { data: { from_node: 'l' }, geometries: polygon, reducer: { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
    },
    u: { process_id: 'run_udf', arguments: { data: { from_node: 'agg' }, udf, runtime: 'Python' } },
  });
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('UdfError');
  expect(res.body.message).toMatch(/must keep the dimension 'geometry'/);
}, 60_000);
