/**
 * Compiling child processes (callbacks) of pixel-wise cube processes into expressions, once per
 * calling convention: the callback is translated with placeholder inputs (template slots), and
 * the resulting template is then copied for every cube cell with the slots bound to that cell's
 * expressions. Everything returns null when the callback cannot be compiled; the caller then
 * keeps the node-by-node path.
 */
import type { Callback } from '../types';
import { ExprGraph, GraphTooLarge, MAX_NODES, NodeId } from '../../raster/fused/ir';
import { Sym, cellValue, isPlain, pixelSym, valueSym } from './symbols';
import { Bindings, translateCallback } from './translate';


/** A callback compiled for one calling convention: `outputs` values per call, from `inputs` slots. */
export class CompiledCallback {
  constructor(
    private readonly template: ExprGraph,
    private readonly results: readonly NodeId[],
    readonly inputs: number,
    /** Labels of the values out, when the callback returns a labeled array (apply_dimension). */
    readonly labels?: ReadonlyArray<string | number>,
  ) {}

  /** Values per call (1 for apply and reducers, the array length for apply_dimension). */
  get outputs(): number {
    return this.results.length;
  }

  /** Adds the callback's outputs to `target` with its input slots bound to `inputs`. */
  instantiate(target: ExprGraph, inputs: readonly NodeId[]): NodeId[] {
    if (inputs.length !== this.inputs) throw new Error(`the compiled callback takes ${this.inputs} inputs, got ${inputs.length}`);
    return target.importFrom(this.template, this.results, (slot) => inputs[slot]);
  }
}

/** context as the callback sees it: a plain value, or something it must not use. */
function contextBinding(context: unknown): Sym | null {
  return isPlain(context) ? valueSym(context) : null;
}

function translate(callback: Callback, parameters: Array<[string, Sym | null]>, template: ExprGraph): Sym | null {
  const bindings: Bindings = new Map(parameters);
  return translateCallback(callback, bindings, template);
}

/** Runs `build` on a fresh template graph; null when the template outgrows its budget (e.g. `data` with thousands of labels). */
function withTemplate(build: (template: ExprGraph) => CompiledCallback | null): CompiledCallback | null {
  try {
    return build(new ExprGraph(MAX_NODES));
  } catch (error) {
    if (error instanceof GraphTooLarge) return null;
    throw error;
  }
}

/** For apply: `x` is one value per pixel; one value out. */
export function compilePixelCallback(callback: Callback, context: unknown): CompiledCallback | null {
  return withTemplate((template) => {
    const result = translate(callback, [['x', pixelSym(template.input(0))], ['context', contextBinding(context)]], template);
    const out = result && cellValue(result, template);
    return out === null ? null : new CompiledCallback(template, [out], 1);
  });
}

function dataBinding(template: ExprGraph, labels: ReadonlyArray<string | number>): Sym {
  return { kind: 'array', items: labels.map((_, k) => template.input(k)), labels };
}

/** For reducers: `data` holds the values with `labels` of one pixel; one value out. */
export function compileReducer(callback: Callback, labels: ReadonlyArray<string | number>, context: unknown): CompiledCallback | null {
  return withTemplate((template) => {
    const result = translate(callback, [['data', dataBinding(template, labels)], ['context', contextBinding(context)]], template);
    const out = result && cellValue(result, template);
    return out === null ? null : new CompiledCallback(template, [out], labels.length);
  });
}

/**
 * For apply_dimension: `data` as for reducers; the values out are the elements of the array the
 * callback returns (a single value counts as one), as applyDimension.ts reads them.
 */
export function compileArrayCallback(callback: Callback, inputLabels: ReadonlyArray<string | number>, context: unknown): CompiledCallback | null {
  return withTemplate((template) => {
    const result = translate(callback, [['data', dataBinding(template, inputLabels)], ['context', contextBinding(context)]], template);
    if (!result) return null;
    let elements: Sym[];
    let labels: ReadonlyArray<string | number> | undefined;
    if (result.kind === 'array') {
      elements = result.items.map(pixelSym);
      if (result.labeled !== false) labels = result.labels;
    } else if (result.kind === 'list') elements = [...result.items];
    else if (result.kind === 'value' && Array.isArray(result.value)) elements = result.value.map(valueSym);
    else elements = [result];
    const outs = elements.map((e) => cellValue(e, template));
    if (outs.length === 0 || outs.some((o) => o === null)) return null;
    return new CompiledCallback(template, outs as NodeId[], inputLabels.length, labels);
  });
}
