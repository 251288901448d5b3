import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, TestServer } from '../../helpers/testServer';
import { gdalBuffer } from '../../../src/gdal/typedArrays';
import { DATES, gdalRead, tempDir, writeTimeSeries } from '../../raster/fixtures';

const W = 120, H = 90;
let seriesDir: string;

beforeAll(async () => {
  seriesDir = path.join(tempDir('raster-e2e-'), 's2');
  await writeTimeSeries(seriesDir, W, H);
});

async function server(limits: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({
    collections: { sources: [{ type: 'folder', path: seriesDir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], rescanSeconds: 0 },
    processing: { tileSize: 32, gdalCacheMb: 64 },
    limits,
  });
}

/** Collects a binary response body. */
function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const maxNdvi = {
  process: {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null } },
      ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' } } },
      max: {
        process_id: 'reduce_dimension',
        arguments: {
          data: { from_node: 'ndvi' },
          dimension: 't',
          reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } },
        },
      },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'max' }, format: 'GTiff' }, result: true },
    },
  },
};

test('POST /result computes a maximum NDVI composite as a Cloud-Optimized GeoTIFF', async () => {
  const s = await server();
  try {
    const auth = await s.login();
    const res = await request(s.app).post('/result').set('Authorization', auth).send(maxNdvi).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/tiff; application=geotiff; profile=cloud-optimized');
    const file = path.join(tempDir('raster-e2e-out-'), 'result.tif');
    fs.writeFileSync(file, res.body as Buffer);
    const ds = await gdal.openAsync(file);
    expect(ds.geoTransform).toEqual([500000, 10, 0, 5300000, 0, -10]);
    expect(ds.srs!.getAuthorityCode(null)).toBe('32632');
    const values = await ds.bands.get(1).pixels.readAsync(0, 0, W, H, gdalBuffer(new Float32Array(W * H)));
    ds.close();
    const planes = await Promise.all(
      DATES.map(async (d) => {
        const red = await gdalRead(path.join(seriesDir, `S2_${d.replace(/-/g, '')}_B04.tif`), 0, 0, W, H);
        const nir = await gdalRead(path.join(seriesDir, `S2_${d.replace(/-/g, '')}_B08.tif`), 0, 0, W, H);
        return nir.map((v, i) => (v - red[i]) / (v + red[i]));
      }),
    );
    let differences = 0;
    for (let i = 0; i < W * H; i++) {
      const valid = planes.map((p) => p[i]).filter((v) => !Number.isNaN(v));
      const expected = valid.length ? Math.fround(Math.max(...valid)) : NaN;
      if (!(Number.isNaN(expected) ? Number.isNaN(values[i]) : values[i] === expected)) differences++;
    }
    expect(differences).toBe(0);
  } finally {
    s.close();
  }
});

test('POST /result refuses results above the synchronous pixel limit', async () => {
  const s = await server({ syncMaxPixels: 5000 });
  try {
    const auth = await s.login();
    const res = await request(s.app).post('/result').set('Authorization', auth).send(maxNdvi);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphComplexity');
  } finally {
    s.close();
  }
});

test('GET /file_formats lists the raster writers and readable formats', async () => {
  const s = await server();
  try {
    const res = await request(s.app).get('/file_formats');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.output)).toEqual(expect.arrayContaining(['GTiff', 'netCDF', 'PNG', 'JPEG', 'JSON']));
    expect(res.body.output.GTiff.gis_data_types).toEqual(['raster']);
    expect(Object.keys(res.body.input)).toEqual(expect.arrayContaining(['GTiff', 'netCDF']));
  } finally {
    s.close();
  }
});
