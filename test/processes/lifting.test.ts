import { PixelArray } from '../../src/processes/types';
import { LabeledArray } from '../../src/processes/values';
import { registry, runContext } from './helpers';

/** Calls a process implementation directly with its defaults filled in, as the executor does. */
async function call(id: string, args: Record<string, unknown>): Promise<unknown> {
  const def = registry.get(id)!;
  const full: Record<string, unknown> = { ...args };
  for (const p of def.spec.parameters) if (full[p.name] === undefined && 'default' in p) full[p.name] = p.default;
  return def.execute(full, runContext());
}

/** The scalar result as a raster cell: null → NaN, booleans → 1/0. */
function asCell(value: unknown): number {
  if (value === null) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as number;
}

const cell = (v: number) => (Number.isNaN(v) ? null : v);

/** Pixel values with no-data (NaN), zeros, negatives and fractions. */
const X = Float64Array.from([1.5, -2, 0, NaN, 4, 0.25, -0.75, 9, NaN, 3]);
const Y = Float64Array.from([2, 0, -3, 1, NaN, 0.5, -0.75, 3, NaN, 3]);
const BOOL_X = Float64Array.from([1, 0, NaN, 1, 0, NaN, 1, 0, 1]);
const BOOL_Y = Float64Array.from([1, 1, 1, 0, 0, 0, NaN, NaN, NaN]);

function expectSameCells(actual: unknown, expected: number[]) {
  expect(actual).toBeInstanceOf(Float64Array);
  expect(Array.from(actual as Float64Array)).toEqual(expected);
}

describe('element-wise processes on pixel vectors equal the scalar path', () => {
  const unary = ['absolute', 'sgn', 'sqrt', 'ln', 'ceil', 'floor', 'int', 'round', 'sin', 'cos', 'arctan', 'tanh', 'not', 'is_nan', 'is_valid', 'is_nodata'];
  test.each(unary)('%s', async (id) => {
    const param = registry.get(id)!.spec.parameters[0].name;
    const input = ['not'].includes(id) ? BOOL_X : X;
    const expected: number[] = [];
    for (const v of input) {
      const scalarInput = id === 'not' ? (Number.isNaN(v) ? null : v === 1) : cell(v);
      expected.push(asCell(await call(id, { [param]: scalarInput })));
    }
    // Over tiles NaN is no-data, so is_nan reports no-data pixels as NaN too.
    if (id === 'is_nan') expected.forEach((_, i) => (expected[i] = Number.isNaN(input[i]) ? 1 : 0));
    expectSameCells(await call(id, { [param]: input }), expected);
  });

  const binary: Array<[string, string, string]> = [
    ['add', 'x', 'y'], ['subtract', 'x', 'y'], ['multiply', 'x', 'y'], ['divide', 'x', 'y'], ['power', 'base', 'p'],
    ['log', 'x', 'base'], ['arctan2', 'y', 'x'], ['normalized_difference', 'x', 'y'],
    ['eq', 'x', 'y'], ['neq', 'x', 'y'], ['gt', 'x', 'y'], ['gte', 'x', 'y'], ['lt', 'x', 'y'], ['lte', 'x', 'y'],
  ];
  test.each(binary)('%s (vector with vector, vector with scalar)', async (id, a, b) => {
    const expectedBoth: number[] = [];
    const expectedScalar: number[] = [];
    for (let i = 0; i < X.length; i++) {
      const nodata = Number.isNaN(X[i]) || Number.isNaN(Y[i]);
      expectedBoth.push(nodata ? NaN : asCell(await call(id, { [a]: X[i], [b]: Y[i] })));
      expectedScalar.push(Number.isNaN(X[i]) ? NaN : asCell(await call(id, { [a]: X[i], [b]: 3 })));
    }
    expectSameCells(await call(id, { [a]: X, [b]: Y }), expectedBoth);
    expectSameCells(await call(id, { [a]: X, [b]: 3 }), expectedScalar);
  });

  test('comparing pixels with text gives the scalar answer for every valid pixel', async () => {
    for (const [id, answer] of [['eq', 0], ['neq', 1], ['gt', 0], ['lte', 0]] as const) {
      const expected = Array.from(X, (v) => (Number.isNaN(v) ? NaN : answer));
      expect(asCell(await call(id, { x: 1, y: 'a' }))).toBe(answer);
      expectSameCells(await call(id, { x: X, y: 'a' }), expected);
    }
  });

  test.each(['and', 'or', 'xor'])('%s keeps three-valued logic', async (id) => {
    const expected: number[] = [];
    for (let i = 0; i < BOOL_X.length; i++) {
      const bool = (v: number) => (Number.isNaN(v) ? null : v === 1);
      expected.push(asCell(await call(id, { x: bool(BOOL_X[i]), y: bool(BOOL_Y[i]) })));
    }
    expectSameCells(await call(id, { x: BOOL_X, y: BOOL_Y }), expected);
  });

  test('between, clip, linear_scale_range and if', async () => {
    for (const [id, args] of [
      ['between', { min: 0, max: 3 }],
      ['clip', { min: -1, max: 2 }],
      ['linear_scale_range', { inputMin: -2, inputMax: 4, outputMin: 0, outputMax: 255 }],
    ] as const) {
      const expected: number[] = [];
      for (const v of X) expected.push(asCell(await call(id, { x: cell(v), ...args })));
      expectSameCells(await call(id, { x: X, ...args }), expected);
    }
    const chosen = await call('if', { value: BOOL_X, accept: X.subarray(0, 9), reject: -1 });
    expectSameCells(chosen, Array.from(BOOL_X, (v, i) => (v === 1 ? X[i] : -1)));
  });
});

describe('array processes on pixel arrays equal the scalar path per pixel', () => {
  // Three labelled values (e.g. dates) for each of six pixels, with gaps.
  const data = new PixelArray(
    [Float64Array.from([1, NaN, 3, 4, NaN, -1]), Float64Array.from([5, NaN, NaN, 2, 7, -1]), Float64Array.from([2, NaN, 6, 4, 1, 0.5])],
    ['2020-01-01', '2020-01-02', '2020-01-03'],
    6,
  );
  const pixel = (i: number) => new LabeledArray(data.vectors.map((v) => cell(v[i])), data.labels);

  const reducers = ['mean', 'sum', 'min', 'max', 'product', 'median', 'sd', 'variance', 'first', 'last', 'count'];
  test.each(reducers)('%s, with and without ignore_nodata', async (id) => {
    const variants = registry.get(id)!.spec.parameters.some((p) => p.name === 'ignore_nodata') ? [true, false] : [undefined];
    for (const ignore of variants) {
      const extra = ignore === undefined ? {} : { ignore_nodata: ignore };
      const expected: number[] = [];
      for (let i = 0; i < data.length; i++) expected.push(asCell(await call(id, { data: pixel(i), ...extra })));
      expectSameCells(await call(id, { data, ...extra }), expected);
    }
  });

  test('array_element by index and by label returns the stored vector', async () => {
    expect(await call('array_element', { data, index: 1 })).toBe(data.vectors[1]);
    expect(await call('array_element', { data, label: '2020-01-03' })).toBe(data.vectors[2]);
    const missing = await call('array_element', { data, label: 'nope', return_nodata: true });
    expectSameCells(missing, new Array(6).fill(NaN));
    await expect(call('array_element', { data, label: 'nope' })).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
  });

  test.each(['sort', 'cumsum', 'array_interpolate_linear', 'quantiles', 'extrema'])('%s returns a pixel array', async (id) => {
    const extra = id === 'quantiles' ? { probabilities: [0.25, 0.5] } : id === 'sort' ? { nodata: true } : {};
    const result = (await call(id, { data, ...extra })) as PixelArray;
    expect(result).toBeInstanceOf(PixelArray);
    for (let i = 0; i < data.length; i++) {
      const scalar = (await call(id, { data: pixel(i), ...extra })) as unknown[] | LabeledArray;
      const values = scalar instanceof LabeledArray ? scalar.values : scalar;
      expect(result.vectors.map((v) => v[i])).toEqual(values.map(asCell));
    }
  });

  test('array_apply runs its child process once per label on whole vectors', async () => {
    let runs = 0;
    const process = {
      parameterNames: new Set(['x']),
      run: async (p: Record<string, unknown>) => {
        runs++;
        return call('multiply', { x: p.x, y: 2 });
      },
    };
    const result = (await call('array_apply', { data, process })) as PixelArray;
    expect(runs).toBe(3);
    expect(result.labels).toEqual(data.labels);
    expect(Array.from(result.vectors[0])).toEqual([2, NaN, 6, 8, NaN, -2]);
  });

  test('all and any over pixel arrays', async () => {
    const flags = new PixelArray([Float64Array.from([1, 1, 0, NaN]), Float64Array.from([1, NaN, NaN, NaN])], [0, 1], 4);
    const bools = (i: number) => flags.vectors.map((v) => (Number.isNaN(v[i]) ? null : v[i] === 1));
    for (const id of ['all', 'any']) {
      for (const ignore of [true, false]) {
        const expected: number[] = [];
        for (let i = 0; i < 4; i++) expected.push(asCell(await call(id, { data: bools(i), ignore_nodata: ignore })));
        expectSameCells(await call(id, { data: flags, ignore_nodata: ignore }), expected);
      }
    }
  });
});
