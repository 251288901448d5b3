/**
 * The cube processes built on compiled callbacks: they return fused cubes with exactly the shape
 * and values of the general path (which runs when the callback is not an executor callback and
 * so cannot be compiled), chains become one kernel over the first non-fused cube, and selecting
 * labels of a fused cube narrows its kernel.
 */
import type { Callback } from '../../../src/processes/types';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { FusedCube } from '../../../src/raster/cube/FusedCube';
import { MemoryCube } from '../../../src/raster/cube/MemoryCube';
import { LabelDimension, SpatialGrid, TileWindow, fullWindow } from '../../../src/raster/cube/model';
import { Random } from '../../helpers/random';
import { N, P, callbackOf, firstDifference, nodes, one } from '../fusedHelpers';
import { registry, runContext } from '../helpers';

const GRID: SpatialGrid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [500000, 10, 0, 5200000, 0, -10], width: 5, height: 3 };

const COMMON_NAMES: Record<string, string> = { B02: 'blue', B04: 'red', B08: 'nir' };

function randomCube(seed: number, dates: string[], bands: string[], grid: SpatialGrid = GRID): MemoryCube {
  const dims: LabelDimension[] = [
    { name: 't', type: 'temporal', labels: dates },
    { name: 'bands', type: 'bands', labels: bands, bands: bands.map((name) => ({ name, commonName: COMMON_NAMES[name] })) },
  ];
  const rng = new Random(seed);
  const values = new Float64Array(dates.length * bands.length * grid.width * grid.height);
  for (let i = 0; i < values.length; i++) values[i] = rng.chance(0.2) ? NaN : rng.chance(0.1) ? rng.pick([0, -0]) : Math.round(rng.next() * 10000) / 7;
  return new MemoryCube({ dims, grid }, values);
}

const DATES = ['2023-01-05', '2023-01-20', '2023-02-03', '2023-03-15', '2023-03-30'];
const BANDS = ['B02', 'B04', 'B08'];

/** The same child graph as a callback the compiler does not accept, so the process keeps its general path. */
function uncompiled(callback: Callback): Callback {
  return { parameterNames: callback.parameterNames, run: (parameters) => callback.run(parameters) };
}

async function execute(id: string, args: Record<string, unknown>): Promise<DataCube> {
  const definition = registry.get(id)!;
  const full: Record<string, unknown> = { ...args };
  for (const p of definition.spec.parameters) if (full[p.name] === undefined && 'default' in p) full[p.name] = p.default;
  return (await definition.execute(full, runContext())) as DataCube;
}

const WINDOWS: TileWindow[] = [fullWindow(GRID), { x: 1, y: 1, width: 3, height: 2 }, { x: 4, y: 0, width: 1, height: 1 }];

async function expectSameCubes(fused: DataCube, general: DataCube): Promise<void> {
  expect(fused).toBeInstanceOf(FusedCube);
  expect(general).not.toBeInstanceOf(FusedCube);
  expect({ dims: fused.dims, grid: fused.grid, order: fused.order }).toEqual({ dims: general.dims, grid: general.grid, order: general.order });
  for (const win of WINDOWS) {
    const ctx = runContext();
    expect(firstDifference([await fused.tile(win, ctx)], [await general.tile(win, ctx)])).toBeUndefined();
  }
}

/** Runs a callback process both ways on the same cube; `callbackParameter` names the callback argument. */
async function bothWays(id: string, args: Record<string, unknown>, callbackParameter: string): Promise<[DataCube, DataCube]> {
  const callback = callbackOf(args[callbackParameter] as never);
  return [
    await execute(id, { ...args, [callbackParameter]: callback }),
    await execute(id, { ...args, [callbackParameter]: uncompiled(callback) }),
  ];
}

describe('fused cube processes equal their general path', () => {
  const cube = randomCube(11, DATES, BANDS);

  test('apply', async () => {
    const graph = nodes({ a: ['multiply', { x: P('x'), y: 0.0001 }], r: ['clip', { x: N('a'), min: 0, max: 0.1 }] });
    await expectSameCubes(...(await bothWays('apply', { data: cube, process: graph }, 'process')));
  });

  test.each(['t', 'bands'])('reduce_dimension over %s', async (dimension) => {
    const graph = nodes({ m: ['median', { data: P('data') }], s: ['sd', { data: P('data') }], r: ['add', { x: N('m'), y: N('s') }] });
    await expectSameCubes(...(await bothWays('reduce_dimension', { data: cube, dimension, reducer: graph }, 'reducer')));
  });

  test('apply_dimension with a new number of values', async () => {
    const graph = nodes({
      a: ['min', { data: P('data') }],
      b: ['max', { data: P('data') }],
      r: ['array_create', { data: [N('a'), N('b')] }],
    });
    const [fused, general] = await bothWays('apply_dimension', { data: cube, dimension: 't', process: graph }, 'process');
    expect(fused.dims[0].labels).toEqual([0, 1]);
    await expectSameCubes(fused, general);
  });

  test('apply_dimension keeping its labels', async () => {
    const graph = one('constant', { x: P('data') });
    await expectSameCubes(...(await bothWays('apply_dimension', { data: cube, dimension: 'bands', process: graph }, 'process')));
  });

  const nd = { nir: ['array_element', { data: P('data'), label: 'B08' }], red: ['array_element', { data: P('data'), label: 'B04' }], nd: ['normalized_difference', { x: N('nir'), y: N('red') }] } as const;

  test('apply_dimension appending a labeled index to the bands', async () => {
    const graph = nodes({ ...nd, r: ['array_append', { data: P('data'), value: N('nd'), label: 'NDVI' }] } as never);
    const [fused, general] = await bothWays('apply_dimension', { data: cube, dimension: 'bands', process: graph }, 'process');
    expect(fused.dims[1].labels).toEqual([...BANDS, 'NDVI']);
    expect(fused.dims[1].bands!.map((b) => b?.commonName)).toEqual(['blue', 'red', 'nir', undefined]);
    await expectSameCubes(fused, general);
  });

  test('apply_dimension joining the bands with a plain array', async () => {
    const graph = nodes({ ...nd, a: ['array_create', { data: [N('nd'), null, 2] }], r: ['array_concat', { array1: P('data'), array2: N('a') }] } as never);
    const [fused, general] = await bothWays('apply_dimension', { data: cube, dimension: 'bands', process: graph }, 'process');
    expect(fused.dims[1].labels).toEqual([0, 1, 2, 3, 4, 5]);
    await expectSameCubes(fused, general);
  });

  test('apply_dimension into an existing dimension of one label', async () => {
    const single = await execute('filter_labels', { data: cube, dimension: 't', condition: callbackOf(one('eq', { x: P('value'), y: DATES[2] })) });
    const graph = nodes({ ...nd, r: ['array_create', { data: [N('nd'), N('red')] }] } as never);
    const [fused, general] = await bothWays('apply_dimension', { data: single, dimension: 'bands', target_dimension: 't', process: graph }, 'process');
    expect(fused.dims).toEqual([{ name: 't', type: 'temporal', labels: [0, 1] }]);
    expect(fused.order).toEqual(['t', 'y', 'x']);
    await expectSameCubes(fused, general);
  });

  test('aggregate_temporal_period and aggregate_temporal, with an empty group', async () => {
    const graph = one('mean', { data: P('data') });
    await expectSameCubes(...(await bothWays('aggregate_temporal_period', { data: cube, period: 'month', reducer: graph }, 'reducer')));
    const intervals = [['2023-01-01', '2023-02-10'], ['2022-01-01', '2022-02-01'], ['2023-01-15', '2023-04-01']];
    await expectSameCubes(...(await bothWays('aggregate_temporal', { data: cube, intervals, reducer: graph }, 'reducer')));
  });
});

describe('chains of fused processes', () => {
  const cube = randomCube(5, DATES, BANDS);

  test('ndvi then the maximum over time is one kernel over the input cube, reading two bands of every date', async () => {
    const ndvi = await execute('ndvi', { data: cube });
    const max = (await execute('reduce_dimension', { data: ndvi, dimension: 't', reducer: callbackOf(one('max', { data: P('data') })) })) as FusedCube;
    expect(max).toBeInstanceOf(FusedCube);
    expect(max.source).toBe(cube);
    expect(max.kernel.inputCells.length).toBe(2 * DATES.length);
    expect(max.kernel.outputCells).toBe(1);
    expect(max.order).toEqual(['y', 'x']);
    const values = await max.tile(fullWindow(GRID), runContext());
    const pixels = GRID.width * GRID.height;
    for (let p = 0; p < pixels; p++) {
      let best = -Infinity;
      let any = false;
      DATES.forEach((_, t) => {
        const red = cube.values[(t * 3 + 1) * pixels + p];
        const nir = cube.values[(t * 3 + 2) * pixels + p];
        const v = (nir - red) / (nir + red);
        if (!Number.isNaN(v)) {
          any = true;
          if (v > best) best = v;
        }
      });
      expect(values[p]).toBe(any ? best : NaN);
    }
  });

  test('filter_bands on a fused cube narrows the kernel to the kept bands', async () => {
    const withNdvi = await execute('ndvi', { data: cube, target_band: 'NDVI' });
    const kept = await execute('filter_bands', { data: withNdvi, bands: ['NDVI', 'B02'] });
    expect(kept).toBeInstanceOf(FusedCube);
    expect(kept.dims[1].labels).toEqual(['NDVI', 'B02']);
    expect((kept as FusedCube).kernel.outputCells).toBe(2 * DATES.length);
    const ctx = runContext();
    const all = await withNdvi.tile(fullWindow(GRID), ctx);
    const narrowed = await kept.tile(fullWindow(GRID), ctx);
    const pixels = GRID.width * GRID.height;
    DATES.forEach((_, t) => {
      [3, 0].forEach((band, k) => {
        const want = all.subarray((t * 4 + band) * pixels, (t * 4 + band + 1) * pixels);
        const got = narrowed.subarray((t * 2 + k) * pixels, (t * 2 + k + 1) * pixels);
        expect(firstDifference([got], [want])).toBeUndefined();
      });
    });
  });

  test('a long series still works: reducing 365 dates fuses, a kernel that would be too large stays on the general path', async () => {
    const dates = Array.from({ length: 365 }, (_, d) => new Date(Date.UTC(2023, 0, 1 + d)).toISOString().slice(0, 10));
    const grid = { ...GRID, width: 2, height: 2 };
    const year = randomCube(9, dates, BANDS, grid);
    const [fused, general] = await bothWays('reduce_dimension', { data: year, dimension: 't', reducer: one('mean', { data: P('data') }) }, 'reducer');
    expect(fused).toBeInstanceOf(FusedCube);
    const ctx = runContext();
    expect(firstDifference([await fused.tile(fullWindow(grid), ctx)], [await general.tile(fullWindow(grid), ctx)])).toBeUndefined();
    // 365 × 3 cells, each with its own multiplication and addition: beyond the kernel size limit.
    const applied = await execute('apply', { data: year, process: callbackOf(nodes({ a: ['multiply', { x: P('x'), y: 2 }], r: ['add', { x: N('a'), y: 1 }] })) });
    expect(applied).not.toBeInstanceOf(FusedCube);
    const values = await applied.tile(fullWindow(grid), ctx);
    for (let i = 0; i < values.length; i++) expect(Object.is(values[i], year.values[i] * 2 + 1)).toBe(true);
  });
});
