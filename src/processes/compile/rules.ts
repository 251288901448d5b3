/**
 * The fixed table of processes a child graph may use to be compiled, each with the rule that
 * turns its (symbolic) arguments into an expression. Rules only run when at least one argument
 * varies per pixel (calls on plain values are folded by running the library itself, see
 * translate.ts); they mirror the tile path of the library process and return null for every
 * case where that path would fail or where the result could differ, so the caller falls back.
 */
import { MAX_ARRAY_LENGTH } from '../values';
import type { ExprGraph, NodeId } from '../../raster/fused/ir';
import type { OpName } from '../../raster/fused/ops';
import type { ReductionName } from '../../raster/fused/reductions';
import { Sym, cellValue, numberOf, operand, pixelSym, valueSym } from './symbols';

type Args = Record<string, Sym | undefined>;
export type Rule = (args: Args, graph: ExprGraph) => Sym | null;

const result = (id: NodeId | null): Sym | null => (id === null ? null : pixelSym(id));
const pixelOf = (sym: Sym | undefined): NodeId | null => (sym?.kind === 'pixel' ? sym.id : null);

/** A process of one per-pixel value (`x` unless named otherwise) with optional numeric attributes. */
function elementWise(op: OpName, attrs: (args: Args) => number[] | null = () => [], name = 'x'): Rule {
  return (args, graph) => {
    const x = pixelOf(args[name]);
    const a = attrs(args);
    return x === null || a === null ? null : result(graph.op(op, [x], a));
  };
}

/** A process of two numeric operands, either of which may be a plain value. */
function binary(op: OpName, names: [string, string] = ['x', 'y']): Rule {
  return (args, graph) => {
    const a = operand(args[names[0]], graph);
    const b = operand(args[names[1]], graph);
    return a === null || b === null ? null : result(graph.op(op, [a, b]));
  };
}

/** Numbers of the named arguments, or null when one is not a plain number. */
function numbers(args: Args, names: string[]): number[] | null {
  const out = names.map((n) => numberOf(args[n]));
  return out.some((v) => v === null) ? null : (out as number[]);
}

const isValue = (sym: Sym | undefined): boolean => sym?.kind === 'value';

/** eq/neq: exact or within `delta`; `case_sensitive` only matters for text, which is not compiled. */
function equality(negate: boolean): Rule {
  return (args, graph) => {
    const delta = args.delta;
    if (!isValue(args.case_sensitive) || delta?.kind !== 'value') return null;
    if (delta.value !== null && typeof delta.value !== 'number') return null;
    const a = operand(args.x, graph);
    const b = operand(args.y, graph);
    if (a === null || b === null) return null;
    if (delta.value === null) return result(graph.op(negate ? 'neq' : 'eq', [a, b]));
    return result(graph.op(negate ? 'neqDelta' : 'eqDelta', [a, b], [delta.value]));
  };
}

/** A reducer over the values along a dimension (`data`), with the library's ignore_nodata default. */
function reduction(op: ReductionName): Rule {
  return (args, graph) => {
    const data = args.data;
    const ignore = args.ignore_nodata;
    if (data?.kind !== 'array' || ignore?.kind !== 'value') return null;
    return result(graph.op(op, data.items, [ignore.value !== false ? 1 : 0]));
  };
}

/** `if` with a per-pixel condition picks per pixel; other kinds of branch values count as no-data there. */
const choose: Rule = (args, graph) => {
  const value = args.value;
  if (value?.kind === 'value') return (value.value === true ? args.accept : args.reject) ?? null;
  const condition = pixelOf(value);
  if (condition === null) return null;
  const branch = (sym: Sym | undefined): NodeId => {
    if (sym?.kind === 'pixel') return sym.id;
    const v = sym?.kind === 'value' ? sym.value : undefined;
    return graph.constant(typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN);
  };
  return result(graph.op('if', [condition, branch(args.accept), branch(args.reject)]));
};

const count: Rule = (args, graph) => {
  const data = args.data;
  const condition = args.condition;
  if (data?.kind !== 'array' || condition?.kind !== 'value') return null;
  if (condition.value === true) return result(graph.constant(data.items.length));
  if (condition.value === null) return result(graph.op('countValid', data.items));
  return null;
};

const arrayElement: Rule = (args, graph) => {
  const { data, index, label } = args;
  const returnNodata = args.return_nodata;
  if (returnNodata?.kind !== 'value' || (index && index.kind !== 'value') || (label && label.kind !== 'value')) return null;
  const hasLabel = label !== undefined && label.value !== null;
  // Both or neither given are errors of the process.
  if ((index !== undefined) === hasLabel) return null;
  if (data?.kind === 'array') {
    if (!index && data.labeled === false) return null;
    const k = index ? index.value : data.labels.findIndex((l) => l === label!.value);
    if (typeof k !== 'number') return null;
    if (k >= 0 && k < data.items.length) return pixelSym(data.items[k]);
    return returnNodata.value ? result(graph.constant(NaN)) : null;
  }
  if (data?.kind === 'list' && index) {
    // A plain array: its element itself, or plain no-data.
    const k = index.value;
    if (typeof k !== 'number') return null;
    if (k >= 0 && k < data.items.length) return data.items[k];
    return returnNodata.value ? valueSym(null) : null;
  }
  return null;
};

/** array_create from per-pixel values: a plain array of them, repeated. */
const arrayCreate: Rule = (args) => {
  const data = args.data;
  const repeat = numberOf(args.repeat);
  if (data?.kind !== 'list' || repeat === null) return null;
  if (data.items.length * repeat > MAX_ARRAY_LENGTH) return null;
  const items: Sym[] = [];
  for (let r = 0; r < repeat; r++) items.push(...data.items);
  return { kind: 'list', items };
};

const positions = (n: number) => Array.from({ length: n }, (_, k) => k);

/** Elements that join a pixel array (see arrays.ts `tileParts`): the items and labels of one side, null when one is no number. */
function arrayParts(sym: Sym | undefined, graph: ExprGraph): { items: NodeId[]; labels?: ReadonlyArray<string | number> } | null {
  if (sym?.kind === 'array') return { items: [...sym.items], labels: sym.labeled === false ? undefined : sym.labels };
  const elements = sym?.kind === 'list' ? sym.items : sym?.kind === 'value' && Array.isArray(sym.value) ? sym.value.map(valueSym) : null;
  if (!elements) return null;
  const items = elements.map((e) => cellValue(e, graph));
  return items.some((i) => i === null) ? null : { items: items as NodeId[], labels: undefined };
}

/** A plain array of per-pixel values and plain values, or null when `sym` is none. */
function plainItems(sym: Sym | undefined): Sym[] | null {
  if (sym?.kind === 'list') return [...sym.items];
  return sym?.kind === 'value' && Array.isArray(sym.value) ? sym.value.map(valueSym) : null;
}

const isElement = (sym: Sym | undefined): sym is Sym => sym?.kind === 'pixel' || sym?.kind === 'value';

/** array_concat: a pixel array when either side is one (labeled only when both sides are), else a plain array. */
const arrayConcat: Rule = (args, graph) => {
  const { array1, array2 } = args;
  if (array1?.kind !== 'array' && array2?.kind !== 'array') {
    const first = plainItems(array1);
    const second = plainItems(array2);
    return first && second ? { kind: 'list', items: [...first, ...second] } : null;
  }
  const first = arrayParts(array1, graph);
  const second = arrayParts(array2, graph);
  if (!first || !second) return null;
  const items = [...first.items, ...second.items];
  if (!first.labels || !second.labels) return { kind: 'array', items, labels: positions(items.length), labeled: false };
  const labels = [...first.labels, ...second.labels];
  // A label on both sides is an error of the process.
  return new Set(labels).size === labels.length ? { kind: 'array', items, labels } : null;
};

/** array_append of one value: to a pixel array with the label asked for (or the next index), or to a plain array. */
const arrayAppend: Rule = (args, graph) => {
  const { data, value, label } = args;
  if (!isElement(value) || label?.kind !== 'value') return null;
  const plain = label.value === null;
  if (data?.kind !== 'array') {
    const items = plainItems(data);
    return items && plain ? { kind: 'list', items: [...items, value] } : null;
  }
  const item = cellValue(value, graph);
  if (item === null) return null;
  const items = [...data.items, item];
  if (data.labeled === false) return plain ? { kind: 'array', items, labels: positions(items.length), labeled: false } : null;
  const next = plain ? data.labels.length : label.value;
  if ((typeof next !== 'string' && typeof next !== 'number') || data.labels.includes(next)) return null;
  return { kind: 'array', items, labels: [...data.labels, next] };
};

/** Processes that are only ever folded (they take no per-pixel arguments). */
const foldedOnly: Rule = () => null;

const RULES: Record<string, Rule> = {
  add: binary('add'),
  subtract: binary('sub'),
  multiply: binary('mul'),
  divide: binary('div'),
  mod: binary('mod'),
  log: binary('log', ['x', 'base']),
  power: binary('pow', ['base', 'p']),
  arctan2: binary('atan2', ['y', 'x']),
  normalized_difference: binary('nd'),
  absolute: elementWise('abs'),
  sgn: elementWise('sign'),
  sqrt: elementWise('sqrt'),
  // exp names its operand p.
  exp: elementWise('exp', undefined, 'p'),
  ln: elementWise('ln'),
  ceil: elementWise('ceil'),
  floor: elementWise('floor'),
  int: elementWise('trunc'),
  sin: elementWise('sin'),
  cos: elementWise('cos'),
  tan: elementWise('tan'),
  arcsin: elementWise('asin'),
  arccos: elementWise('acos'),
  arctan: elementWise('atan'),
  sinh: elementWise('sinh'),
  cosh: elementWise('cosh'),
  tanh: elementWise('tanh'),
  arsinh: elementWise('asinh'),
  arcosh: elementWise('acosh'),
  artanh: elementWise('atanh'),
  round: elementWise('round', (a) => numbers(a, ['p'])),
  clip: elementWise('clip', (a) => {
    const bounds = numbers(a, ['min', 'max']);
    // min > max is an error of the process (NaN bounds are not).
    return bounds && !(bounds[0] > bounds[1]) ? bounds : null;
  }),
  linear_scale_range: elementWise('scale', (a) => {
    const n = numbers(a, ['inputMin', 'inputMax', 'outputMin', 'outputMax']);
    return n && [Math.min(n[0], n[1]), Math.max(n[0], n[1]), ...n];
  }),
  between: elementWise('between', (a) => {
    const bounds = numbers(a, ['min', 'max']);
    const exclude = a.exclude_max;
    return bounds && exclude?.kind === 'value' ? [...bounds, exclude.value ? 1 : 0] : null;
  }),
  is_nan: elementWise('isNaN'),
  is_nodata: elementWise('isNaN'),
  is_valid: elementWise('isValid'),
  is_infinite: elementWise('isInfinite'),
  not: elementWise('not'),
  eq: equality(false),
  neq: equality(true),
  gt: binary('gt'),
  gte: binary('gte'),
  lt: binary('lt'),
  lte: binary('lte'),
  and: binary('and'),
  or: binary('or'),
  xor: binary('xor'),
  if: choose,
  constant: (args) => args.x ?? null,
  e: foldedOnly,
  pi: foldedOnly,
  nan: foldedOnly,
  sum: reduction('sum'),
  mean: reduction('mean'),
  product: reduction('product'),
  min: reduction('min'),
  max: reduction('max'),
  median: reduction('median'),
  variance: reduction('variance'),
  sd: reduction('sd'),
  first: reduction('first'),
  last: reduction('last'),
  all: reduction('all'),
  any: reduction('any'),
  count,
  array_element: arrayElement,
  array_create: arrayCreate,
  array_concat: arrayConcat,
  array_append: arrayAppend,
};

/** The rule of a process id, or undefined when the process is not in the table. */
export function ruleOf(processId: string): Rule | undefined {
  return Object.prototype.hasOwnProperty.call(RULES, processId) ? RULES[processId] : undefined;
}

/** The ids of every process the compiler knows. */
export function compilableProcesses(): string[] {
  return Object.keys(RULES);
}
