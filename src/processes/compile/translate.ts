/**
 * Translates a child process graph into expressions, walking it the way the executor
 * (graph/evaluate.ts) would run it: nodes on demand from the result node, `if`/`and`/`or`
 * leaving out what a plain condition makes unnecessary, defaults and schema checks as the
 * executor applies them. Calls whose arguments are all plain values are folded by running the
 * library process itself, so their results (and errors) are exactly the executor's. Anything
 * the compiler does not know, or that would fail, makes the whole translation null.
 */
import { GraphCallback, CallbackSource, resultNodeId } from '../graph/evaluate';
import { ProcessGraph, isProcessGraphObject, isRecord, mayBeUserProcess, nodeById, nodeReference, parameterReference } from '../graph/types';
import type { Callback, ProcessDefinition } from '../types';
import { LabeledArray, MAX_ARRAY_LENGTH } from '../values';
import { ExprGraph, GraphTooLarge } from '../../raster/fused/ir';
import { ruleOf } from './rules';
import { Sym, isPlain, schemaSample, valueSym } from './symbols';

/** Values of the callback's own parameters; null marks one that exists but cannot be compiled (e.g. a data cube). */
export type Bindings = ReadonlyMap<string, Sym | null>;

/** Marks a node whose translation is under way, so a cycle ends the translation instead of the stack. */
const PENDING = Symbol('pending');

class Translation {
  private readonly nodes = new Map<string, Sym | null | typeof PENDING>();

  constructor(
    private readonly source: CallbackSource,
    private readonly bindings: Bindings,
    private readonly graph: ExprGraph,
  ) {}

  result(): Sym | null {
    let id: string;
    try {
      id = resultNodeId(this.source.graph);
    } catch {
      return null;
    }
    return this.node(id);
  }

  private node(id: string): Sym | null {
    const known = this.nodes.get(id);
    if (known === PENDING) return null;
    if (known !== undefined) return known;
    this.nodes.set(id, PENDING);
    const sym = this.evaluate(id);
    this.nodes.set(id, sym);
    return sym;
  }

  private evaluate(id: string): Sym | null {
    const pg: ProcessGraph = this.source.graph;
    const node = nodeById(pg, id);
    if (!node || node.namespace === 'user') return null;
    if (mayBeUserProcess(node.namespace) && this.source.isUserProcess(node.process_id)) return null;
    const definition = this.source.registry.get(node.process_id, node.namespace ?? null);
    const rule = definition && ruleOf(definition.spec.id);
    if (!definition || !rule) return null;
    const given = node.arguments ?? {};
    const known = new Set(definition.spec.parameters.map((p) => p.name));
    if (Object.keys(given).some((name) => !known.has(name))) return null;
    const args = this.arguments(definition.spec.id, given);
    if (!args || !this.completeAndCheck(definition, args)) return null;
    if (Object.values(args).every((a) => a.kind === 'value')) return this.fold(definition, args);
    return rule(args, this.graph);
  }

  /** The arguments the executor would resolve (see GraphRun.skipUnusedBranch). */
  private arguments(processId: string, given: Record<string, unknown>): Record<string, Sym> | null {
    const resolveAll = (names: string[], into: Record<string, Sym>): Record<string, Sym> | null => {
      for (const name of names) {
        const sym = this.resolve(given[name]);
        if (!sym) return null;
        into[name] = sym;
      }
      return into;
    };
    if (processId === 'if' && 'value' in given) {
      const value = this.resolve(given.value);
      if (!value) return null;
      if (value.kind === 'value' && (value.value === null || typeof value.value === 'boolean')) {
        const chosen = value.value === true ? 'accept' : 'reject';
        const names = Object.keys(given).filter((n) => n !== 'value' && n !== 'accept' && n !== 'reject');
        return resolveAll(chosen in given ? [...names, chosen] : names, { value });
      }
      return resolveAll(Object.keys(given).filter((n) => n !== 'value'), { value });
    }
    if ((processId === 'and' || processId === 'or') && 'x' in given) {
      const x = this.resolve(given.x);
      if (!x) return null;
      if (x.kind === 'value' && x.value === (processId === 'or')) return { x, y: x };
      return resolveAll(Object.keys(given).filter((n) => n !== 'x'), { x });
    }
    return resolveAll(Object.keys(given), {});
  }

  /** Adds the defaults and runs the executor's schema checks; false when one fails. */
  private completeAndCheck(definition: ProcessDefinition, args: Record<string, Sym>): boolean {
    for (const p of definition.spec.parameters) {
      const sym = args[p.name];
      if ((sym === undefined || (sym.kind === 'value' && sym.value === undefined)) && 'default' in p) args[p.name] = valueSym(p.default);
      else if (sym?.kind === 'value' && sym.value === undefined) delete args[p.name];
      const arg = args[p.name];
      if (arg === undefined) continue;
      if (arg.kind === 'value' && arg.value === null && p.default === null) continue;
      if (this.source.registry.schemas.check(schemaSample(arg), p.schema) !== undefined) return false;
    }
    return true;
  }

  /** Runs the library process on plain values, as the executor would; null when it fails or gives no plain value. */
  private fold(definition: ProcessDefinition, args: Record<string, Sym>): Sym | null {
    const plain: Record<string, unknown> = {};
    for (const [name, sym] of Object.entries(args)) plain[name] = (sym as { value: unknown }).value;
    let value: unknown;
    try {
      value = definition.execute(plain, this.source.ctx);
    } catch {
      return null;
    }
    if (value instanceof Promise) {
      value.catch(() => undefined);
      return null;
    }
    const length = Array.isArray(value) ? value.length : value instanceof LabeledArray ? value.values.length : 0;
    if (length > MAX_ARRAY_LENGTH || !isPlain(value)) return null;
    return valueSym(value);
  }

  /** An argument with its references replaced by what they stand for (see GraphRun.resolve). */
  private resolve(value: unknown): Sym | null {
    const target = nodeReference(value);
    if (target !== undefined) return this.node(target);
    const name = parameterReference(value);
    if (name !== undefined) return this.parameter(name);
    if (isProcessGraphObject(value)) return null;
    if (Array.isArray(value)) {
      const items: Sym[] = [];
      for (const v of value) {
        const sym = this.resolve(v);
        if (!sym || (sym.kind !== 'value' && sym.kind !== 'pixel')) return null;
        items.push(sym);
      }
      if (items.every((s) => s.kind === 'value')) return valueSym(items.map((s) => (s as { value: unknown }).value));
      return { kind: 'list', items };
    }
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const sym = this.resolve(v);
        if (sym?.kind !== 'value') return null;
        out[k] = sym.value;
      }
      return valueSym(out);
    }
    return valueSym(value);
  }

  private parameter(name: string): Sym | null {
    if (this.bindings.has(name)) return this.bindings.get(name) ?? null;
    const outer = this.source.outerParameter(name);
    return outer && isPlain(outer.value) ? valueSym(outer.value) : null;
  }
}

/**
 * The symbolic result of `callback` with its parameters bound to `bindings`, its expressions
 * added to `graph`; null when the callback cannot be compiled (or outgrows the graph's budget).
 */
export function translateCallback(callback: Callback, bindings: Bindings, graph: ExprGraph): Sym | null {
  if (!(callback instanceof GraphCallback)) return null;
  try {
    return new Translation(callback.source(), bindings, graph).result();
  } catch (error) {
    if (error instanceof GraphTooLarge) return null;
    throw error;
  }
}
