/**
 * Runs a validated process graph. Each node is evaluated at most once per graph run (results are
 * shared by every node that refers to them); child processes become Callback objects that run
 * their graph with their own parameters, seeing the parameters of enclosing graphs too.
 */
import { OpenEOError, isOpenEOError } from '../../errors/OpenEOError';
import type { ProcessRegistry } from '../registry';
import type { Callback, ProcessContext } from '../types';
import { InvalidValue, LabeledArray, MAX_ARRAY_LENGTH } from '../values';
import { ProcessGraph, UserProcessDefinition, UserProcessLookup, childGraph, mayBeUserProcess, nodeById, isProcessGraphObject, isRecord, nodeReference, parameterReference } from './types';

/** Parameter values visible to a graph: its own, then those of the graphs around it. */
export interface Scope {
  values: Record<string, unknown>;
  parent?: Scope;
}

export function resultNodeId(graph: ProcessGraph): string {
  const id = Object.keys(graph).find((k) => nodeById(graph, k)?.result === true);
  if (id === undefined) throw new OpenEOError('ProcessGraphInvalid', { reason: 'the graph has no result node' });
  return id;
}

/**
 * When each run last gave the event loop a turn. Node evaluations that only await resolved
 * promises never let timers or other requests run, so a long graph (e.g. a callback over a
 * big array) yields now and then. Keyed by the run's context; nothing is kept after the run.
 */
const lastYield = new WeakMap<ProcessContext, number>();
const YIELD_EVERY_MS = 20;

async function yieldNowAndThen(ctx: ProcessContext): Promise<void> {
  const now = performance.now();
  const last = lastYield.get(ctx);
  if (last === undefined) lastYield.set(ctx, now);
  else if (now - last > YIELD_EVERY_MS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastYield.set(ctx, performance.now());
  }
}

/** Stops the run as soon as the context's signal fires (timeout or cancellation). */
function throwIfAborted(ctx: ProcessContext): void {
  if (!ctx.signal.aborted) return;
  const reason = ctx.signal.reason;
  throw isOpenEOError(reason) ? reason : new OpenEOError('RequestTimeout', { seconds: ctx.config.limits.syncTimeoutSeconds });
}

/** The value of `name` in the innermost scope that has it, wrapped so that undefined values are told apart from missing ones. */
function lookupParameter(scope: Scope | undefined, name: string): { value: unknown } | undefined {
  for (let s = scope; s; s = s.parent) {
    if (Object.prototype.hasOwnProperty.call(s.values, name)) return { value: s.values[name] };
  }
  return undefined;
}

/**
 * A child graph and everything its evaluation would consult, for the callback compiler
 * (src/processes/compile), which reads the graph instead of running it.
 */
export interface CallbackSource {
  graph: ProcessGraph;
  registry: ProcessRegistry;
  ctx: ProcessContext;
  /** A parameter of an enclosing graph (the callback's own parameters are bound by the caller). */
  outerParameter(name: string): { value: unknown } | undefined;
  /** Whether a node without namespace would call a user-defined process of this id instead of the predefined one. */
  isUserProcess(id: string): boolean;
}

/** How a run reaches user-defined processes, and how deep their calls are nested right now. */
export interface CallSettings {
  userProcesses?: UserProcessLookup;
  userCallDepth?: number;
}

export class GraphCallback implements Callback {
  readonly parameterNames: ReadonlySet<string>;

  constructor(
    private readonly graph: ProcessGraph,
    private readonly scope: Scope | undefined,
    private readonly registry: ProcessRegistry,
    private readonly ctx: ProcessContext,
    private readonly calls: CallSettings = {},
  ) {
    this.parameterNames = new Set(collectParameterNames(graph));
  }

  run(parameters: Record<string, unknown>): Promise<unknown> {
    return new GraphRun(this.graph, { values: parameters, parent: this.scope }, this.registry, this.ctx, this.calls).result();
  }

  source(): CallbackSource {
    return {
      graph: this.graph,
      registry: this.registry,
      ctx: this.ctx,
      outerParameter: (name) => lookupParameter(this.scope, name),
      isUserProcess: (id) => this.calls.userProcesses?.(id) !== undefined,
    };
  }
}

function collectParameterNames(value: unknown, into: string[] = []): string[] {
  const name = parameterReference(value);
  if (name !== undefined) into.push(name);
  else if (Array.isArray(value)) value.forEach((v) => collectParameterNames(v, into));
  else if (isRecord(value)) {
    if (isProcessGraphObject(value)) return into; // a nested child has its own parameters
    Object.values(value).forEach((v) => collectParameterNames(v, into));
  }
  return into;
}

export class GraphRun {
  private readonly results = new Map<string, Promise<unknown>>();

  constructor(
    private readonly graph: ProcessGraph,
    private readonly scope: Scope | undefined,
    private readonly registry: ProcessRegistry,
    private readonly ctx: ProcessContext,
    private readonly calls: CallSettings = {},
  ) {}

  result(): Promise<unknown> {
    return this.node(resultNodeId(this.graph));
  }

  private node(id: string): Promise<unknown> {
    let pending = this.results.get(id);
    if (!pending) {
      pending = this.evaluate(id);
      // Avoid unhandled-rejection warnings when a shared node fails before all users await it.
      pending.catch(() => undefined);
      this.results.set(id, pending);
    }
    return pending;
  }

  private async evaluate(id: string): Promise<unknown> {
    const node = nodeById(this.graph, id);
    if (!node) throw new OpenEOError('ProcessGraphInvalid', { reason: `there is no node '${id}'` });
    const userProcess = mayBeUserProcess(node.namespace) ? this.calls.userProcesses?.(node.process_id) : undefined;
    if (userProcess) return this.callUserProcess(userProcess, node.arguments ?? {});
    const definition = node.namespace === 'user' ? undefined : this.registry.get(node.process_id, node.namespace ?? null);
    if (!definition) {
      throw new OpenEOError('ProcessUnsupported', { process: node.process_id, namespace: node.namespace ?? 'backend' });
    }
    const given = await this.skipUnusedBranch(definition.spec.id, node.arguments ?? {});
    const args: Record<string, unknown> = {};
    const names = Object.keys(given);
    const values = await Promise.all(names.map((name) => this.resolve(given[name])));
    names.forEach((name, i) => (args[name] = values[i]));
    for (const p of definition.spec.parameters) {
      if (args[p.name] === undefined && 'default' in p) args[p.name] = p.default;
      if (args[p.name] === undefined) continue;
      if (args[p.name] === null && p.default === null) continue;
      const reason = this.registry.schemas.check(args[p.name], p.schema);
      if (reason !== undefined) throw new OpenEOError('ProcessParameterInvalid', { process: node.process_id, parameter: p.name, reason });
    }
    await yieldNowAndThen(this.ctx);
    throwIfAborted(this.ctx);
    let result: unknown;
    try {
      result = await definition.execute(args, this.ctx);
    } catch (error) {
      if (error instanceof InvalidValue) {
        throw new OpenEOError('ProcessParameterInvalid', { process: node.process_id, parameter: '(arguments)', reason: error.message });
      }
      throw error;
    }
    // Arrays can double with every node (e.g. array_concat of a result with itself): stop early.
    const length = Array.isArray(result) ? result.length : result instanceof LabeledArray ? result.values.length : 0;
    if (length > MAX_ARRAY_LENGTH) {
      throw new OpenEOError('ProcessGraphComplexity', { reason: `'${node.process_id}' produced an array of more than ${MAX_ARRAY_LENGTH} elements` });
    }
    return result;
  }

  /** Runs a user-defined process with the given arguments plus the defaults it declares. */
  private async callUserProcess(process: UserProcessDefinition, given: Record<string, unknown>): Promise<unknown> {
    const depth = (this.calls.userCallDepth ?? 0) + 1;
    if (depth > this.ctx.config.limits.graphMaxDepth) {
      throw new OpenEOError('ProcessGraphComplexity', { reason: `user-defined processes call each other more than ${this.ctx.config.limits.graphMaxDepth} levels deep` });
    }
    const values: Record<string, unknown> = {};
    for (const p of process.parameters ?? []) if ('default' in p) values[p.name] = p.default;
    for (const [name, value] of Object.entries(given)) values[name] = await this.resolve(value);
    await yieldNowAndThen(this.ctx);
    throwIfAborted(this.ctx);
    // Its graph sees only its own parameters, not those of the caller.
    return new GraphRun(process.process_graph, { values }, this.registry, this.ctx, { ...this.calls, userCallDepth: depth }).result();
  }

  /**
   * `if` with a plain condition only needs one of its branches, and `and`/`or` need no second
   * operand once the first decides: what is not needed is not computed at all (it may be
   * expensive, or fail). Conditions over tiles (vectors) need everything.
   */
  private async skipUnusedBranch(processId: string, given: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (processId === 'if' && 'value' in given) {
      const value = await this.resolve(given.value);
      if (value !== null && typeof value !== 'boolean') return given;
      const { accept, reject, ...rest } = given;
      const chosen = value === true ? { accept } : reject === undefined ? {} : { reject };
      return { ...rest, value, ...chosen };
    }
    if ((processId === 'and' || processId === 'or') && 'x' in given) {
      const x = await this.resolve(given.x);
      const decisive = processId === 'and' ? false : true;
      // The first operand alone decides: pass it twice, the result is the same.
      return x === decisive ? { x, y: x } : { ...given, x };
    }
    return given;
  }

  /** Replaces references in an argument value by what they point to. */
  private async resolve(value: unknown): Promise<unknown> {
    const target = nodeReference(value);
    if (target !== undefined) return this.node(target);
    const name = parameterReference(value);
    if (name !== undefined) return this.parameter(name);
    if (isProcessGraphObject(value)) {
      const child = childGraph(value);
      if (!child) throw new OpenEOError('ProcessGraphInvalid', { reason: 'a child process has no valid process_graph' });
      return new GraphCallback(child, this.scope, this.registry, this.ctx, this.calls);
    }
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.resolve(v);
      return out;
    }
    return value;
  }

  private parameter(name: string): unknown {
    const found = lookupParameter(this.scope, name);
    if (found) return found.value;
    throw new OpenEOError('ProcessGraphInvalid', { reason: `parameter '${name}' has no value` });
  }
}

/** Runs a whole graph with the given top-level parameter values. */
export function evaluateGraph(
  graph: ProcessGraph,
  parameters: Record<string, unknown>,
  registry: ProcessRegistry,
  ctx: ProcessContext,
  userProcesses?: UserProcessLookup,
): Promise<unknown> {
  return new GraphRun(graph, { values: parameters }, registry, ctx, { userProcesses }).result();
}
