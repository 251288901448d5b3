/**
 * Generated kernel source cannot be steered by a request: text in a child graph (arguments,
 * labels, node ids, process ids) never reaches the source, numbers reach it only as literals
 * that read back as the same number, and the source consists of nothing but expected tokens.
 */
import { numberLiteral } from '../../src/raster/fused/numbers';
import { ExprGraph } from '../../src/raster/fused/ir';
import { specializedSource } from '../../src/raster/fused/kernel';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { CallbackCase, N, P, compileCase, firstDifference, kernelOf, nodePath, nodes, one, runFused } from './fusedHelpers';

const HOSTILE = '"); process.exit(1); ("';
const HOSTILE_TOO = "'; while(true){} //`${x}`";

/** Words a kernel may contain besides generated names (a letter or two and a number). */
const KEYWORDS = new Set([
  'const', 'let', 'for', 'if', 'else', 'function', 'return', 'new', 'NaN', 'Infinity', 'Math', 'Number', 'Float64Array',
  'abs', 'sign', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  'atan2', 'pow', 'min', 'max', 'ceil', 'floor', 'trunc', 'toPrecision', 'sort', 'length', 'push', 'subarray',
  'ins', 'out', 'n', 'nd', 'sc', 'of', 'p', 'k', 'j', 'x', 'f', 'c', 'lo', 'd', 'r', 'y', 'a', 'b', 's', 'h', 'e', 'mb', 'mv', 'med', 'rhe', 'fmod',
  'hn', 'id', 'Uint8Array', 'from',
]);
const GENERATED = /^(v|r|in|j|x|s|c|q|m|w|f|__decode)\d+$/;

/** Everything in the source that is not a known word, a generated name, a number or an operator. */
function unexpectedTokens(source: string): string[] {
  const odd: string[] = [];
  const tokens = source.match(/[A-Za-z_$][\w$]*|\d+(\.\d+)?(e[+-]?\d+)?|\S/g) ?? [];
  for (const t of tokens) {
    if (/^[A-Za-z_$]/.test(t)) {
      if (!KEYWORDS.has(t) && !GENERATED.test(t)) odd.push(t);
    } else if (!/^\d/.test(t) && !'()[]{};,.=<>!&|?:+-*/%'.includes(t)) odd.push(t);
  }
  return odd;
}

const reducer = (name: string, graph: ProcessGraph, labels: Array<string | number> = ['B04', 'B08'], context?: unknown): CallbackCase => ({
  name, graph, convention: 'reducer', labels, context,
});

const PLANES = [Float64Array.from([1, NaN, -0, 2.5, 1e300]), Float64Array.from([3, 4, 0, NaN, -1e300])];

test('the token check itself notices text and foreign names', () => {
  expect(unexpectedTokens(`out[p] = '${HOSTILE}';`)).toEqual(["'", '"', 'process', 'exit', '"', "'"]);
  expect(unexpectedTokens('const v1 = require(2);')).toEqual(['require']);
});

describe('text from a request stays out of the kernel source', () => {
  const compiledCases: CallbackCase[] = [
    reducer('a hostile label that matches nothing', one('array_element', { data: P('data'), label: HOSTILE, return_nodata: true })),
    reducer('a hostile label of the data', one('array_element', { data: P('data'), label: HOSTILE_TOO }), ['B04', HOSTILE_TOO]),
    reducer('a hostile node id', { [HOSTILE]: { process_id: 'max', arguments: { data: P('data') } }, r: { process_id: 'multiply', arguments: { x: { from_node: HOSTILE }, y: 2 }, result: true } }),
    reducer('text as a branch of if', nodes({ m: ['mean', { data: P('data') }], c: ['gt', { x: N('m'), y: 2 }], r: ['if', { value: N('c'), accept: HOSTILE, reject: N('m') }] })),
    reducer('text in an unused context', one('sum', { data: P('data') }), ['B04', 'B08'], { note: HOSTILE }),
    reducer('text where the condition is plain', nodes({ m: ['max', { data: P('data') }], r: ['if', { value: false, accept: HOSTILE_TOO, reject: N('m') }] })),
  ];
  test.each(compiledCases.map((c) => [c.name, c] as const))('%s: compiled, and the source holds only expected tokens', async (_name, c) => {
    const compiled = compileCase(c);
    expect(compiled).not.toBeNull();
    const kernel = kernelOf(compiled!);
    expect(kernel.source).not.toContain('process');
    expect(kernel.source).not.toContain('while');
    expect(kernel.source).not.toMatch(/["'`]/);
    expect(unexpectedTokens(kernel.source)).toEqual([]);
    // The source as it runs, with the planes' decoding written in.
    expect(unexpectedTokens(specializedSource(kernel.source, kernel.inputCells.map(() => ({ nodata: 0, scale: 0.5, offset: -1 }))))).toEqual([]);
    expect(firstDifference(runFused(kernel, PLANES, 5), await nodePath(c, PLANES, 5))).toBeUndefined();
  });

  const refused: CallbackCase[] = [
    reducer('text compared with pixels', nodes({ m: ['mean', { data: P('data') }], r: ['eq', { x: N('m'), y: HOSTILE }] })),
    reducer('a hostile process id', { r: { process_id: HOSTILE, arguments: { x: P('data') }, result: true } }),
    reducer('a hostile namespace', { r: { process_id: 'max', namespace: HOSTILE, arguments: { data: P('data') }, result: true } }),
    reducer('a hostile parameter name', one('add', { x: P(HOSTILE), y: 1 })),
    reducer('text as an operand', nodes({ m: ['mean', { data: P('data') }], r: ['add', { x: N('m'), y: HOSTILE }] })),
    reducer('text as a precision', nodes({ m: ['mean', { data: P('data') }], r: ['round', { x: N('m'), p: HOSTILE }] })),
    reducer('an object as a bound', nodes({ m: ['mean', { data: P('data') }], r: ['clip', { x: N('m'), min: { toString: HOSTILE }, max: 1 }] })),
  ];
  test.each(refused.map((c) => [c.name, c] as const))('%s: not compiled', (_name, c) => {
    expect(compileCase(c)).toBeNull();
  });
});

describe('numbers reach the source as exact literals', () => {
  const ODD = [1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324, 2 ** 53 + 2, 0.1, -0, 1 / 3, 123456789.123456789, -7e-7, 1e21];

  test.each(ODD)('%p reads back as itself', (value) => {
    const literal = numberLiteral(value);
    expect(literal).toMatch(/^\(?-?(\d+(\.\d+)?(e[+-]\d+)?|Infinity)\)?$/);
    expect(Object.is(Number(literal.replace(/[()]/g, '')), value)).toBe(true);
  });

  test('NaN and the infinities are written as names', () => {
    expect([numberLiteral(NaN), numberLiteral(Infinity), numberLiteral(-Infinity), numberLiteral(-0)]).toEqual(['NaN', 'Infinity', '(-Infinity)', '(-0)']);
  });

  test('anything but a number is refused', () => {
    for (const bad of ['1', HOSTILE, null, {}, [1], true, 1n]) {
      expect(() => numberLiteral(bad as unknown as number)).toThrow(TypeError);
      expect(() => new ExprGraph().constant(bad as unknown as number)).toThrow(TypeError);
    }
  });

  test.each(ODD)('a kernel with the constant %p computes what the node-by-node path computes', async (value) => {
    const c = reducer('odd constant', nodes({
      m: ['max', { data: P('data') }],
      a: ['multiply', { x: N('m'), y: value }],
      r: ['subtract', { x: N('a'), y: value }],
    }));
    const compiled = compileCase(c);
    expect(compiled).not.toBeNull();
    const kernel = kernelOf(compiled!);
    expect(unexpectedTokens(kernel.source)).toEqual([]);
    expect(firstDifference(runFused(kernel, PLANES, 5), await nodePath(c, PLANES, 5))).toBeUndefined();
  });
});
