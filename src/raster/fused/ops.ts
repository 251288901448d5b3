/**
 * The operators of fused kernels and the source template of each. Values follow the tile
 * conventions of the node-by-node path: NaN is no-data, booleans are 1 and 0. Each template
 * reproduces what the library does over pixel vectors (src/processes/lift.ts, library/*),
 * down to the sign of zero; the equivalence tests hold the two together.
 *
 * Templates receive their operands as identifiers or number literals and return one
 * parenthesised expression; numeric attributes arrive already written as literals.
 */
import { REDUCTIONS, ReductionName } from './reductions';

type Template = (a: string[], attrs: string[]) => string;

interface ElementOp {
  arity: number;
  attrs: number;
  template: Template;
  /** Helper functions of the kernel prelude the template calls. */
  helpers?: HelperName[];
}

const unary = (fn: string): ElementOp => ({ arity: 1, attrs: 0, template: ([a]) => `${fn}(${a})` });
/** ceil, floor and int turn -0 into 0 (the library adds 0 for that). */
const integral = (fn: string): ElementOp => ({ arity: 1, attrs: 0, template: ([a]) => `(${fn}(${a}) + 0)` });
const arithmetic = (sign: string): ElementOp => ({ arity: 2, attrs: 0, template: ([a, b]) => `(${a} ${sign} ${b})` });
/** Ordering and equality: no-data in either operand gives no-data, else 1 or 0. */
const compare = (test: Template, attrs = 0): ElementOp => ({
  arity: 2,
  attrs,
  template: (a, k) => `(${a[0]} !== ${a[0]} || ${a[1]} !== ${a[1]} ? NaN : ${test(a, k)} ? 1 : 0)`,
});

export const ELEMENT_OPS = {
  abs: unary('Math.abs'),
  sign: unary('Math.sign'),
  sqrt: unary('Math.sqrt'),
  exp: unary('Math.exp'),
  ln: unary('Math.log'),
  sin: unary('Math.sin'),
  cos: unary('Math.cos'),
  tan: unary('Math.tan'),
  asin: unary('Math.asin'),
  acos: unary('Math.acos'),
  atan: unary('Math.atan'),
  sinh: unary('Math.sinh'),
  cosh: unary('Math.cosh'),
  tanh: unary('Math.tanh'),
  asinh: unary('Math.asinh'),
  acosh: unary('Math.acosh'),
  atanh: unary('Math.atanh'),
  ceil: integral('Math.ceil'),
  floor: integral('Math.floor'),
  trunc: integral('Math.trunc'),
  /** attrs: decimal places. */
  round: { arity: 1, attrs: 1, template: ([a], [p]) => `rhe(${a}, ${p})`, helpers: ['rhe'] },
  /** attrs: min, max. */
  clip: { arity: 1, attrs: 2, template: ([a], [lo, hi]) => `Math.min(Math.max(${a}, ${lo}), ${hi})` },
  /** attrs: clip low, clip high, inputMin, inputMax, outputMin, outputMax (the library clips to the ordered input range). */
  scale: {
    arity: 1,
    attrs: 6,
    template: ([a], [lo, hi, i0, i1, o0, o1]) => `(((Math.min(Math.max(${a}, ${lo}), ${hi}) - ${i0}) / (${i1} - ${i0})) * (${o1} - ${o0}) + ${o0})`,
  },
  add: arithmetic('+'),
  sub: arithmetic('-'),
  mul: arithmetic('*'),
  div: arithmetic('/'),
  /** (x - y) / (x + y), as ndvi and normalized_difference compute it. */
  nd: { arity: 2, attrs: 0, template: ([a, b]) => `((${a} - ${b}) / (${a} + ${b}))` },
  log: { arity: 2, attrs: 0, template: ([a, b]) => `(Math.log(${a}) / Math.log(${b}))` },
  /** Math.pow(NaN, 0) is 1, but no-data must stay no-data. */
  pow: { arity: 2, attrs: 0, template: ([a, b]) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : Math.pow(${a}, ${b}))` },
  atan2: { arity: 2, attrs: 0, template: ([a, b]) => `Math.atan2(${a}, ${b})` },
  mod: { arity: 2, attrs: 0, template: ([a, b]) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : fmod(${a}, ${b}))`, helpers: ['fmod'] },
  gt: compare(([a, b]) => `${a} > ${b}`),
  gte: compare(([a, b]) => `${a} >= ${b}`),
  lt: compare(([a, b]) => `${a} < ${b}`),
  lte: compare(([a, b]) => `${a} <= ${b}`),
  eq: compare(([a, b]) => `${a} === ${b}`),
  neq: compare(([a, b]) => `${a} !== ${b}`),
  /** attrs: delta. */
  eqDelta: compare(([a, b], [d]) => `Math.abs(${a} - ${b}) <= ${d}`, 1),
  neqDelta: compare(([a, b], [d]) => `!(Math.abs(${a} - ${b}) <= ${d})`, 1),
  /** attrs: min, max, 1 when max is excluded. */
  between: {
    arity: 1,
    attrs: 3,
    template: ([a], [lo, hi, exclusive]) => `(${a} !== ${a} ? NaN : ${a} >= ${lo} && (${exclusive} ? ${a} < ${hi} : ${a} <= ${hi}) ? 1 : 0)`,
  },
  /** Kleene logic: false wins over no-data in `and`, true in `or`. */
  and: { arity: 2, attrs: 0, template: ([a, b]) => `(${a} === 0 || ${b} === 0 ? 0 : ${a} !== ${a} || ${b} !== ${b} ? NaN : 1)` },
  or: { arity: 2, attrs: 0, template: ([a, b]) => `(${a} === 1 || ${b} === 1 ? 1 : ${a} !== ${a} || ${b} !== ${b} ? NaN : 0)` },
  xor: { arity: 2, attrs: 0, template: ([a, b]) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : ${a} !== ${b} ? 1 : 0)` },
  not: { arity: 1, attrs: 0, template: ([a]) => `(${a} !== ${a} ? NaN : ${a} === 0 ? 1 : 0)` },
  /** Only exactly 1 (true) accepts; 0 and no-data reject. */
  if: { arity: 3, attrs: 0, template: ([v, a, b]) => `(${v} === 1 ? ${a} : ${b})` },
  isNaN: { arity: 1, attrs: 0, template: ([a]) => `(${a} !== ${a} ? 1 : 0)` },
  isValid: { arity: 1, attrs: 0, template: ([a]) => `(${a} === ${a} && ${a} !== Infinity && ${a} !== -Infinity ? 1 : 0)` },
  isInfinite: { arity: 1, attrs: 0, template: ([a]) => `(${a} === Infinity || ${a} === -Infinity ? 1 : 0)` },
} satisfies Record<string, ElementOp>;

export type ElementOpName = keyof typeof ELEMENT_OPS;
export type OpName = ElementOpName | ReductionName;

export function isElementOp(op: OpName): op is ElementOpName {
  return Object.prototype.hasOwnProperty.call(ELEMENT_OPS, op);
}

/** Throws unless `op` exists and takes that many arguments and attributes. */
export function checkArity(op: OpName, args: number, attrs: number): void {
  if (isElementOp(op)) {
    const def: ElementOp = ELEMENT_OPS[op];
    if (def.arity !== args || def.attrs !== attrs) throw new Error(`${op} takes ${def.arity} operands and ${def.attrs} attributes`);
    return;
  }
  const reduction = REDUCTIONS[op];
  if (!reduction) throw new Error(`unknown operator ${String(op)}`);
  if (reduction.attrs !== attrs) throw new Error(`${op} takes ${reduction.attrs} attributes`);
}

/**
 * Functions a kernel may declare before its loop. Each mirrors one library function exactly
 * (see the comment of each); they are only emitted when an operator needs them.
 */
export const HELPERS = {
  /** roundHalfEven of library/math.ts: ties to even at p decimals, after cleaning representation noise. */
  rhe: [
    'function rhe(x, p) {',
    '  if (x !== x || x === Infinity || x === -Infinity) return x;',
    '  const f = Math.pow(10, Math.abs(p));',
    '  const c = Number((p >= 0 ? x * f : x / f).toPrecision(15));',
    '  const lo = Math.floor(c);',
    '  const d = c - lo;',
    '  const r = d > 0.5 ? lo + 1 : d < 0.5 ? lo : lo % 2 === 0 ? lo : lo + 1;',
    '  const y = p >= 0 ? r / f : r * f;',
    '  return y === 0 ? 0 : y;',
    '}',
  ],
  /** mod of library/math.ts: zero divisor gives NaN, the remainder takes the divisor's sign, an infinite divisor keeps a finite dividend. */
  fmod: [
    'function fmod(a, b) {',
    '  if (b === 0) return NaN;',
    '  if (a - a === 0 && b === b && b - b !== 0) return a;',
    '  let r = a % b;',
    '  if (r !== 0 && (r < 0) !== (b < 0)) r += b;',
    '  return r;',
    '}',
  ],
} as const;

export type HelperName = keyof typeof HELPERS;

export function elementHelpers(op: ElementOpName): readonly HelperName[] {
  const def: ElementOp = ELEMENT_OPS[op];
  return def.helpers ?? [];
}

export function elementTemplate(op: ElementOpName): Template {
  const def: ElementOp = ELEMENT_OPS[op];
  return def.template;
}
