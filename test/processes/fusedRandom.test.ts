/**
 * Random child graphs from the compiler's table (seeded, so every failure can be replayed): each
 * either fails node by node and is then not compiled, or is compiled and gives the node-by-node
 * values element by element. Mixes per-pixel values with plain constants, booleans, no-data and
 * settings in and out of range, which hand-written cases easily miss.
 */
import { Random } from '../helpers/random';
import type { ProcessGraph, ProcessNode } from '../../src/processes/graph/types';
import { CallbackCase, N, P, compileCase, firstDifference, kernelOf, nodePath, runFused } from './fusedHelpers';

const PIXELS = 64;
const LABELS = ['B02', 'B04', 'B08', 'B11'];
const VALUES = [0, -0, 1, -1, 0.5, 2.5, -3.25, 10, 1e-9, Infinity, -Infinity, NaN];

const UNARY = ['absolute', 'sgn', 'sqrt', 'ln', 'ceil', 'floor', 'int', 'sin', 'arccos', 'tanh', 'arcosh', 'is_nan', 'is_nodata', 'is_valid', 'is_infinite', 'not'];
const BINARY: Array<[string, string, string]> = [
  ['add', 'x', 'y'], ['subtract', 'x', 'y'], ['multiply', 'x', 'y'], ['divide', 'x', 'y'], ['mod', 'x', 'y'], ['power', 'base', 'p'],
  ['log', 'x', 'base'], ['arctan2', 'y', 'x'], ['normalized_difference', 'x', 'y'], ['gt', 'x', 'y'], ['lte', 'x', 'y'],
  ['eq', 'x', 'y'], ['neq', 'x', 'y'], ['and', 'x', 'y'], ['or', 'x', 'y'], ['xor', 'x', 'y'],
];
const REDUCERS = ['sum', 'mean', 'product', 'min', 'max', 'median', 'variance', 'sd', 'first', 'last', 'all', 'any', 'count'];

/** One random graph; its leaves read x (apply) or elements of data (reducers), or are plain values. */
function randomGraph(rng: Random, reducer: boolean): ProcessGraph {
  const graph: ProcessGraph = {};
  let next = 0;
  const add = (process_id: string, args: Record<string, unknown>) => {
    const id = `n${next++}`;
    graph[id] = { process_id, arguments: args } as ProcessNode;
    return N(id);
  };
  const constant = (): unknown => rng.pick<unknown>([rng.pick(VALUES.filter((v) => Number.isFinite(v))), null, true, false, rng.int(-3, 3)]);
  const leaf = (): unknown => {
    if (rng.chance(0.35)) return constant();
    if (!reducer) return P('x');
    return add('array_element', rng.chance(0.5)
      ? { data: P('data'), index: rng.int(0, LABELS.length), return_nodata: rng.chance(0.5) }
      : { data: P('data'), label: rng.pick([...LABELS, 'B99']), return_nodata: rng.chance(0.5) });
  };
  const expr = (depth: number): unknown => {
    if (depth === 0 || rng.chance(0.2)) return leaf();
    const kind = rng.int(0, reducer ? 9 : 7);
    switch (kind) {
      case 0:
      case 1: {
        const id = rng.pick(UNARY);
        return add(id, { x: expr(depth - 1) });
      }
      case 2:
      case 3:
      case 4: {
        const [id, a, b] = rng.pick(BINARY);
        return add(id, { [a]: expr(depth - 1), [b]: expr(depth - 1) });
      }
      case 5:
        return add('if', rng.chance(0.8) ? { value: expr(depth - 1), accept: expr(depth - 1), reject: expr(depth - 1) } : { value: expr(depth - 1), accept: expr(depth - 1) });
      case 6:
        return rng.pick([
          () => add('round', { x: expr(depth - 1), p: rng.int(-2, 3) }),
          () => add('clip', { x: expr(depth - 1), min: rng.int(-3, 1), max: rng.int(-1, 3) }),
          () => add('linear_scale_range', { x: expr(depth - 1), inputMin: rng.int(-5, 5), inputMax: rng.int(-5, 5), outputMax: rng.int(0, 255) }),
          () => add('between', { x: expr(depth - 1), min: rng.int(-3, 1), max: rng.int(-1, 3), exclude_max: rng.chance(0.5) }),
        ])();
      case 7:
        return add('exp', { p: expr(depth - 1) });
      default: {
        const id = rng.pick(REDUCERS);
        if (id === 'count') return add(id, rng.chance(0.5) ? { data: P('data') } : { data: P('data'), condition: true });
        return add(id, rng.chance(0.5) ? { data: P('data') } : { data: P('data'), ignore_nodata: rng.chance(0.5) });
      }
    }
  };
  const result = expr(4);
  const last = Object.keys(graph).pop();
  if (last === undefined || (result as { from_node?: string }).from_node !== last) add('constant', { x: result });
  graph[Object.keys(graph).pop()!].result = true;
  return graph;
}

function randomPlanes(rng: Random, count: number): Float64Array[] {
  return Array.from({ length: count }, () => Float64Array.from({ length: PIXELS }, () => (rng.chance(0.3) ? rng.pick(VALUES) : rng.pick([0, 1, NaN]))));
}

describe.each([
  ['apply', false],
  ['reduce_dimension', true],
] as const)('random child graphs of %s', (_name, reducer) => {
  test('compile only what runs node by node, and then give its values', async () => {
    const rng = new Random(reducer ? 424242 : 1717);
    let compiled = 0;
    let failing = 0;
    for (let g = 0; g < 400; g++) {
      const graph = randomGraph(rng, reducer);
      const c: CallbackCase = reducer
        ? { name: `graph ${g}`, graph, convention: 'reducer', labels: LABELS }
        : { name: `graph ${g}`, graph, convention: 'pixel' };
      const input = randomPlanes(rng, reducer ? LABELS.length : 1);
      let expected: Float64Array[] | undefined;
      try {
        expected = await nodePath(c, input, PIXELS);
      } catch {
        expected = undefined;
      }
      const program = compileCase(c);
      if (!expected) {
        failing++;
        expect({ graph, compiled: program }).toEqual({ graph, compiled: null });
        continue;
      }
      // Every process here is in the table and every setting a plain value: what runs also compiles.
      expect({ graph, compiled: program !== null }).toEqual({ graph, compiled: true });
      compiled++;
      expect({ graph, difference: firstDifference(runFused(kernelOf(program!), input, PIXELS), expected) }).toEqual({ graph, difference: undefined });
    }
    // The generator must exercise both outcomes, and mostly the compiled one.
    expect(compiled).toBeGreaterThan(200);
    expect(failing).toBeGreaterThan(10);
  });
});
