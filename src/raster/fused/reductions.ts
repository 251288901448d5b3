/**
 * Reducers of fused kernels: operators over any number of operands (the values of one pixel
 * along a dimension). Each follows the tile fast path of its library process (reduceTile,
 * statisticTile, pickTile, quantifierTile, countTile), including the order in which values are
 * accumulated, so sums round alike.
 *
 * A reducer is written against `Operands`, which either spells out every operand (short lists,
 * or operands that are expressions) or loops over a scratch array of them (long lists of input
 * planes, which would otherwise make the kernel too large for the engine to optimise).
 *
 * Attribute 0, where present, is 1 when no-data is ignored (skipped) and 0 when it spoils the
 * result.
 */

export interface Operands {
  readonly length: number;
  /** Statements running `body(v)` for every operand `v`, in order (reversed: last first). */
  each(body: (v: string) => string[], reversed?: boolean): string[];
  /** An expression for operand k. */
  at(k: number): string;
}

/** Operands written out one by one. */
export function listedOperands(a: string[]): Operands {
  return {
    length: a.length,
    each: (body, reversed) => (reversed ? [...a].reverse() : a).flatMap(body),
    at: (k) => a[k],
  };
}

/** Operands held in the scratch array `name` (filled before the reducer runs). */
export function loopedOperands(name: string, length: number): Operands {
  return {
    length,
    each: (body, reversed) => [
      reversed ? `for (let k = ${length - 1}; k >= 0; k--) {` : `for (let k = 0; k < ${length}; k++) {`,
      `  const e = ${name}[k];`,
      ...body('e').map((l) => `  ${l}`),
      '}',
    ],
    at: (k) => `${name}[${k}]`,
  };
}

export interface Reduction {
  attrs: number;
  /** Statements that leave the result in the variable named `target`; `tmp(name)` is a name private to this use. */
  lines(target: string, a: Operands, ignore: boolean, tmp: (name: string) => string): string[];
  /** Whether the kernel needs the median scratch buffer of the prelude. */
  scratch?: boolean;
}

/** sum/mean/product/min/max: skip or count no-data, accumulate the rest in order. */
function accumulate(start: string, step: (acc: string, v: string) => string, finish: (acc: string, count: string) => string): Reduction {
  return {
    attrs: 1,
    lines(target, a, ignore, tmp) {
      const [acc, count, spoiled] = [tmp('s'), tmp('c'), tmp('q')];
      return [
        `let ${acc} = ${start}, ${count} = 0, ${spoiled} = 0;`,
        ...a.each((v) => [`if (${v} === ${v}) { ${step(acc, v)} ${count}++; } else ${spoiled} = 1;`]),
        `const ${target} = ${count} === 0 || ${ignore ? '0' : spoiled} ? NaN : ${finish(acc, count)};`,
      ];
    },
  };
}

/** Sample variance of the valid values, NaN for fewer than two; `root` takes its square root (sd). */
function spread(root: boolean): Reduction {
  return {
    attrs: 1,
    lines(target, a, ignore, tmp) {
      const [acc, count, spoiled, mean, squares, result] = [tmp('s'), tmp('c'), tmp('q'), tmp('m'), tmp('w'), tmp('r')];
      return [
        `let ${acc} = 0, ${count} = 0, ${spoiled} = 0, ${result} = NaN;`,
        ...a.each((v) => [`if (${v} === ${v}) { ${acc} += ${v}; ${count}++; } else ${spoiled} = 1;`]),
        `if (${count} >= 2 && !(${ignore ? '0' : spoiled})) {`,
        `  const ${mean} = ${acc} / ${count};`,
        `  let ${squares} = 0;`,
        ...a.each((v) => [`if (${v} === ${v}) ${squares} += (${v} - ${mean}) * (${v} - ${mean});`]).map((l) => `  ${l}`),
        `  ${result} = ${squares} / (${count} - 1);`,
        '}',
        `const ${target} = ${root ? `Math.sqrt(${result})` : result};`,
      ];
    },
  };
}

/** first/last: with no-data ignored the first valid value in reading order, else simply the end element. */
function pick(fromEnd: boolean): Reduction {
  return {
    attrs: 1,
    lines(target, a, ignore) {
      if (!ignore) return [`const ${target} = ${a.length === 0 ? 'NaN' : a.at(fromEnd ? a.length - 1 : 0)};`];
      // Visit in the opposite order, so the value that should win is assigned last.
      return [`let ${target} = NaN;`, ...a.each((v) => [`if (${v} === ${v}) ${target} = ${v};`], !fromEnd)];
    },
  };
}

/** all/any: the dominant value (0 for all, 1 for any) decides alone; otherwise no-data spoils unless ignored. */
function quantifier(dominant: 0 | 1): Reduction {
  return {
    attrs: 1,
    lines(target, a, ignore, tmp) {
      const [found, sawNodata] = [tmp('f'), tmp('q')];
      return [
        `let ${found} = 0, ${sawNodata} = 0;`,
        ...a.each((v) => [`if (${v} === ${dominant}) ${found} = 1; else if (${v} !== ${v}) ${sawNodata} = 1;`]),
        `const ${target} = ${found} ? ${dominant} : ${ignore ? '0' : sawNodata} ? NaN : ${1 - dominant};`,
      ];
    },
  };
}

export const REDUCTIONS = {
  sum: accumulate('0', (s, v) => `${s} += ${v};`, (s) => s),
  mean: accumulate('0', (s, v) => `${s} += ${v};`, (s, c) => `${s} / ${c}`),
  product: accumulate('1', (s, v) => `${s} *= ${v};`, (s) => s),
  min: accumulate('Infinity', (s, v) => `if (${v} < ${s}) ${s} = ${v};`, (s) => s),
  max: accumulate('-Infinity', (s, v) => `if (${v} > ${s}) ${s} = ${v};`, (s) => s),
  variance: spread(false),
  sd: spread(true),
  median: {
    attrs: 1,
    scratch: true,
    lines(target, a, ignore, tmp) {
      // The valid values go to the shared scratch buffer; `mv[c]` is its view of length c.
      const [count, spoiled] = [tmp('c'), tmp('q')];
      return [
        `let ${count} = 0, ${spoiled} = 0;`,
        ...a.each((v) => [`if (${v} === ${v}) mb[${count}++] = ${v}; else ${spoiled} = 1;`]),
        `const ${target} = ${count} === 0 || ${ignore ? '0' : spoiled} ? NaN : med(mv[${count}]);`,
      ];
    },
  },
  first: pick(false),
  last: pick(true),
  all: quantifier(0),
  any: quantifier(1),
  /** count with its default condition: the finite values. */
  countValid: {
    attrs: 0,
    lines(target, a, _ignore, tmp) {
      const count = tmp('c');
      return [
        `let ${count} = 0;`,
        ...a.each((v) => [`if (${v} === ${v} && ${v} !== Infinity && ${v} !== -Infinity) ${count}++;`]),
        `const ${target} = ${count};`,
      ];
    },
  },
} satisfies Record<string, Reduction>;

export type ReductionName = keyof typeof REDUCTIONS;

/** The median's scratch buffer and its sorting, for kernels that use it (`size`: most operands of one median). */
export function scratchPrelude(size: number): string[] {
  return [
    `const mb = new Float64Array(${size});`,
    'const mv = [];',
    `for (let k = 0; k <= ${size}; k++) mv.push(mb.subarray(0, k));`,
    // Typed-array sort orders numerically with -0 before 0, as the library's median does.
    'function med(s) { s.sort(); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; }',
  ];
}
