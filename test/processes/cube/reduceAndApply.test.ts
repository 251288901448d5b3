import path from 'node:path';
import { createProcessRegistry } from '../../../src/processes';
import { evaluateGraph } from '../../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../../src/processes/graph/types';
import type { ProcessContext } from '../../../src/processes/types';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { readAll } from '../../../src/raster/tiles';
import { DATES, Harness, gdalRead, harness, tempDir, writeTimeSeries } from '../../raster/fixtures';

let h: Harness;
let seriesDir: string;
const registry = createProcessRegistry();
const W = 120, H = 90, PIXELS = W * H;

beforeAll(async () => {
  seriesDir = path.join(tempDir('raster-proc-'), 's2');
  await writeTimeSeries(seriesDir, W, H);
  // Small tiles so every process runs over several tiles.
  h = await harness([{ path: seriesDir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], 40);
});

afterAll(() => h.cleanup());

async function direct(date: string, band: string): Promise<Float64Array> {
  return gdalRead(path.join(seriesDir, `S2_${date.replace(/-/g, '')}_${band}.tif`), 0, 0, W, H);
}

const load = (bands: string[] | null = null) => ({
  process_id: 'load_collection',
  arguments: { id: 'S2', spatial_extent: null, temporal_extent: null, bands },
});

async function run(graph: Record<string, unknown>, ctx: ProcessContext = h.context()): Promise<DataCube> {
  return (await evaluateGraph(graph as unknown as ProcessGraph, {}, registry, ctx)) as DataCube;
}

/** Lists the first differences (NaN equals NaN) so a failure shows where values disagree. */
function expectClose(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const differences: string[] = [];
  for (let i = 0; i < expected.length && differences.length < 5; i++) {
    const a = actual[i], e = expected[i];
    const same = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) < 1e-9;
    if (!same) differences.push(`[${i}] ${a} instead of ${e}`);
  }
  expect(differences).toEqual([]);
}

describe('reduce_dimension', () => {
  test('mean over t equals the per-pixel mean of direct reads, ignoring no-data', async () => {
    const cube = await run({
      load: load(['B08']),
      reduce: {
        process_id: 'reduce_dimension',
        arguments: {
          data: { from_node: 'load' },
          dimension: 't',
          reducer: { process_graph: { mean: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } },
        },
        result: true,
      },
    });
    expect(cube.dims.map((d) => d.name)).toEqual(['bands']);
    expect(cube.order).toEqual(['bands', 'y', 'x']);
    const planes = await Promise.all(DATES.map((d) => direct(d, 'B08')));
    const expected = new Float64Array(PIXELS).map((_, i) => {
      const valid = planes.map((p) => p[i]).filter((v) => !Number.isNaN(v));
      return valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN;
    });
    expectClose(await readAll(cube, h.context()), expected);
  });

  test('over bands the reducer sees the labels (array_element by label)', async () => {
    const cube = await run({
      load: load(),
      reduce: {
        process_id: 'reduce_dimension',
        arguments: {
          data: { from_node: 'load' },
          dimension: 'bands',
          reducer: {
            process_graph: {
              nir: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label: 'B08' } },
              red: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label: 'B04' } },
              diff: { process_id: 'subtract', arguments: { x: { from_node: 'nir' }, y: { from_node: 'red' } }, result: true },
            },
          },
        },
        result: true,
      },
    });
    expect(cube.dims.map((d) => d.name)).toEqual(['t']);
    const values = await readAll(cube, h.context());
    for (const [t, date] of DATES.entries()) {
      const [red, nir] = [await direct(date, 'B04'), await direct(date, 'B08')];
      expectClose(values.subarray(t * PIXELS, (t + 1) * PIXELS), nir.map((v, i) => v - red[i]));
    }
  });

  test('an unknown dimension is DimensionNotAvailable', async () => {
    await expect(
      run({
        load: load(),
        reduce: {
          process_id: 'reduce_dimension',
          arguments: {
            data: { from_node: 'load' },
            dimension: 'time',
            reducer: { process_graph: { max: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } },
          },
          result: true,
        },
      }),
    ).rejects.toMatchObject({ code: 'DimensionNotAvailable' });
  });
});

describe('apply', () => {
  test('computes every value with the child process and the context', async () => {
    const cube = await run({
      load: load(['B04']),
      apply: {
        process_id: 'apply',
        arguments: {
          data: { from_node: 'load' },
          context: 3,
          process: {
            process_graph: {
              m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 } },
              a: { process_id: 'add', arguments: { x: { from_node: 'm' }, y: { from_parameter: 'context' } }, result: true },
            },
          },
        },
        result: true,
      },
    });
    expect(cube.dims.map((d) => [d.name, d.labels.length])).toEqual([['t', 3], ['bands', 1]]);
    const values = await readAll(cube, h.context());
    for (const [t, date] of DATES.entries()) {
      expectClose(values.subarray(t * PIXELS, (t + 1) * PIXELS), (await direct(date, 'B04')).map((v) => v * 2 + 3));
    }
  });
});

describe('child processes returning one value', () => {
  test('apply and reduce_dimension repeat a single result for every pixel', async () => {
    const constant = { process_graph: { c: { process_id: 'add', arguments: { x: 2, y: 3 }, result: true } } };
    const applied = await run({ load: load(['B04']), a: { process_id: 'apply', arguments: { data: { from_node: 'load' }, process: constant }, result: true } });
    expect(Array.from(new Set(await readAll(applied, h.context())))).toEqual([5]);
    const reduced = await run({
      load: load(['B04']),
      r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, dimension: 't', reducer: constant }, result: true },
    });
    const values = await readAll(reduced, h.context());
    expect(values.length).toBe(PIXELS);
    expect(Array.from(new Set(values))).toEqual([5]);
  });
});

describe('ndvi', () => {
  test('finds nir and red by common name and drops the bands dimension', async () => {
    const cube = await run({ load: load(), ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' } }, result: true } });
    expect(cube.dims.map((d) => d.name)).toEqual(['t']);
    expect(cube.order).toEqual(['t', 'y', 'x']);
    const values = await readAll(cube, h.context());
    for (const [t, date] of DATES.entries()) {
      const [red, nir] = [await direct(date, 'B04'), await direct(date, 'B08')];
      expectClose(values.subarray(t * PIXELS, (t + 1) * PIXELS), nir.map((v, i) => (v - red[i]) / (v + red[i])));
    }
  });

  test('adds a target band after the existing ones', async () => {
    const cube = await run({
      load: load(),
      ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, nir: 'B08', red: 'B04', target_band: 'NDVI' }, result: true },
    });
    expect(cube.dims[1].labels).toEqual(['B04', 'B08', 'NDVI']);
    const values = await readAll(cube, h.context());
    const [red, nir] = [await direct(DATES[1], 'B04'), await direct(DATES[1], 'B08')];
    const base = 1 * 3 * PIXELS;
    expectClose(values.subarray(base, base + PIXELS), red);
    expectClose(values.subarray(base + PIXELS, base + 2 * PIXELS), nir);
    expectClose(values.subarray(base + 2 * PIXELS, base + 3 * PIXELS), nir.map((v, i) => (v - red[i]) / (v + red[i])));
  });

  test('reports its exceptions', async () => {
    const ndvi = (args: Record<string, unknown>) =>
      run({ load: load(), ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, ...args }, result: true } });
    await expect(ndvi({ target_band: 'B04' })).rejects.toMatchObject({ code: 'BandExists' });
    await expect(ndvi({ nir: 'swir' })).rejects.toMatchObject({ code: 'NirBandAmbiguous' });
    await expect(ndvi({ red: 'B99' })).rejects.toMatchObject({ code: 'RedBandAmbiguous' });
    const reduced = {
      load: load(),
      reduce: {
        process_id: 'reduce_dimension',
        arguments: {
          data: { from_node: 'load' },
          dimension: 'bands',
          reducer: { process_graph: { max: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } },
        },
      },
      ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'reduce' } }, result: true },
    };
    await expect(run(reduced)).rejects.toMatchObject({ code: 'DimensionAmbiguous' });
  });
});

describe('filters', () => {
  test('filter_bands and filter_temporal read only the selected files', async () => {
    const ctx = h.context();
    const cube = await run(
      {
        load: load(),
        bands: { process_id: 'filter_bands', arguments: { data: { from_node: 'load' }, bands: ['nir'] } },
        time: { process_id: 'filter_temporal', arguments: { data: { from_node: 'bands' }, extent: ['2023-02-01', null] }, result: true },
      },
      ctx,
    );
    expect(cube.dims.map((d) => d.labels)).toEqual([['2023-02-10T00:00:00Z', '2023-03-15T00:00:00Z'], ['B08']]);
    const values = await readAll(cube, ctx);
    expectClose(values.subarray(0, PIXELS), await direct(DATES[1], 'B08'));
    expectClose(values.subarray(PIXELS), await direct(DATES[2], 'B08'));
    // Two files of 120 × 90, not all six.
    expect(ctx.stats.inputPixels).toBe(2 * PIXELS);
  });

  test('filter_bands by wavelength and its exceptions', async () => {
    const cube = await run({
      load: load(),
      bands: { process_id: 'filter_bands', arguments: { data: { from_node: 'load' }, wavelengths: [[0.6, 0.7]] }, result: true },
    });
    expect(cube.dims[1].labels).toEqual(['B04']);
    await expect(
      run({ load: load(), bands: { process_id: 'filter_bands', arguments: { data: { from_node: 'load' } }, result: true } }),
    ).rejects.toMatchObject({ code: 'BandFilterParameterMissing' });
  });

  test('filter_bbox crops by pixel centres and reads only that window', async () => {
    const ctx = h.context();
    const cube = await run(
      {
        load: load(['B04']),
        bbox: {
          process_id: 'filter_bbox',
          arguments: { data: { from_node: 'load' }, extent: { west: 500300, east: 500500, south: 5299600, north: 5299800, crs: 32632 } },
          result: true,
        },
      },
      ctx,
    );
    // Centres 500305 … 500495 → 20 columns from 30; 5299795 … 5299605 → 20 rows from 20.
    expect(cube.grid).toMatchObject({ width: 20, height: 20, transform: [500300, 10, 0, 5299800, 0, -10] });
    const values = await readAll(cube, ctx);
    expectClose(values.subarray(0, 400), await gdalRead(path.join(seriesDir, 'S2_20230105_B04.tif'), 30, 20, 20, 20));
    expect(ctx.stats.inputPixels).toBe(3 * 400);
  });

  test('filter_temporal exceptions', async () => {
    const filter = (extent: unknown, dimension?: string) =>
      run({ load: load(), f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'load' }, extent, dimension }, result: true } });
    await expect(filter(['2023-03-01', '2023-01-01'])).rejects.toMatchObject({ code: 'TemporalExtentEmpty' });
    await expect(filter(['2023-01-01', '2023-03-01'], 'time')).rejects.toMatchObject({ code: 'DimensionNotAvailable' });
  });
});
