import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { readRasterInfo } from '../../src/jobs/rasterInfo';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectedStatistics } from '../raster/fixtures';

const W = 32, H = 16, PIXELS = W * H;

/** Scenes as a sensor would deliver them: one band, values per pixel, optionally a no-data value. */
const SCENES: Record<string, { type: string; nodata?: number; value: (i: number) => number }> = {
  // Every byte value occurs, 255 (saturation) included, and nothing is missing.
  saturated: { type: gdal.GDT_Byte, value: (i) => i % 256 },
  // 0 marks missing pixels; valid pixels reach 255, so 255 cannot be the output's no-data.
  masked: { type: gdal.GDT_UInt16, nodata: 0, value: (i) => (i % 9 === 0 ? 0 : 1 + (i % 255)) },
  // Missing pixels, valid values well inside the byte range.
  maskedlow: { type: gdal.GDT_UInt16, nodata: 0, value: (i) => (i % 7 === 0 ? 0 : 1 + (i % 200)) },
  // Missing pixels, and valid values that fill the byte range from 0 to beyond 255.
  wide: { type: gdal.GDT_UInt16, nodata: 65535, value: (i) => (i % 5 === 1 ? 65535 : i % 400) },
};

function sourceValues(name: string): number[] {
  return Array.from({ length: PIXELS }, (_, i) => SCENES[name].value(i));
}

/** The cube's values: the source with its no-data as NaN. */
function cubeValues(name: string): number[] {
  const nodata = SCENES[name].nodata;
  return sourceValues(name).map((v) => (v === nodata ? NaN : v));
}

async function writeScene(file: string, name: string): Promise<void> {
  const scene = SCENES[name];
  const ds = await gdal.openAsync(file, 'w', 'GTiff', W, H, 1, scene.type);
  ds.srs = gdal.SpatialReference.fromEPSG(32632);
  ds.geoTransform = [500000, 10, 0, 5300000, 0, -10];
  const band = ds.bands.get(1);
  if (scene.nodata !== undefined) band.noDataValue = scene.nodata;
  await band.pixels.writeAsync(0, 0, W, H, gdalBuffer(Float64Array.from(sourceValues(name))));
  ds.close();
}

let server: TestServer;
let alice: string;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gtiff-nodata-'));
  const sources = [];
  for (const name of Object.keys(SCENES)) {
    fs.mkdirSync(path.join(root, name));
    await writeScene(path.join(root, name, `${name}.tif`), name);
    sources.push({ type: 'folder', path: path.join(root, name) });
  }
  server = await startTestServer({ collections: { sources, rescanSeconds: 0 } });
  alice = await server.login();
});

afterAll(() => {
  server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const collectBytes = (r: request.Response, done: (error: Error | null, body: unknown) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => done(null, Buffer.concat(chunks)));
};

function saveGraph(collection: string, options: Record<string, unknown>) {
  return {
    process: {
      process_graph: {
        l: { process_id: 'load_collection', arguments: { id: collection, spatial_extent: null, temporal_extent: null } },
        s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff', options }, result: true },
      },
    },
  };
}

interface Written {
  file: string;
  nodata: number | null;
  dataType: string | null;
  values: number[];
  metadata: Record<string, string>;
  runId: string;
}

/** POST /result, the response stored as a file and read back with GDAL. */
async function save(collection: string, options: Record<string, unknown>): Promise<Written> {
  const res = await request(server.app).post('/result').set('Authorization', alice).send(saveGraph(collection, options)).buffer(true).parse(collectBytes);
  if (res.status !== 200) throw new Error(`POST /result: ${res.status} ${(res.body as Buffer).toString()}`);
  const file = path.join(fs.mkdtempSync(path.join(root, 'out-')), 'result.tif');
  fs.writeFileSync(file, res.body as Buffer);
  const ds = await gdal.openAsync(file);
  try {
    const band = ds.bands.get(1);
    const values = await band.pixels.readAsync(0, 0, W, H, gdalBuffer(new Float64Array(PIXELS)));
    const runId = res.headers['openeo-identifier'];
    return { file, nodata: band.noDataValue, dataType: band.dataType, values: Array.from(values), metadata: band.getMetadata(), runId };
  } finally {
    ds.close();
  }
}

async function refusal(collection: string, options: Record<string, unknown>): Promise<{ status: number; code: string; message: string }> {
  const res = await request(server.app).post('/result').set('Authorization', alice).send(saveGraph(collection, options));
  return { status: res.status, code: res.body.code, message: res.body.message };
}

/** `values`: the band's values with NaN where readers must see no-data. */
function expectStatistics(metadata: Record<string, string>, values: number[]): void {
  for (const [key, value] of Object.entries(expectedStatistics(values))) expect(Number(metadata[key])).toBeCloseTo(value, 6);
}

describe('GTiff no-data', () => {
  test('byte output of a cube without no-data declares none: saturated 255 pixels stay valid, in the statistics and the STAC metadata', async () => {
    const out = await save('saturated', { datatype: 'byte' });
    expect(out.dataType).toBe('Byte');
    expect(out.nodata).toBeNull();
    const expected = sourceValues('saturated');
    expect(out.values).toEqual(expected);
    expect(out.values.filter((v) => v === 255).length).toBeGreaterThan(0);
    expectStatistics(out.metadata, expected);
    expect(Number(out.metadata.STATISTICS_MAXIMUM)).toBe(255);
    const info = await readRasterInfo(out.file);
    expect(info!.bands[0]).not.toHaveProperty('nodata');
    expect(info!.bands[0].statistics!.maximum).toBe(255);
    expect(info!.bands[0].statistics!.mean).toBeCloseTo(expectedStatistics(expected).STATISTICS_MEAN, 6);
  });

  test('float output of a cube without no-data declares none either', async () => {
    const out = await save('saturated', {});
    expect(out.dataType).toBe('Float32');
    expect(out.nodata).toBeNull();
    expect(out.values).toEqual(sourceValues('saturated'));
  });

  test('a cube with masked pixels gets a no-data value its valid pixels do not hold', async () => {
    // Valid pixels reach 255, so the value at the other end of the byte range is taken.
    const masked = await save('masked', { datatype: 'byte' });
    expect(masked.nodata).toBe(0);
    const cube = cubeValues('masked');
    expect(masked.values).toEqual(cube.map((v) => (Number.isNaN(v) ? 0 : v)));
    const valid = cube.filter((v) => !Number.isNaN(v));
    expect(valid).toContain(255);
    expectStatistics(masked.metadata, cube);
    expect((await readRasterInfo(masked.file))!.bands[0].nodata).toBe(0);

    // Valid pixels below 255: 255 marks the missing ones.
    const low = await save('maskedlow', { datatype: 'byte' });
    expect(low.nodata).toBe(255);
    const lowCube = cubeValues('maskedlow');
    expect(low.values).toEqual(lowCube.map((v) => (Number.isNaN(v) ? 255 : v)));
    expectStatistics(low.metadata, lowCube);

    // Floating point types mark them with NaN.
    const float = await save('masked', { datatype: 'float32' });
    expect(float.nodata).toBeNaN();
    expect(float.values.map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual(cube.map((v) => (Number.isNaN(v) ? 'nan' : v)));
  });

  test('missing pixels among valid values that use the whole type range are refused with the way out', async () => {
    const refused = await refusal('wide', { datatype: 'byte' });
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('ProcessParameterInvalid');
    expect(refused.message).toMatch(/no-data pixel\(s\)/);
    expect(refused.message).toMatch(/both 0 and 255/);
    expect(refused.message).toMatch(/wider datatype/);
    expect(refused.message).toMatch(/'nodata'/);
    // The way out works: a wider type keeps the values and marks the missing pixels.
    const wider = await save('wide', { datatype: 'uint16' });
    expect(wider.nodata).toBe(65535);
    expect(wider.values).toEqual(sourceValues('wide'));
  });

  test('an explicit nodata value is declared even without missing pixels, and left out of the statistics', async () => {
    const out = await save('saturated', { datatype: 'byte', nodata: 7 });
    expect(out.nodata).toBe(7);
    expect(out.values).toEqual(sourceValues('saturated'));
    expectStatistics(out.metadata, sourceValues('saturated').map((v) => (v === 7 ? NaN : v)));
    // Valid pixels holding the chosen value are the client's choice, but the run log says so.
    const logs = await request(server.app).get(`/result/logs/${out.runId}`).set('Authorization', alice);
    const held = sourceValues('saturated').filter((v) => v === 7).length;
    expect(logs.body.logs).toEqual(
      expect.arrayContaining([expect.objectContaining({ level: 'warning', message: `${held} valid pixel(s) store the chosen no-data value 7 and will read as no-data` })]),
    );

    const masked = await save('maskedlow', { datatype: 'uint16', nodata: 9999 });
    expect(masked.nodata).toBe(9999);
    expect(masked.values).toEqual(cubeValues('maskedlow').map((v) => (Number.isNaN(v) ? 9999 : v)));
  });

  test('nodata null declares none; integer types then refuse missing pixels, floating point types keep NaN', async () => {
    const plain = await save('saturated', { datatype: 'byte', nodata: null });
    expect(plain.nodata).toBeNull();
    expect(plain.values).toEqual(sourceValues('saturated'));

    const refused = await refusal('masked', { datatype: 'byte', nodata: null });
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('ProcessParameterInvalid');
    expect(refused.message).toMatch(/option 'nodata' is null/);
    expect(refused.message).toMatch(/float32/);

    const float = await save('masked', { datatype: 'float32', nodata: null });
    expect(float.nodata).toBeNull();
    expect(float.values.filter((v) => Number.isNaN(v)).length).toBe(cubeValues('masked').filter((v) => Number.isNaN(v)).length);
    expectStatistics(float.metadata, cubeValues('masked'));
  });

  test('a nodata value the datatype cannot store is an invalid option', async () => {
    for (const options of [{ datatype: 'byte', nodata: 256 }, { datatype: 'int16', nodata: 1.5 }, { datatype: 'uint16', nodata: -1 }, { nodata: 'none' }]) {
      const refused = await refusal('saturated', options);
      expect([refused.status, refused.code]).toEqual([400, 'ProcessParameterInvalid']);
      expect(refused.message).toMatch(/'nodata'/);
    }
  });

  test('GET /file_formats explains the nodata option of GTiff', async () => {
    const res = await request(server.app).get('/file_formats');
    const nodata = res.body.output.GTiff.parameters.nodata;
    expect(nodata.type).toEqual(['number', 'null']);
    expect(nodata).not.toHaveProperty('default');
    expect(nodata.description).toMatch(/null to declare none/);
  });
});
