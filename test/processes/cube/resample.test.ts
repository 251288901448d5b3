import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { TestServer } from '../../helpers/testServer';
import { gdalBuffer } from '../../../src/gdal/typedArrays';
import { WarpCube } from '../../../src/raster/cube/WarpCube';
import { demoServer, errorResult, jsonResult, load, reducer, s2Extent, saveJson } from './helpers';

/**
 * resample_spatial and resample_cube_spatial through POST /result (tile size 32, so the warp
 * works tile by tile) compared with gdalwarp run on the same pixels (cut from the demo file with
 * gdal_translate).
 */
let server: TestServer;
let auth: string;
let dir: string;
const DATE = '2023-07-08';
const COL0 = 100, ROW0 = 60, W = 150, H = 110;
const EXTENT = s2Extent(COL0, ROW0, W, H);

beforeAll(async () => {
  ({ server, auth } = await demoServer(32));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resample-'));
}, 120_000);
afterAll(() => {
  server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const plane = (band: string) => ({
  load: load([band], EXTENT, [DATE, '2023-07-09']),
  plane: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 'bands', reducer: reducer('first') } },
});

/** gdalwarp on the region of one demo file; returns grid and values (scale/offset applied, no-data NaN). */
function gdalwarp(band: string, args: string[]) {
  const src = path.join(server.dataDir, 'demo', 'sentinel2', `S2_${DATE.replace(/-/g, '')}_${band}.tif`);
  const cut = path.join(dir, `cut-${band}.tif`);
  const out = path.join(dir, `warped-${band}-${args.join('_').replace(/[^\w.-]/g, '')}.tif`);
  execFileSync('gdal_translate', ['-q', '-srcwin', String(COL0), String(ROW0), String(W), String(H), src, cut]);
  execFileSync('gdalwarp', ['-q', '-overwrite', '-ot', 'Float64', ...args, cut, out]);
  const ds = gdal.open(out);
  const b = ds.bands.get(1);
  const srcBand = gdal.open(cut).bands.get(1);
  const scale = srcBand.scale ?? 1, offset = srcBand.offset ?? 0;
  const { x: width, y: height } = ds.rasterSize;
  const values = gdalBuffer(new Float64Array(width * height));
  b.pixels.read(0, 0, width, height, values);
  const nodata = b.noDataValue;
  for (let i = 0; i < values.length; i++) values[i] = values[i] === nodata || Number.isNaN(values[i]) ? NaN : values[i] * scale + offset;
  const result = { width, height, transform: ds.geoTransform!, values };
  ds.close();
  return result;
}

function flat(data: any): number[] {
  return (data[0] as Array<Array<number | null>>).flat().map((v) => (v === null ? NaN : v));
}

for (const method of ['bilinear', 'average', 'cubic', 'near', 'max', 'sum', 'rms', 'mode', 'lanczos', 'q1', 'min', 'med', 'q3', 'cubicspline'] as const) {
  test(`resolution 25 m with ${method} equals gdalwarp -tr 25 25 -r ${method}`, async () => {
    const cube = await jsonResult(server, auth, {
      ...plane('B04'),
      r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'plane' }, resolution: 25, method } },
      save: saveJson('r'),
    });
    const ref = gdalwarp('B04', ['-tr', '25', '25', '-r', method]);
    expect(cube.dimensions.x.values).toHaveLength(ref.width);
    expect(cube.dimensions.y.values).toHaveLength(ref.height);
    expect(cube.dimensions.x.values[0]).toBeCloseTo(ref.transform[0] + 12.5, 6);
    expect(cube.dimensions.y.values[0]).toBeCloseTo(ref.transform[3] - 12.5, 6);
    const got = flat(cube.data);
    let finite = 0;
    for (let i = 0; i < got.length; i++) {
      if (Number.isNaN(ref.values[i])) expect(got[i]).toBeNaN();
      else {
        finite++;
        expect(got[i]).toBeCloseTo(ref.values[i], 6);
      }
    }
    expect(finite).toBeGreaterThan(got.length / 2);
  }, 60_000);
}

test('a new projection (EPSG:4326, nearest) takes gdalwarp\'s grid and values', async () => {
  const cube = await jsonResult(server, auth, {
    ...plane('B08'),
    r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'plane' }, projection: 4326 } },
    save: saveJson('r'),
  });
  const ref = gdalwarp('B08', ['-t_srs', 'EPSG:4326', '-r', 'near']);
  expect(cube.dimensions.x.values).toHaveLength(ref.width);
  expect(cube.dimensions.y.values).toHaveLength(ref.height);
  expect(cube.dimensions.x.values[0]).toBeCloseTo(ref.transform[0] + ref.transform[1] / 2, 9);
  const got = flat(cube.data);
  let same = 0;
  for (let i = 0; i < got.length; i++) if (got[i] === ref.values[i] || (Number.isNaN(got[i]) && Number.isNaN(ref.values[i]))) same++;
  // gdalwarp's approximate transformer works per chunk: a pixel centre on a source pixel edge may go either way.
  expect(same / got.length).toBeGreaterThan(0.995);
}, 60_000);

test('resample_cube_spatial onto the DEM grid equals gdalwarp onto that grid; bad arguments are openEO errors', async () => {
  const dem = await jsonResult(server, auth, {
    dem: { process_id: 'load_collection', arguments: { id: 'DEM_DEMO', spatial_extent: EXTENT, temporal_extent: null } },
    save: saveJson('dem'),
  });
  const cube = await jsonResult(server, auth, {
    ...plane('B08'),
    dem: { process_id: 'load_collection', arguments: { id: 'DEM_DEMO', spatial_extent: EXTENT, temporal_extent: null } },
    r: { process_id: 'resample_cube_spatial', arguments: { data: { from_node: 'plane' }, target: { from_node: 'dem' }, method: 'bilinear' } },
    save: saveJson('r'),
  });
  const xs = dem.dimensions.x.values as number[];
  const ys = dem.dimensions.y.values as number[];
  expect(cube.dimensions.x.values).toEqual(xs);
  expect(cube.dimensions.y.values).toEqual(ys);
  const dx = xs[1] - xs[0], dy = ys[0] - ys[1];
  const te = [xs[0] - dx / 2, ys[ys.length - 1] - dy / 2, xs[xs.length - 1] + dx / 2, ys[0] + dy / 2].map(String);
  const ref = gdalwarp('B08', ['-t_srs', 'EPSG:4326', '-te', ...te, '-ts', String(xs.length), String(ys.length), '-r', 'bilinear']);
  const got = flat(cube.data);
  let close = 0, finite = 0;
  for (let i = 0; i < got.length; i++) {
    if (!Number.isNaN(ref.values[i])) finite++;
    if (Math.abs(got[i] - ref.values[i]) < 1e-6 || (Number.isNaN(got[i]) && Number.isNaN(ref.values[i]))) close++;
  }
  expect(finite).toBeGreaterThan(got.length / 4);
  expect(close / got.length).toBeGreaterThan(0.99);
  expect(await errorResult(server, auth, {
    ...plane('B08'),
    r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'plane' }, projection: 999999 } },
    save: saveJson('r'),
  })).toEqual({ status: 400, code: 'ProcessParameterInvalid' });
}, 60_000);

test('strong downsampling warps target tiles in parts with a bounded source read, same values as gdalwarp', async () => {
  const saved = WarpCube.maxSourcePixels;
  WarpCube.maxSourcePixels = 3000;
  try {
    const cube = await jsonResult(server, auth, {
      ...plane('B04'),
      r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'plane' }, resolution: 70, method: 'average' } },
      save: saveJson('r'),
    });
    const ref = gdalwarp('B04', ['-tr', '70', '70', '-r', 'average']);
    expect(cube.dimensions.x.values).toHaveLength(ref.width);
    const got = flat(cube.data);
    expect(got).toHaveLength(ref.values.length);
    for (let i = 0; i < got.length; i++) {
      if (Number.isNaN(ref.values[i])) expect(got[i]).toBeNaN();
      else expect(got[i]).toBeCloseTo(ref.values[i], 6);
    }
  } finally {
    WarpCube.maxSourcePixels = saved;
  }
}, 60_000);
