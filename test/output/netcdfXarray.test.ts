/**
 * NetCDF results as users see them: POST /result on the real server, the file opened with the
 * system Python's xarray (Debian's python3-xarray and python3-netcdf4).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { tempDir, writeTimeSeries } from '../raster/fixtures';

let s: TestServer;
let auth: string;

beforeAll(async () => {
  const seriesDir = path.join(tempDir('netcdf-xarray-'), 's2');
  await writeTimeSeries(seriesDir, 40, 30);
  s = await startTestServer({
    collections: { sources: [{ type: 'folder', path: seriesDir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], rescanSeconds: 0 },
    processing: { tileSize: 32, gdalCacheMb: 64 },
  });
  auth = await s.login();
});

afterAll(() => s.close());

type Node = { process_id: string; arguments: Record<string, unknown> };

/** A graph that loads S2 (optionally some bands), applies `steps` in turn and saves the last as netCDF. */
function graph(steps: Record<string, Node>, bands?: string[]): Record<string, unknown> {
  const nodes: Record<string, unknown> = {
    load: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null, ...(bands ? { bands } : {}) } },
  };
  let last = 'load';
  for (const [id, node] of Object.entries(steps)) {
    nodes[id] = { ...node, arguments: { data: { from_node: last }, ...node.arguments } };
    last = id;
  }
  nodes.save = { process_id: 'save_result', arguments: { data: { from_node: last }, format: 'netCDF' }, result: true };
  return { process: { process_graph: nodes } };
}

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

async function resultFile(body: Record<string, unknown>): Promise<string> {
  const res = await request(s.app).post('/result').set('Authorization', auth).send(body).buffer(true).parse(binary);
  if (res.status !== 200) throw new Error(`POST /result: ${res.status} ${(res.body as Buffer).toString()}`);
  const file = path.join(tempDir('netcdf-xarray-out-'), 'result.nc');
  fs.writeFileSync(file, res.body as Buffer);
  return file;
}

/** What xarray.open_dataset shows of the file: data variables, coordinates and time values. */
interface XarrayView {
  data_vars: string[];
  coords: string[];
  time: string[] | null;
  time_dtype: string | null;
  t_label: string[] | null;
  dataarray: { name: string | null; dims: string[] } | { error: string };
  grid_mapping: string | null;
}

const DESCRIBE = `
import json, sys, numpy, xarray
ds = xarray.open_dataset(sys.argv[1])
out = {"data_vars": list(ds.data_vars), "coords": list(ds.coords), "time": None, "time_dtype": None, "t_label": None}
if "t" in ds.coords:
    out["time_dtype"] = str(ds["t"].dtype)
    out["time"] = [str(v) for v in ds["t"].values]
if "t_label" in ds.coords:
    out["t_label"] = [str(v) for v in ds["t_label"].values]
first = next(iter(ds.data_vars.values()), None)
out["grid_mapping"] = None if first is None else (first.attrs.get("grid_mapping") or first.encoding.get("grid_mapping"))
try:
    da = xarray.open_dataarray(sys.argv[1])
    out["dataarray"] = {"name": da.name, "dims": list(da.dims)}
except ValueError as e:
    out["dataarray"] = {"error": str(e)}
print(json.dumps(out))
`;

function describe(file: string): XarrayView {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', DESCRIBE, file], { encoding: 'utf8' })) as XarrayView;
}

const mean = { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } };

test('data variables keep the band order of the cube, not the alphabetical one', async () => {
  const requested = describe(await resultFile(graph({}, ['B08', 'B04'])));
  expect(requested.data_vars).toEqual(['B08', 'B04']);
  const renamed = describe(
    await resultFile(graph({ rename: { process_id: 'rename_labels', arguments: { dimension: 'bands', source: ['B04', 'B08'], target: ['red', 'nir'] } } })),
  );
  expect(renamed.data_vars).toEqual(['red', 'nir']);
});

test('monthly and weekly period labels become the start of their period, with the label kept beside it', async () => {
  const monthly = describe(await resultFile(graph({ agg: { process_id: 'aggregate_temporal_period', arguments: { period: 'month', reducer: mean } } })));
  expect(monthly.time_dtype).toBe('datetime64[ns]');
  expect(monthly.time).toEqual(['2023-01-01T00:00:00.000000000', '2023-02-01T00:00:00.000000000', '2023-03-01T00:00:00.000000000']);
  expect(monthly.t_label).toEqual(['2023-01', '2023-02', '2023-03']);
  expect(monthly.data_vars).toEqual(['B04', 'B08']);

  // Weeks are labelled like months ("2023-06" is ISO week 6): only the aggregation knows where they start.
  const weekly = describe(await resultFile(graph({ agg: { process_id: 'aggregate_temporal_period', arguments: { period: 'week', reducer: mean } } })));
  expect(weekly.t_label).toHaveLength(11);
  expect(weekly.t_label![5]).toBe('2023-06');
  expect(weekly.time![0]).toBe('2023-01-02T00:00:00.000000000');
  expect(weekly.time![5]).toBe('2023-02-06T00:00:00.000000000');

  const seasonal = describe(await resultFile(graph({ agg: { process_id: 'aggregate_temporal_period', arguments: { period: 'season', reducer: mean } } })));
  expect(seasonal.t_label).toEqual(['2022-djf', '2023-mam']);
  expect(seasonal.time).toEqual(['2022-12-01T00:00:00.000000000', '2023-03-01T00:00:00.000000000']);

  const intervals = [['2023-01-01', '2023-02-01'], ['2023-02-01', '2023-04-01']];
  const custom = describe(
    await resultFile(graph({ agg: { process_id: 'aggregate_temporal', arguments: { intervals, labels: ['january', 'late winter'], reducer: mean } } })),
  );
  expect(custom.time).toEqual(['2023-01-01T00:00:00.000000000', '2023-02-01T00:00:00.000000000']);
  expect(custom.t_label).toEqual(['january', 'late winter']);
});

test('renamed time labels keep the instant they stood for; labels without any instant stay strings', async () => {
  const renamed = describe(
    await resultFile(
      graph({
        rename: { process_id: 'rename_labels', arguments: { dimension: 't', source: ['2023-01-05T00:00:00Z', '2023-02-10T00:00:00Z'], target: ['first', 'second'] } },
      }),
    ),
  );
  expect(renamed.time).toEqual(['2023-01-05T00:00:00.000000000', '2023-02-10T00:00:00.000000000', '2023-03-15T00:00:00.000000000']);
  expect(renamed.t_label).toEqual(['first', 'second', '2023-03-15T00:00:00Z']);

  const named = describe(
    await resultFile(
      graph({
        reduce: { process_id: 'reduce_dimension', arguments: { dimension: 't', reducer: mean } },
        add: { process_id: 'add_dimension', arguments: { name: 't', label: 'winter', type: 'temporal' } },
      }),
    ),
  );
  expect(named.time).toEqual(['winter']);
  expect(named.t_label).toBeNull();
});

test('a result without bands opens with xarray.open_dataarray: the CRS is a grid mapping, not data', async () => {
  const ndvi = describe(await resultFile(graph({ ndvi: { process_id: 'ndvi', arguments: {} } })));
  expect(ndvi.data_vars).toEqual(['data']);
  expect(ndvi.grid_mapping).toBeTruthy();
  expect(ndvi.coords).toContain(ndvi.grid_mapping);
  expect(ndvi.dataarray).toEqual({ name: 'data', dims: ['t', 'y', 'x'] });

  const composite = describe(
    await resultFile(graph({ ndvi: { process_id: 'ndvi', arguments: {} }, reduce: { process_id: 'reduce_dimension', arguments: { dimension: 't', reducer: mean } } })),
  );
  expect(composite.dataarray).toEqual({ name: 'data', dims: ['y', 'x'] });
});

test('a cube with time and two further dimensions is refused, naming them and what to do', async () => {
  const body = graph({ add: { process_id: 'add_dimension', arguments: { name: 'scenario', label: 'a', type: 'other' } } });
  const res = await request(s.app).post('/result').set('Authorization', auth).send(body);
  expect(res.status).toBe(400);
  expect(res.body.code).toBe('FormatUnsuitable');
  expect(res.body.message).toMatch(/'scenario'/);
  expect(res.body.message).toMatch(/'bands'/);
  expect(res.body.message).toMatch(/reduce_dimension|drop_dimension/);
});
