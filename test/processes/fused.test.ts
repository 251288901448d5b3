/**
 * Compiled (fused) child processes give exactly what the node-by-node path gives: every case
 * runs both ways over seeded random tiles full of no-data, zeros of both signs, infinities and
 * ties, and the results are compared element by element with Object.is.
 */
import { Random } from '../helpers/random';
import { CallbackCase, N, P, compileCase, firstDifference, inputCount, kernelOf, nodePath, nodes, one, runFused } from './fusedHelpers';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { GraphCallback } from '../../src/processes/graph/evaluate';
import { compilePixelCallback } from '../../src/processes/compile';
import { registry, runContext } from './helpers';

const PIXELS = 257;
const SEEDS = [1, 7, 2024];

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 1.005, 0.125, Infinity, -Infinity, 3, 10, -10, 1e-300, 1e300, 2, 0.1];
const BOOLEAN = [0, 1, NaN];

/** Random values; the first pixels are fixed edge cases across all planes (all no-data, signed zeros, infinities). */
function planes(seed: number, count: number, booleans: boolean): Float64Array[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, (_, j) => {
    const plane = new Float64Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) {
      if (booleans) plane[i] = rng.chance(0.05) ? 2 : rng.pick(BOOLEAN);
      else if (rng.chance(0.25)) plane[i] = NaN;
      else if (rng.chance(0.4)) plane[i] = rng.pick(SPECIAL);
      else plane[i] = Math.round((rng.next() * 40 - 20) * 1000) / (rng.chance(0.5) ? 1000 : 7);
    }
    plane[0] = NaN;
    plane[1] = j % 2 ? 0 : -0;
    plane[2] = j % 2 ? Infinity : -Infinity;
    plane[3] = booleans ? 1 : 2.5;
    return plane;
  });
}

const pixel = (name: string, graph: ProcessGraph, context?: unknown): CallbackCase => ({ name, graph, convention: 'pixel', context });
const BANDS = ['B02', 'B04', 'B08'];
const reducer = (name: string, graph: ProcessGraph, labels: Array<string | number> = BANDS, context?: unknown): CallbackCase => ({
  name, graph, convention: 'reducer', labels, context,
});
const along = (name: string, graph: ProcessGraph, labels: Array<string | number> = BANDS): CallbackCase => ({ name, graph, convention: 'array', labels });

const UNARY = [
  'absolute', 'sgn', 'sqrt', 'exp', 'ln', 'ceil', 'floor', 'int', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan',
  'sinh', 'cosh', 'tanh', 'arsinh', 'arcosh', 'artanh', 'is_nan', 'is_nodata', 'is_valid', 'is_infinite',
];
const BINARY: Array<[string, string, string]> = [
  ['add', 'x', 'y'], ['subtract', 'x', 'y'], ['multiply', 'x', 'y'], ['divide', 'x', 'y'], ['mod', 'x', 'y'], ['log', 'x', 'base'],
  ['power', 'base', 'p'], ['arctan2', 'y', 'x'], ['normalized_difference', 'x', 'y'],
  ['gt', 'x', 'y'], ['gte', 'x', 'y'], ['lt', 'x', 'y'], ['lte', 'x', 'y'], ['eq', 'x', 'y'], ['neq', 'x', 'y'],
];
const OPERANDS: unknown[] = [0, -0, 2, -1.5, 0.5, null, true, Infinity];
const LOGIC = ['and', 'or', 'xor'];
const dates = (count: number) => Array.from({ length: count }, (_, k) => new Date(Date.UTC(2020, 0, 1 + 3 * k)).toISOString().slice(0, 10));
const FORTY_DATES = dates(40);
const LONG_SERIES = dates(600);
const REDUCERS = ['sum', 'mean', 'product', 'min', 'max', 'median', 'variance', 'sd', 'first', 'last'];

/** A binary process between two bands of `data`, so both operands vary per pixel. */
const betweenBands = (id: string, a: string, b: string, k1: number, k2: number) =>
  nodes({
    u: ['array_element', { data: P('data'), index: k1 }],
    v: ['array_element', { data: P('data'), index: k2 }],
    r: [id, { [a]: N('u'), [b]: N('v') }],
  });

const CASES: CallbackCase[] = [
  ...UNARY.map((id) => pixel(id, one(id, { [id === 'exp' ? 'p' : 'x']: P('x') }))),
  ...[0, 1, 2, -1, -2].map((p) => pixel(`round p=${p}`, one('round', { x: P('x'), p }))),
  pixel('round default', one('round', { x: P('x') })),
  pixel('clip', one('clip', { x: P('x'), min: -1, max: 2.5 })),
  pixel('clip to a point', one('clip', { x: P('x'), min: 0, max: 0 })),
  pixel('clip with a NaN bound', one('clip', { x: P('x'), min: P('context'), max: 1 }), NaN),
  pixel('linear_scale_range', one('linear_scale_range', { x: P('x'), inputMin: 0, inputMax: 10, outputMin: -1, outputMax: 1 })),
  pixel('linear_scale_range reversed, default outputs', one('linear_scale_range', { x: P('x'), inputMin: 10, inputMax: -2 })),
  ...BINARY.flatMap(([id, a, b]) => [
    ...OPERANDS.filter((v) => id !== 'normalized_difference' || typeof v === 'number').flatMap((v) => [
      pixel(`${id}(x, ${String(v)})`, one(id, { [a]: P('x'), [b]: v })),
      pixel(`${id}(${String(v)}, x)`, one(id, { [a]: v, [b]: P('x') })),
    ]),
    pixel(`${id}(x, x)`, one(id, { [a]: P('x'), [b]: P('x') })),
    reducer(`${id} of two bands`, betweenBands(id, a, b, 0, 2)),
  ]),
  ...[0.5, 3].flatMap((delta) => [
    pixel(`eq delta ${delta}`, one('eq', { x: P('x'), y: 1, delta })),
    pixel(`neq delta ${delta}`, one('neq', { x: P('x'), y: 1, delta })),
  ]),
  pixel('eq case-insensitive numbers', one('eq', { x: P('x'), y: 2, case_sensitive: false })),
  pixel('between', one('between', { x: P('x'), min: -1, max: 2.5 })),
  pixel('between excluding max', one('between', { x: P('x'), min: -1, max: 2.5, exclude_max: true })),
  pixel('not', one('not', { x: P('x') })),
  ...LOGIC.flatMap((id) => [
    ...[true, false, null].flatMap((v) => [
      pixel(`${id}(x, ${String(v)})`, one(id, { x: P('x'), y: v })),
      pixel(`${id}(${String(v)}, x)`, one(id, { x: v, y: P('x') })),
    ]),
    pixel(`${id}(x, x)`, one(id, { x: P('x'), y: P('x') })),
    reducer(`${id} of two bands`, betweenBands(id, 'x', 'y', 0, 1)),
  ]),
  pixel('if(x)', one('if', { value: P('x'), accept: 5, reject: -5 })),
  pixel('if(x) without reject', one('if', { value: P('x'), accept: true })),
  pixel('if(x) with null and false', one('if', { value: P('x'), accept: null, reject: false })),
  pixel('if(x) with text accepts no-data', one('if', { value: P('x'), accept: 'text', reject: 1 })),
  pixel('if(x) choosing x', nodes({ c: ['gt', { x: P('x'), y: 0 }], r: ['if', { value: N('c'), accept: P('x'), reject: 0 }] })),
  pixel('if(true)', one('if', { value: true, accept: P('x'), reject: 'never used' })),
  pixel('if(false)', one('if', { value: false, accept: P('x') })),
  pixel('if(null)', nodes({ m: ['multiply', { x: P('x'), y: 2 }], r: ['if', { value: null, accept: P('x'), reject: N('m') }] })),
  pixel('and(false, x) decided by its first operand', one('and', { x: false, y: P('x') })),
  pixel('or(true, x) decided by its first operand', one('or', { x: true, y: P('x') })),
  pixel('constant', one('constant', { x: P('x') })),
  pixel('pi and e folded', nodes({ p: ['pi', {}], e: ['e', {}], a: ['multiply', { x: P('x'), y: N('p') }], r: ['add', { x: N('a'), y: N('e') }] })),
  pixel('context element', nodes({ k: ['array_element', { data: P('context'), index: 1 }], r: ['multiply', { x: P('x'), y: N('k') }] }), [2, 3]),
  pixel('context number', one('subtract', { x: P('x'), y: P('context') }), 0.25),
  pixel('folded arithmetic on constants', nodes({ a: ['divide', { x: 1, y: 3 }], b: ['power', { base: N('a'), p: 2 }], r: ['add', { x: P('x'), y: N('b') }] })),
  pixel('nested chain', nodes({
    a: ['multiply', { x: P('x'), y: 2 }],
    b: ['clip', { x: N('a'), min: -4, max: 4 }],
    c: ['linear_scale_range', { x: N('b'), inputMin: -4, inputMax: 4, outputMin: 0, outputMax: 255 }],
    d: ['round', { x: N('c') }],
    e: ['gt', { x: N('d'), y: 100 }],
    f: ['sqrt', { x: N('a') }],
    r: ['if', { value: N('e'), accept: N('d'), reject: N('f') }],
  })),
  ...REDUCERS.flatMap((id) => [
    reducer(id, one(id, { data: P('data') })),
    reducer(`${id} not ignoring no-data`, one(id, { data: P('data'), ignore_nodata: false })),
    reducer(`${id} of one value`, one(id, { data: P('data') }), ['B04']),
    reducer(`${id} of nothing`, one(id, { data: P('data') }), []),
    reducer(`${id} of twelve dates`, one(id, { data: P('data') }), Array.from({ length: 12 }, (_, k) => `2023-${String(k + 1).padStart(2, '0')}-01`)),
    reducer(`${id} of forty dates`, one(id, { data: P('data'), ignore_nodata: id !== 'sum' }), FORTY_DATES),
    // Too long to write out: the kernel loops over the planes.
    reducer(`${id} of six hundred dates`, one(id, { data: P('data'), ignore_nodata: id !== 'mean' }), LONG_SERIES),
  ]),
  ...['all', 'any'].flatMap((id) => [
    reducer(id, one(id, { data: P('data') })),
    reducer(`${id} not ignoring no-data`, one(id, { data: P('data'), ignore_nodata: false })),
    reducer(`${id} of nothing`, one(id, { data: P('data') }), []),
    reducer(`${id} of forty dates`, one(id, { data: P('data'), ignore_nodata: id === 'all' }), FORTY_DATES),
    reducer(`${id} of six hundred dates`, one(id, { data: P('data'), ignore_nodata: id === 'any' }), LONG_SERIES),
  ]),
  reducer('count', one('count', { data: P('data') })),
  reducer('count of six hundred dates', one('count', { data: P('data') }), LONG_SERIES),
  reducer('long and short reductions of the same planes', nodes({
    a: ['mean', { data: P('data') }],
    b: ['first', { data: P('data') }],
    c: ['array_element', { data: P('data'), index: 39 }],
    d: ['add', { x: N('b'), y: N('c') }],
    r: ['subtract', { x: N('a'), y: N('d') }],
  }), LONG_SERIES),
  reducer('count everything', one('count', { data: P('data'), condition: true })),
  reducer('count of nothing', one('count', { data: P('data') }), []),
  reducer('array_element by index', one('array_element', { data: P('data'), index: 2 })),
  reducer('array_element by label', one('array_element', { data: P('data'), label: 'B04' })),
  reducer('array_element by numeric label', one('array_element', { data: P('data'), label: 20 }), [10, 20, 30]),
  reducer('array_element missing, no-data returned', one('array_element', { data: P('data'), index: 7, return_nodata: true })),
  reducer('array_element missing label, no-data returned', one('array_element', { data: P('data'), label: 'B12', return_nodata: true })),
  reducer('ndvi by band names', nodes({
    nir: ['array_element', { data: P('data'), label: 'B08' }],
    red: ['array_element', { data: P('data'), label: 'B04' }],
    r: ['normalized_difference', { x: N('nir'), y: N('red') }],
  })),
  reducer('ndvi written out, each band read twice', nodes({
    nir: ['array_element', { data: P('data'), label: 'B08' }],
    red: ['array_element', { data: P('data'), label: 'B04' }],
    d: ['subtract', { x: N('nir'), y: N('red') }],
    nir2: ['array_element', { data: P('data'), index: 2 }],
    red2: ['array_element', { data: P('data'), index: 1 }],
    s: ['add', { x: N('nir2'), y: N('red2') }],
    r: ['divide', { x: N('d'), y: N('s') }],
  })),
  reducer('mean if the max is high, else no-data', nodes({
    m: ['max', { data: P('data') }],
    c: ['gte', { x: N('m'), y: 2 }],
    a: ['mean', { data: P('data') }],
    r: ['if', { value: N('c'), accept: N('a') }],
  })),
  reducer('spread of sums', nodes({
    s: ['sum', { data: P('data'), ignore_nodata: false }],
    v: ['sd', { data: P('data') }],
    q: ['count', { data: P('data') }],
    d: ['divide', { x: N('s'), y: N('q') }],
    r: ['subtract', { x: N('d'), y: N('v') }],
  })),
  along('identity', one('constant', { x: P('data') })),
  along('one value per pixel', one('mean', { data: P('data') })),
  along('array_create of statistics', nodes({
    s: ['sum', { data: P('data') }],
    m: ['median', { data: P('data') }],
    r: ['array_create', { data: [N('s'), N('m'), 5, null, true] }],
  })),
  along('array_create repeated', nodes({
    f: ['first', { data: P('data') }],
    r: ['array_create', { data: [N('f'), 1], repeat: 3 }],
  })),
  along('array_append of an index, labeled', nodes({
    nir: ['array_element', { data: P('data'), label: 'B08' }],
    red: ['array_element', { data: P('data'), label: 'B04' }],
    nd: ['normalized_difference', { x: N('nir'), y: N('red') }],
    r: ['array_append', { data: P('data'), value: N('nd'), label: 'NDVI' }],
  })),
  along('array_append of a plain value, then a reducer over it', nodes({
    a: ['array_append', { data: P('data'), value: 2 }],
    b: ['array_append', { data: N('a'), value: N('m'), label: 'mean' }],
    m: ['mean', { data: P('data') }],
    s: ['sum', { data: N('b') }],
    e: ['array_element', { data: N('b'), label: 'mean' }],
    r: ['array_create', { data: [N('s'), N('e')] }],
  })),
  along('array_concat with a plain array, read by index', nodes({
    f: ['first', { data: P('data') }],
    a: ['array_create', { data: [N('f'), true, null] }],
    c: ['array_concat', { array1: P('data'), array2: N('a') }],
    x: ['array_element', { data: N('c'), index: 3 }],
    r: ['array_concat', { array1: N('c'), array2: [N('x')] }],
  })),
  along('array_concat of two plain arrays', nodes({
    f: ['first', { data: P('data') }],
    r: ['array_concat', { array1: [N('f'), 1], array2: [2, N('f')] }],
  })),
  along('element of a created array', nodes({
    f: ['last', { data: P('data') }],
    a: ['array_create', { data: [N('f'), 2] }],
    r: ['array_element', { data: N('a'), index: 0 }],
  })),
];

/** Logical processes read booleans; everything else numbers. */
function usesBooleans(c: CallbackCase): boolean {
  return /^(and|or|xor|not|if\(x\)|all|any)/.test(c.name);
}

/** The node-by-node result, or the code of the error it ends with. */
async function attempt(c: CallbackCase, input: Float64Array[]): Promise<Float64Array[] | string> {
  try {
    return await nodePath(c, input, PIXELS);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('a compiled callback computes exactly what the node-by-node path computes', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const compiled = compileCase(c);
    const first = await attempt(c, planes(SEEDS[0], inputCount(c), usesBooleans(c)));
    if (typeof first === 'string') {
      // What fails node by node (e.g. a boolean where the process takes numbers) is left to that path.
      expect({ error: first, compiled }).toEqual({ error: first, compiled: null });
      return;
    }
    expect(compiled).not.toBeNull();
    const kernel = kernelOf(compiled!);
    for (const seed of SEEDS) {
      const input = planes(seed, inputCount(c), usesBooleans(c));
      const expected = await nodePath(c, input, PIXELS);
      const actual = runFused(kernel, input, PIXELS);
      expect(firstDifference(actual, expected)).toBeUndefined();
    }
  });
});

describe('kernels decode raw planes themselves', () => {
  const decoding = { nodata: 0, scale: 0.0001, offset: -0.1 };
  const graphs: Array<[string, ProcessGraph]> = [
    ['mean', one('mean', { data: P('data') })],
    ['median', one('median', { data: P('data'), ignore_nodata: false })],
    ['normalized difference of two planes', betweenBands('normalized_difference', 'x', 'y', 0, 1)],
  ];
  test.each([12, 600])('%i raw planes with no-data, scale and offset give what decoding them first gives', async (count) => {
    const rng = new Random(3);
    const raw = Array.from({ length: count }, () => Uint16Array.from({ length: PIXELS }, () => (rng.chance(0.2) ? 0 : rng.int(1, 10000))));
    // As the readers deliver them: no-data masked, then scaled.
    const decoded = raw.map((plane) => Float64Array.from(plane, (v) => (v === 0 ? NaN : v * decoding.scale + decoding.offset)));
    for (const [name, graph] of graphs) {
      const c = reducer(name, graph, LONG_SERIES.slice(0, count));
      const kernel = kernelOf(compileCase(c)!);
      const fused = runFused(kernel, raw, PIXELS, raw.map(() => decoding));
      expect(firstDifference(fused, await nodePath(c, decoded, PIXELS))).toBeUndefined();
    }
  });

  test('a reducer over a few planes writes each one out; over many it loops over them', () => {
    const short = kernelOf(compileCase(reducer('mean', one('mean', { data: P('data') }), FORTY_DATES))!);
    expect(short.source.match(/__decode/g)).toHaveLength(40);
    const long = kernelOf(compileCase(reducer('mean', one('mean', { data: P('data') }), LONG_SERIES))!);
    expect(long.inputCells).toHaveLength(600);
    expect(long.source).toMatch(/for \(let k = 0; k < 600; k\+\+\)/);
    expect(long.source).not.toContain('__decode');
  });
});

describe('what is not compiled', () => {
  const notCompiled: CallbackCase[] = [
    pixel('a comparison with text', one('eq', { x: P('x'), y: 'abc' })),
    pixel('a process outside the table', one('text_concat', { data: ['a', P('x')] })),
    reducer('a nested callback', one('array_apply', { data: P('data'), process: { process_graph: one('absolute', { x: P('x') }) } })),
    reducer('a count with a condition', one('count', { data: P('data'), condition: { process_graph: one('gt', { x: P('x'), y: 0 }) } })),
    reducer('ignore_nodata varying per pixel', nodes({ f: ['array_element', { data: P('data'), index: 0 }], g: ['gt', { x: N('f'), y: 0 }], r: ['mean', { data: P('data'), ignore_nodata: N('g') }] })),
    reducer('an element that does not exist', one('array_element', { data: P('data'), index: 9 })),
    reducer('a cumulative sum', one('cumsum', { data: P('data') })),
    pixel('a parameter nobody gives', one('add', { x: P('x'), y: P('nowhere') })),
    pixel('clip with bounds swapped', one('clip', { x: P('x'), min: 2, max: 1 })),
    pixel('round to a varying precision', one('round', { x: P('x'), p: P('x') })),
    pixel('a result that is an array', one('array_create', { data: [P('x'), 1] })),
    reducer('more values than a kernel may hold', one('mean', { data: P('data') }), Array.from({ length: 2500 }, (_, k) => k)),
    along('array_append of a label the array has', one('array_append', { data: P('data'), value: 1, label: 'B02' })),
    along('array_concat of arrays sharing a label', one('array_concat', { array1: P('data'), array2: P('data') })),
    along('an element by label of a joined array without labels', nodes({
      c: ['array_concat', { array1: P('data'), array2: [1] }],
      r: ['array_element', { data: N('c'), label: 0 }],
    })),
    reducer('sum of a plain array holding pixel values', nodes({ f: ['array_element', { data: P('data'), index: 0 }], r: ['sum', { data: [N('f'), 1] }] })),
  ];
  test.each(notCompiled.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(compileCase(c)).toBeNull();
  });

  test('a process the user has defined under a predefined name is not compiled (the executor would call theirs)', () => {
    const graph = one('absolute', { x: P('x') });
    const theirs = { id: 'absolute', process_graph: one('add', { x: P('x'), y: 1 }), parameters: [{ name: 'x' }] };
    const calls = { userProcesses: (id: string) => (id === 'absolute' ? theirs : undefined) };
    expect(compilePixelCallback(new GraphCallback(graph, undefined, registry, runContext(), calls), null)).toBeNull();
    expect(compilePixelCallback(new GraphCallback(graph, undefined, registry, runContext()), null)).not.toBeNull();
  });

  test('parameters of enclosing graphs are read when they are plain values', async () => {
    const scope = { values: { factor: 3, cube: new Map() } };
    const scaled = new GraphCallback(one('multiply', { x: P('x'), y: P('factor') }), scope, registry, runContext());
    const compiled = compilePixelCallback(scaled, null);
    expect(compiled).not.toBeNull();
    const input = planes(SEEDS[0], 1, false);
    expect(firstDifference(runFused(kernelOf(compiled!), input, PIXELS), [(await scaled.run({ x: input[0], context: null })) as Float64Array])).toBeUndefined();
    expect(compilePixelCallback(new GraphCallback(one('add', { x: P('x'), y: P('cube') }), scope, registry, runContext()), null)).toBeNull();
  });

  test('a context that is not plain data is never read into a kernel', () => {
    const context = new Map([['k', 1]]);
    expect(compileCase(pixel('context', one('add', { x: P('x'), y: P('context') }), context))).toBeNull();
    // A callback that does not read it still compiles.
    expect(compileCase(pixel('no context', one('add', { x: P('x'), y: 1 }), context))).not.toBeNull();
  });
});
