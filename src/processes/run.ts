/**
 * The run service: the one way a process graph is checked and run, whoever starts it
 * (POST /result, a batch job's worker, the conformance runner; later map tiles, remote workers,
 * UDFs). Given a process document and the facts of one run it validates, applies the declared
 * parameters' defaults, evaluates, and writes a data cube without save_result in the default
 * format. Entry points keep only what is their own (slots and timeouts, IPC and publishing).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';
import { OpenEOError } from '../errors/OpenEOError';
import { assertSyncPixelLimit } from '../raster/limits';
import { isDataCube } from '../raster/cube/DataCube';
import { writeDefaultOutput } from '../output/save';
import { ProcessRegistry } from './registry';
import { validateProcessGraph } from './graph/validate';
import { evaluateGraph } from './graph/evaluate';
import { DeclaredParameter, ProcessGraph, UserProcessDefinition, UserProcessLookup, isRecord, mayBeUserProcess } from './graph/types';
import { createProcessContext } from './runContext';
import type { ProcessContext, ProcessDefinition } from './types';
import type { LoadView } from '../run/context';

/** A process (graph plus declared parameters) as the API sends it. */
export interface ProcessDocument {
  process_graph: ProcessGraph;
  parameters?: DeclaredParameter[];
}

/** Per-process instrumentation of a run (progress, logging, throttling); every hook is optional. */
export interface RunHooks {
  /** Called before a process starts with its evaluated arguments; may wait. */
  before?(processId: string, args: Record<string, unknown>, ctx: ProcessContext): Promise<void> | void;
  /** Called after each process call ends, with its value when it succeeded. */
  after?(processId: string, args: Record<string, unknown>, value?: unknown): void;
  /** Called with the id of each process that throws (innermost first). */
  failed?(processId: string, error: unknown): void;
}

/** Who runs a graph: the user, and their stored processes as graphs may call them. */
export interface RunCaller {
  user?: User;
  userProcesses?: UserProcessLookup;
}

/** The facts of one run besides the graph. */
export interface RunFacts extends RunCaller {
  /** Where the processes' log lines go. */
  logger: Logger;
  /** Ends the run (timeout, client gone); the run rejects with the signal's reason. */
  signal: AbortSignal;
  /** A private folder of this run; save_result and the default output write here. */
  workDir: string;
  /**
   * Most cube cells (width × height × dates × bands) a loaded cube or the result may have,
   * refused before anything is read; no limit when absent.
   */
  pixelBudget?: number;
  hooks?: RunHooks;
  /**
   * Whether a data cube result without save_result is written in the default format (the
   * default); false hands it back as the value (the conformance runner compares it).
   */
  defaultOutput?: boolean;
  /** Counters to fill (pixels read), for a caller that reports them even when the run fails. */
  stats?: { inputPixels: number };
  /** Internal, for map tiles: load_collection and load_stac read only this view, at about its resolution. */
  view?: LoadView;
  /** False: save_result hands its data on instead of writing a file (map tiles use the result cube itself). */
  saveFiles?: boolean;
}

/** What a run produced: files in `ctx.outputs` (possibly none) and the graph's value. */
export interface RunResult {
  value: unknown;
  ctx: ProcessContext;
}

/** Whether a validation is for running now (every parameter needs a value) or only for checking. */
export type ValidationPurpose = 'run' | 'check';

export interface RunServiceDeps {
  config: Config;
  catalog: Catalog;
  registry: ProcessRegistry;
}

/** Finds the process in a request body: `{process_graph}` itself or wrapped as `{process: {process_graph}}`. */
export function processFromBody(body: unknown): ProcessDocument {
  const candidate = isRecord(body) && !('process_graph' in body) && isRecord(body.process) ? body.process : body;
  if (!isRecord(candidate) || candidate.process_graph === undefined) throw new OpenEOError('ProcessGraphMissing');
  const parameters = candidate.parameters;
  if (parameters !== undefined && !(Array.isArray(parameters) && parameters.every((p) => isRecord(p) && typeof p.name === 'string'))) {
    throw new OpenEOError('ProcessInvalid', { reason: '`parameters` must be a list of objects with a name' });
  }
  return candidate as unknown as ProcessDocument;
}

/** A stored process in the shape the executor calls it; undefined when it has no graph. */
export function asUserProcess(stored: { id: string; process_graph: unknown; parameters?: unknown } | undefined): UserProcessDefinition | undefined {
  if (!stored || !isRecord(stored.process_graph)) return undefined;
  const parameters = Array.isArray(stored.parameters) ? (stored.parameters as DeclaredParameter[]) : [];
  return { id: stored.id, process_graph: stored.process_graph as ProcessGraph, parameters };
}

/** A lookup over a fixed list of processes (what a worker got in its start message). */
export function lookupOf(definitions: UserProcessDefinition[]): UserProcessLookup {
  const byId = new Map(definitions.map((d) => [d.id, d]));
  return (id) => byId.get(id);
}

/**
 * The user processes a graph may call, directly, in callbacks or through other user processes:
 * what a run elsewhere (a worker process, another host) needs to be given.
 */
export function reachableUserProcesses(graph: unknown, lookup: UserProcessLookup | undefined): UserProcessDefinition[] {
  const found = new Map<string, UserProcessDefinition>();
  if (!lookup) return [];
  const pending: unknown[] = [graph];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (isRecord(value)) {
      if (typeof value.process_id === 'string' && mayBeUserProcess(value.namespace) && !found.has(value.process_id)) {
        const definition = lookup(value.process_id);
        if (definition) {
          found.set(definition.id, definition);
          pending.push(definition.process_graph);
        }
      }
      pending.push(...Object.values(value));
    }
  }
  return [...found.values()];
}

/** Default values of the declared parameters: what a run without caller-supplied values sees. */
function parameterDefaults(process: ProcessDocument): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const p of process.parameters ?? []) if ('default' in p) values[p.name] = p.default;
  return values;
}

/**
 * The work, or a rejection with the signal's reason as soon as it fires, so a run never outlives
 * its deadline. The listener goes once the work settles: one signal may outlive many runs (a
 * batch job's, or a caller's), and listeners left behind would pile up on it.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** The registry with each definition replaced by `wrap(id, definition)`; implementations are unchanged. */
function wrapped(registry: ProcessRegistry, wrap: (definition: ProcessDefinition) => ProcessDefinition): ProcessRegistry {
  return new ProcessRegistry(registry.specs().map((spec) => wrap(registry.get(spec.id)!)));
}

/** save_result refuses a result cube over the budget before it reads anything. */
function withPixelBudget(registry: ProcessRegistry, budget: number): ProcessRegistry {
  return wrapped(registry, (definition) => {
    if (definition.spec.id !== 'save_result') return definition;
    return {
      spec: definition.spec,
      execute(args, ctx) {
        if (isDataCube(args.data)) assertSyncPixelLimit(args.data, budget);
        return definition.execute(args, ctx);
      },
    };
  });
}

/** save_result returns its data and writes nothing. */
function withoutSaving(registry: ProcessRegistry): ProcessRegistry {
  return wrapped(registry, (definition) => {
    if (definition.spec.id !== 'save_result') return definition;
    return { spec: definition.spec, execute: (args) => args.data };
  });
}

function withHooks(registry: ProcessRegistry, hooks: RunHooks): ProcessRegistry {
  return wrapped(registry, (definition) => ({
    spec: definition.spec,
    async execute(args, ctx) {
      const id = definition.spec.id;
      await hooks.before?.(id, args, ctx);
      let value: unknown;
      try {
        value = await definition.execute(args, ctx);
        return value;
      } catch (error) {
        hooks.failed?.(id, error);
        throw error;
      } finally {
        hooks.after?.(id, args, value);
      }
    },
  }));
}

export class RunService {
  readonly registry: ProcessRegistry;
  private readonly budgeted = new Map<string, ProcessRegistry>();
  private unsaving?: ProcessRegistry;

  constructor(private readonly deps: RunServiceDeps) {
    this.registry = deps.registry;
  }

  /** Every problem that would stop the process from running ([] when none). */
  validate(process: ProcessDocument, caller: RunCaller, purpose: ValidationPurpose): OpenEOError[] {
    const { limits } = this.deps.config;
    return validateProcessGraph(process.process_graph, this.registry, {
      maxNodes: limits.graphMaxNodes,
      maxDepth: limits.graphMaxDepth,
      parameters: process.parameters,
      catalog: this.deps.catalog,
      // A run has no caller-supplied values: every parameter it reads needs a default.
      requireParameterValues: purpose === 'run',
      userProcesses: caller.userProcesses,
    });
  }

  /**
   * Validates and runs the process; rejects with the first problem, the processes' error, or
   * the signal's reason. Files are left in `facts.workDir` for the caller to send or publish.
   */
  async run(process: ProcessDocument, facts: RunFacts): Promise<RunResult> {
    const problems = this.validate(process, facts, 'run');
    if (problems.length > 0) throw problems[0];
    const { config, catalog } = this.deps;
    const ctx = createProcessContext({ config, catalog, user: facts.user, logger: facts.logger, signal: facts.signal }, facts.workDir);
    if (facts.stats) ctx.stats = facts.stats;
    if (facts.pixelBudget !== undefined) ctx.syncPixelLimit = facts.pixelBudget;
    if (facts.view) ctx.view = facts.view;
    const registry = this.registryFor(facts);
    const value = await untilAborted(
      evaluateGraph(process.process_graph, parameterDefaults(process), registry, ctx, facts.userProcesses),
      facts.signal,
    );
    if (facts.defaultOutput !== false && ctx.outputs.length === 0 && isDataCube(value)) {
      if (facts.pixelBudget !== undefined) assertSyncPixelLimit(value, facts.pixelBudget);
      await untilAborted(writeDefaultOutput(value, ctx), facts.signal);
    }
    return { value, ctx };
  }

  private registryFor(facts: RunFacts): ProcessRegistry {
    let registry = this.registry;
    if (facts.saveFiles === false) registry = this.unsaving ??= withoutSaving(registry);
    if (facts.pixelBudget !== undefined) {
      const budget = facts.pixelBudget;
      const key = `${budget}:${facts.saveFiles !== false}`;
      registry = this.budgeted.get(key) ?? withPixelBudget(registry, budget);
      this.budgeted.set(key, registry);
    }
    return facts.hooks ? withHooks(registry, facts.hooks) : registry;
  }
}
