import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { createProcessRegistry } from '../../src/processes';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import type { ProcessContext } from '../../src/processes/types';
import { MemoryCube } from '../../src/raster/cube/MemoryCube';
import { saveOutput, writeDefaultOutput } from '../../src/output/save';
import { fileFormatsDocument } from '../../src/raster/formats';
import { DATES, Harness, expectedStatistics, gdalRead, harness, tempDir, writeTimeSeries } from '../raster/fixtures';

let h: Harness;
let seriesDir: string;
const registry = createProcessRegistry();
const W = 120, H = 90, PIXELS = W * H;

beforeAll(async () => {
  seriesDir = path.join(tempDir('raster-write-'), 's2');
  await writeTimeSeries(seriesDir, W, H);
  h = await harness([{ path: seriesDir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], 48);
});

afterAll(() => h.cleanup());

function fileOf(date: string, band: string): string {
  return path.join(seriesDir, `S2_${date.replace(/-/g, '')}_${band}.tif`);
}

/** Runs load_collection (whole collection) → save_result(format, options) and returns the context. */
async function saveLoaded(format: string, options: Record<string, unknown> = {}, bands: string[] | null = null): Promise<ProcessContext> {
  const ctx = h.context();
  const graph = {
    load: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null, bands } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format, options }, result: true },
  } as unknown as ProcessGraph;
  expect(await evaluateGraph(graph, {}, registry, ctx)).toBe(true);
  return ctx;
}

function sameValues(actual: ArrayLike<number>, expected: ArrayLike<number>): string[] {
  const differences: string[] = [];
  for (let i = 0; i < expected.length && differences.length < 5; i++) {
    const a = actual[i], e = expected[i];
    if (!(Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) < 1e-9)) differences.push(`[${i}] ${a} instead of ${e}`);
  }
  return differences;
}

describe('GTiff (Cloud-Optimized GeoTIFF)', () => {
  test('keeps grid, CRS, no-data and values, labels bands and stores statistics', async () => {
    const ctx = await saveLoaded('gtiff');
    expect(ctx.outputs).toHaveLength(1);
    const out = ctx.outputs[0];
    expect(out).toMatchObject({ filename: 'result.tif', format: 'GTiff', mediaType: 'image/tiff; application=geotiff; profile=cloud-optimized' });
    const ds = await gdal.openAsync(out.path);
    const reference = await gdal.openAsync(fileOf(DATES[0], 'B04'));
    expect(ds.geoTransform).toEqual(reference.geoTransform);
    expect(ds.srs!.isSame(reference.srs!)).toBe(true);
    expect(ds.rasterSize).toEqual({ x: W, y: H });
    expect(ds.bands.count()).toBe(6);
    expect(ds.getMetadata('IMAGE_STRUCTURE').LAYOUT).toBe('COG');
    let b = 1;
    for (const date of DATES) {
      for (const band of ['B04', 'B08']) {
        const gb = ds.bands.get(b);
        expect(gb.noDataValue).toBeNaN();
        expect(gb.description).toBe(`${date}T00:00:00Z/${band}`);
        const meta = gb.getMetadata();
        expect(meta.t).toBe(`${date}T00:00:00Z`);
        expect(meta.bands).toBe(band);
        const values = await gdalRead(out.path, 0, 0, W, H, b);
        const expected = await gdalRead(fileOf(date, band), 0, 0, W, H);
        expect(sameValues(values, expected)).toEqual([]);
        const stats = expectedStatistics(expected);
        for (const [key, value] of Object.entries(stats)) expect(Number(meta[key])).toBeCloseTo(value, 6);
        b++;
      }
    }
    ds.close();
    reference.close();
    // Scratch files are gone; only the result stays.
    expect(fs.readdirSync(ctx.workDir)).toEqual(['result.tif']);
  });

  test('integer output with a chosen no-data value, overviews and compression', async () => {
    const ctx = h.context();
    const width = 700, height = 600;
    const values = new Float64Array(width * height).map((_, i) => (i % 11 === 0 ? NaN : (i % 1000) + 0.4));
    const cube = new MemoryCube(
      {
        dims: [{ name: 'bands', type: 'bands', labels: ['A'] }],
        grid: { xName: 'x', yName: 'y', crs: 'EPSG:3035', epsg: 3035, transform: [4000000, 20, 0, 3000000, 0, -20], width, height },
      },
      values,
    );
    const saved = await saveOutput(cube, 'GTiff', { datatype: 'uint16', nodata: 65000, compression: 'LZW', tile_size: 256, overviews: true }, ctx);
    const ds = await gdal.openAsync(saved.path);
    const band = ds.bands.get(1);
    expect(band.dataType).toBe('UInt16');
    expect(band.noDataValue).toBe(65000);
    expect(band.overviews.count()).toBeGreaterThan(0);
    expect(ds.getMetadata('IMAGE_STRUCTURE').COMPRESSION).toBe('LZW');
    expect(ds.geoTransform).toEqual([4000000, 20, 0, 3000000, 0, -20]);
    expect(ds.srs!.getAuthorityCode(null)).toBe('3035');
    const read = await band.pixels.readAsync(0, 0, width, height, gdalBuffer(new Float64Array(width * height)));
    const expected = values.map((v) => (Number.isNaN(v) ? 65000 : Math.round(v)));
    expect(sameValues(read, expected)).toEqual([]);
    ds.close();
  });

  test('overviews are the levels and values the COG driver itself would build', async () => {
    const ctx = h.context();
    const width = 700, height = 600;
    const values = new Float64Array(width * height).map((_, i) => (i % 13 === 0 ? NaN : Math.sin(i / 7) * 100 + (i % 640)));
    const grid = { xName: 'x', yName: 'y', crs: 'EPSG:3035', epsg: 3035, transform: [4000000, 20, 0, 3000000, 0, -20] as [number, number, number, number, number, number], width, height };
    const cube = new MemoryCube({ dims: [{ name: 'bands', type: 'bands', labels: ['A'] }], grid }, values);
    const saved = await saveOutput(cube, 'GTiff', { tile_size: 256, overviews: true, overview_resampling: 'average' }, ctx);

    // The reference: the same values through GDAL's COG driver with its own overview logic.
    const plain = path.join(ctx.workDir, 'plain.tif');
    const src = await gdal.openAsync(plain, 'w', 'GTiff', width, height, 1, gdal.GDT_Float32);
    src.geoTransform = grid.transform;
    src.bands.get(1).noDataValue = NaN;
    await src.bands.get(1).pixels.writeAsync(0, 0, width, height, gdalBuffer(Float32Array.from(values)));
    const reference = gdal.drivers.get('COG').createCopy(path.join(ctx.workDir, 'reference.tif'), src, {
      BLOCKSIZE: '256', OVERVIEWS: 'AUTO', OVERVIEW_RESAMPLING: 'AVERAGE', COMPRESS: 'DEFLATE',
    });
    src.close();

    const ds = await gdal.openAsync(saved.path);
    expect(ds.getMetadata('IMAGE_STRUCTURE').LAYOUT).toBe('COG');
    const ours = ds.bands.get(1).overviews;
    const theirs = reference.bands.get(1).overviews;
    expect(ours.count()).toBe(theirs.count());
    expect(ours.count()).toBe(2);
    for (let i = 0; i < ours.count(); i++) {
      const a = ours.get(i), b = theirs.get(i);
      expect([a.size.x, a.size.y]).toEqual([b.size.x, b.size.y]);
      const n = a.size.x * a.size.y;
      const va = await a.pixels.readAsync(0, 0, a.size.x, a.size.y, gdalBuffer(new Float64Array(n)));
      const vb = await b.pixels.readAsync(0, 0, b.size.x, b.size.y, gdalBuffer(new Float64Array(n)));
      expect(sameValues(va, vb)).toEqual([]);
    }
    ds.close();
    reference.close();

    // Without the option the same image gets none.
    const plainCtx = h.context();
    const without = await gdal.openAsync((await saveOutput(cube, 'GTiff', { tile_size: 256 }, plainCtx)).path);
    expect(without.bands.get(1).overviews.count()).toBe(0);
    without.close();
  });

  test('refuses cubes it cannot store', async () => {
    const ctx = h.context();
    const noGrid = new MemoryCube({ dims: [{ name: 'bands', type: 'bands', labels: ['a'] }], grid: null }, new Float64Array([1]));
    await expect(saveOutput(noGrid, 'GTiff', {}, ctx)).rejects.toMatchObject({ code: 'FormatUnsuitable' });
    const empty = new MemoryCube({ dims: [{ name: 't', type: 'temporal', labels: [] }], grid: { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform: [0, 1, 0, 0, 0, -1], width: 2, height: 2 } }, new Float64Array(0));
    await expect(saveOutput(empty, 'GTiff', {}, ctx)).rejects.toMatchObject({ code: 'DataCubeEmpty' });
    await expect(saveOutput(noGrid, 'XYZ', {}, ctx)).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
    await expect(saveOutput(empty, 'GTiff', { colour: 'red' }, ctx)).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
    await expect(saveOutput(empty, 'GTiff', { datatype: 'int128' }, ctx)).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
  });
});

describe('netCDF', () => {
  test('one variable per band over CF time, with the grid, CRS and values of the input', async () => {
    const ctx = await saveLoaded('netcdf');
    const out = ctx.outputs[0];
    expect(out).toMatchObject({ filename: 'result.nc', format: 'netCDF', mediaType: 'application/netcdf' });
    const reference = await gdal.openAsync(fileOf(DATES[0], 'B04'));
    for (const band of ['B04', 'B08']) {
      const ds = await gdal.openAsync(`NETCDF:"${out.path}":${band}`);
      expect(ds.geoTransform).toEqual(reference.geoTransform);
      expect(ds.srs!.isSame(reference.srs!)).toBe(true);
      expect(ds.bands.count()).toBe(3);
      const meta = ds.getMetadata();
      expect(meta['t#units']).toBe('seconds since 1970-01-01 00:00:00');
      expect(meta['t#calendar']).toBe('standard');
      const seconds = DATES.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
      expect(meta.NETCDF_DIM_t_VALUES).toBe(`{${seconds.join(',')}}`);
      for (let t = 0; t < 3; t++) {
        const gb = ds.bands.get(t + 1);
        expect(Number(gb.getMetadata().NETCDF_DIM_t)).toBe(seconds[t]);
        const values = await gb.pixels.readAsync(0, 0, W, H, gdalBuffer(new Float64Array(PIXELS)));
        expect(sameValues(values, await gdalRead(fileOf(DATES[t], band), 0, 0, W, H))).toEqual([]);
      }
      ds.close();
    }
    reference.close();
    expect(fs.readdirSync(ctx.workDir)).toEqual(['result.nc']);
  });
  test('a cube without time gives 2D variables; a cube without bands one variable named data', async () => {
    const ctx = h.context();
    const cube = new MemoryCube(
      {
        dims: [{ name: 'bands', type: 'bands', labels: ['ndvi', 'evi 2'] }],
        grid: { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform: [8, 0.5, 0, 50, 0, -0.25], width: 3, height: 2 },
      },
      new Float64Array([1, 2, 3, 4, 5, NaN, 10, 20, 30, 40, 50, 60]),
    );
    const saved = await saveOutput(cube, 'netCDF', {}, ctx);
    const second = await gdal.openAsync(`NETCDF:"${saved.path}":evi_2`);
    expect(second.geoTransform).toEqual([8, 0.5, 0, 50, 0, -0.25]);
    expect(second.bands.count()).toBe(1);
    expect(Array.from(await second.bands.get(1).pixels.readAsync(0, 0, 3, 2, gdalBuffer(new Float64Array(6))))).toEqual([10, 20, 30, 40, 50, 60]);
    second.close();
    const first = await gdal.openAsync(`NETCDF:"${saved.path}":ndvi`);
    expect(Array.from(await first.bands.get(1).pixels.readAsync(0, 0, 3, 2, gdalBuffer(new Float64Array(6))))).toEqual([1, 2, 3, 4, 5, NaN]);
    first.close();

    const timeOnly = new MemoryCube(
      {
        dims: [{ name: 't', type: 'temporal', labels: ['2021-05-01T12:00:00Z'] }],
        grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [500000, 10, 0, 5300000, 0, -10], width: 2, height: 2 },
      },
      new Float64Array([7, 8, 9, 10]),
    );
    const other = await saveOutput(timeOnly, 'netCDF', { datatype: 'float64' }, ctx);
    expect(other.filename).toBe('result-2.nc');
    const ds = await gdal.openAsync(`NETCDF:"${other.path}":data`);
    // GDAL lists a single time value without braces.
    expect(ds.getMetadata().NETCDF_DIM_t_VALUES).toBe(String(Date.parse('2021-05-01T12:00:00Z') / 1000));
    expect(ds.bands.get(1).dataType).toBe('Float64');
    ds.close();
    const tooMany = new MemoryCube({ dims: [{ name: 'a', type: 'other', labels: [1] }, { name: 'b', type: 'other', labels: [1] }], grid: timeOnly.grid }, new Float64Array(4));
    await expect(saveOutput(tooMany, 'netCDF', {}, ctx)).rejects.toMatchObject({ code: 'FormatUnsuitable' });
  });
});

describe('PNG and JPEG quick looks', () => {
  test('PNG stretches the chosen band from min to max and hides no-data', async () => {
    const ctx = await saveLoaded('PNG', { bands: [`${DATES[1]}T00:00:00Z/B08`], min: 100, max: 900 });
    const ds = await gdal.openAsync(ctx.outputs[0].path);
    expect(ds.driver.description).toBe('PNG');
    expect(ds.bands.count()).toBe(2);
    const gray = await ds.bands.get(1).pixels.readAsync(0, 0, W, H, gdalBuffer(new Uint8Array(PIXELS)));
    const alpha = await ds.bands.get(2).pixels.readAsync(0, 0, W, H, gdalBuffer(new Uint8Array(PIXELS)));
    const source = await gdalRead(fileOf(DATES[1], 'B08'), 0, 0, W, H);
    const expectedGray = source.map((v) => (Number.isNaN(v) ? 0 : Math.min(255, Math.max(0, Math.round(((v - 100) / 800) * 255)))));
    const expectedAlpha = source.map((v) => (Number.isNaN(v) ? 0 : 255));
    expect(sameValues(alpha, expectedAlpha)).toEqual([]);
    expect(sameValues(gray, expectedGray)).toEqual([]);
    ds.close();
  });

  test('JPEG shows three bands as RGB, stretched per band by default', async () => {
    const ctx = await saveLoaded('jpeg', { bands: ['2023-01-05T00:00:00Z/B08', '2023-01-05T00:00:00Z/B04', '2023-03-15T00:00:00Z/B04'] });
    const out = ctx.outputs[0];
    expect(out).toMatchObject({ filename: 'result.jpg', mediaType: 'image/jpeg', format: 'JPEG' });
    const ds = await gdal.openAsync(out.path);
    expect(ds.driver.description).toBe('JPEG');
    expect(ds.bands.count()).toBe(3);
    expect(ds.rasterSize).toEqual({ x: W, y: H });
    const stats = ds.bands.get(1).computeStatistics(false);
    // The stretch spans the full byte range (JPEG is lossy, so allow a little).
    expect(stats.max).toBeGreaterThan(240);
    ds.close();
  });

  test('a band that does not exist is an invalid option', async () => {
    await expect(saveLoaded('PNG', { bands: ['B12'] })).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
  });
});

describe('JSON and the default output', () => {
  test('a small cube becomes labelled nested arrays with null for no-data', async () => {
    const ctx = h.context();
    const cube = new MemoryCube(
      {
        dims: [{ name: 't', type: 'temporal', labels: ['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'] }],
        grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [0, 10, 0, 20, 0, -10], width: 2, height: 1 },
      },
      new Float64Array([1, NaN, 3, 4]),
    );
    const saved = await saveOutput(cube, 'json', {}, ctx);
    const doc = JSON.parse(fs.readFileSync(saved.path, 'utf8'));
    expect(doc).toEqual({
      type: 'datacube',
      order: ['t', 'y', 'x'],
      dimensions: {
        t: { type: 'temporal', values: ['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'] },
        y: { type: 'spatial', axis: 'y', values: [15], reference_system: 32632 },
        x: { type: 'spatial', axis: 'x', values: [5, 15], reference_system: 32632 },
      },
      data: [[[1, null]], [[3, 4]]],
    });
  });

  test('writeDefaultOutput writes raster cubes as GTiff and other values as JSON', async () => {
    const ctx = h.context();
    const cube = new MemoryCube(
      { dims: [], grid: { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform: [8, 0.5, 0, 50, 0, -0.5], width: 3, height: 2 } },
      new Float64Array([1, 2, 3, 4, 5, 6]),
    );
    const first = await writeDefaultOutput(cube, ctx);
    expect(first.format).toBe('GTiff');
    const ds = await gdal.openAsync(first.path);
    expect(ds.geoTransform).toEqual([8, 0.5, 0, 50, 0, -0.5]);
    expect(Array.from(await ds.bands.get(1).pixels.readAsync(0, 0, 3, 2, gdalBuffer(new Float64Array(6))))).toEqual([1, 2, 3, 4, 5, 6]);
    ds.close();
    const second = await writeDefaultOutput({ answer: 42, missing: NaN }, ctx);
    expect(second).toMatchObject({ format: 'JSON', filename: 'result-2.json' });
    expect(JSON.parse(fs.readFileSync(second.path, 'utf8'))).toEqual({ answer: 42, missing: null });
    expect(ctx.outputs).toEqual([first, second]);
  });

  test('GET /file_formats lists every writer with its options', () => {
    const output = fileFormatsDocument().output as Record<string, { gis_data_types: string[]; parameters: Record<string, unknown> }>;
    expect(Object.keys(output)).toEqual(expect.arrayContaining(['GTiff', 'JPEG', 'JSON', 'PNG', 'netCDF']));
    expect(Object.keys(output.GTiff.parameters)).toEqual(expect.arrayContaining(['compression', 'datatype', 'nodata', 'overviews']));
    expect(output.PNG.parameters).toHaveProperty('bands');
  });
});
