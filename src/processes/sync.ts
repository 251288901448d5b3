/**
 * The orchestration behind POST /result and POST /validation: find the process graph in a
 * request, validate it, run it within the synchronous limits, and hand back either the file
 * save_result wrote or the JSON value of the result.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';
import { OpenEOError, isOpenEOError } from '../errors/OpenEOError';
import { assertSyncPixelLimit } from '../raster/limits';
import { isDataCube } from '../raster/cube/DataCube';
import { writeDefaultOutput } from '../raster/output';
import { createProcessRegistry } from '.';
import { ProcessRegistry } from './registry';
import { validateProcessGraph } from './graph/validate';
import { evaluateGraph } from './graph/evaluate';
import { DeclaredParameter, ProcessGraph, UserProcessDefinition, UserProcessLookup, isRecord } from './graph/types';
import { RunLogStore, isLogLevel } from './runLogs';
import { toJsonValue } from './jsonResult';
import { createProcessContext, createWorkDir, removeWorkDir } from './runContext';
import type { ProcessDefinition, SavedOutput } from './types';
import { InvalidValue } from './values';

/** A process (graph plus metadata) as the API sends it. */
export interface ProcessDocument {
  process_graph: ProcessGraph;
  parameters?: DeclaredParameter[];
}

export type SyncOutcome = {
  runId: string;
  /** Gives the user's concurrency slot back; cleanup() does it too. Safe to call more than once. */
  releaseSlot(): void;
  cleanup(): Promise<void>;
} & (
  | { kind: 'file'; output: SavedOutput }
  | { kind: 'json'; value: unknown }
);

export interface ProcessingDeps {
  config: Config;
  logger: Logger;
  catalog: Catalog;
  /** A user's stored process by id (PUT /process_graphs), so graphs can call it; none when absent. */
  findUserProcess?: (userId: string, id: string) => { id: string; process_graph: unknown; parameters?: unknown } | undefined;
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

/** Default values of the declared parameters: what a run without caller-supplied values sees. */
function parameterDefaults(process: ProcessDocument): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const p of process.parameters ?? []) if ('default' in p) values[p.name] = p.default;
  return values;
}

/** Rejects a result cube over the synchronous pixel budget before save_result reads anything. */
function withSyncPixelLimit(registry: ProcessRegistry, limit: number): ProcessRegistry {
  const definitions: ProcessDefinition[] = registry.specs().map((spec) => {
    const definition = registry.get(spec.id)!;
    if (spec.id !== 'save_result') return definition;
    return {
      spec,
      execute(args, ctx) {
        if (isDataCube(args.data)) assertSyncPixelLimit(args.data, limit);
        return definition.execute(args, ctx);
      },
    };
  });
  return new ProcessRegistry(definitions);
}

/** Resolves when the signal fires by rejecting with its reason, so a run never outlives its deadline. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** The JSON body for a result that was not saved as a file. */
function resultAsJson(value: unknown): unknown {
  try {
    return toJsonValue(value);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw new OpenEOError('ProcessGraphInvalid', { reason: 'the result cannot be sent as JSON; store it with save_result' });
  }
}

/** Counts each user's synchronous runs, so one user cannot occupy the server with many at once. */
class SyncSlots {
  private readonly active = new Map<string, number>();

  constructor(private readonly perUser: number) {}

  /** Takes a slot for `userId` or refuses with 429; the returned function gives it back (once). */
  acquire(userId: string): () => void {
    const count = this.active.get(userId) ?? 0;
    if (count >= this.perUser) {
      throw new OpenEOError('TooManyRequests', {
        reason: `You already have ${count} synchronous request${count === 1 ? '' : 's'} computing (limit ${this.perUser}); wait for one to finish or run this one as a batch job.`,
      }).withHeader('Retry-After', '5');
    }
    this.active.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(userId) ?? 1) - 1;
      if (left > 0) this.active.set(userId, left);
      else this.active.delete(userId);
    };
  }
}

export class Processing {
  readonly registry: ProcessRegistry;
  readonly runLogs = new RunLogStore();
  private readonly syncRegistry: ProcessRegistry;
  private readonly syncSlots: SyncSlots;

  constructor(private readonly deps: ProcessingDeps) {
    this.registry = createProcessRegistry();
    this.syncRegistry = withSyncPixelLimit(this.registry, deps.config.limits.syncMaxPixels);
    this.syncSlots = new SyncSlots(deps.config.limits.syncConcurrentPerUser);
  }

  /** Every problem of the process in a POST /validation body ([] when valid); `user` makes their processes callable. */
  validate(body: unknown, user?: User): OpenEOError[] {
    const process = processFromBody(body);
    return validateProcessGraph(process.process_graph, this.registry, this.validationOptions(process, false, user));
  }

  /** The user-defined processes of `user` in the shape the executor calls them. */
  userProcesses(user: User | undefined): UserProcessLookup | undefined {
    const find = this.deps.findUserProcess;
    if (!user || !find) return undefined;
    return (id) => {
      const stored = find(user.id, id);
      if (!stored || !isRecord(stored.process_graph)) return undefined;
      const parameters = Array.isArray(stored.parameters) ? (stored.parameters as DeclaredParameter[]) : [];
      return { id: stored.id, process_graph: stored.process_graph as ProcessGraph, parameters } satisfies UserProcessDefinition;
    };
  }

  private validationOptions(process: ProcessDocument, requireParameterValues: boolean, user?: User) {
    const { limits } = this.deps.config;
    return {
      maxNodes: limits.graphMaxNodes,
      maxDepth: limits.graphMaxDepth,
      parameters: process.parameters,
      catalog: this.deps.catalog,
      requireParameterValues,
      userProcesses: this.userProcesses(user),
    };
  }

  /**
   * Runs the process of a POST /result body for `user`. The caller must call `cleanup()` of the
   * outcome once the response is sent; on failure everything is cleaned up already.
   */
  async runSync(body: unknown, user: User, clientGone?: AbortSignal): Promise<SyncOutcome> {
    const process = processFromBody(body);
    const problems = validateProcessGraph(process.process_graph, this.registry, this.validationOptions(process, true, user));
    if (problems.length > 0) throw problems[0];
    // Held until the result has been handed to the connection, so a download in progress counts as well.
    const releaseSlot = this.syncSlots.acquire(user.id);

    const { config, logger, catalog } = this.deps;
    let workDir: string;
    try {
      workDir = createWorkDir(config);
    } catch (error) {
      // A full or read-only disk: nothing has started yet, so only the slot needs returning.
      releaseSlot();
      logger.error({ err: error }, 'could not create the work folder of a synchronous run');
      throw new OpenEOError('StorageFailure');
    }
    const runId = randomUUID();
    const logLevel = isRecord(body) && isLogLevel(body.log_level) ? body.log_level : 'info';
    this.runLogs.open(runId, user.id, logLevel);
    const controller = new AbortController();
    const seconds = config.limits.syncTimeoutSeconds;
    const timer = setTimeout(() => controller.abort(new OpenEOError('RequestTimeout', { seconds })), seconds * 1000);
    const onClientGone = () => controller.abort(new OpenEOError('BadRequest', { reason: 'the client closed the connection' }));
    clientGone?.addEventListener('abort', onClientGone, { once: true });
    const cleanup = () => {
      releaseSlot();
      return removeWorkDir(workDir);
    };
    const ctx = createProcessContext(
      { config, catalog, user, logger: this.runLogs.logger(runId, logger), signal: controller.signal },
      workDir,
    );
    try {
      const value = await Promise.race([
        evaluateGraph(process.process_graph, parameterDefaults(process), this.syncRegistry, ctx, this.userProcesses(user)),
        whenAborted(controller.signal),
      ]);
      if (ctx.outputs.length === 0 && isDataCube(value)) {
        assertSyncPixelLimit(value, config.limits.syncMaxPixels);
        await Promise.race([writeDefaultOutput(value, ctx), whenAborted(controller.signal)]);
      }
      this.runLogs.add(runId, { level: 'info', message: 'The computation finished.', data: { inputPixels: ctx.stats.inputPixels } });
      if (ctx.outputs.length > 0) return { runId, kind: 'file', output: ctx.outputs[0], releaseSlot, cleanup };
      return { runId, kind: 'json', value: resultAsJson(value), releaseSlot, cleanup };
    } catch (error) {
      await cleanup();
      const failure = isOpenEOError(error) ? error : undefined;
      this.runLogs.add(runId, {
        level: 'error',
        code: failure?.code ?? 'Internal',
        message: failure?.message ?? 'The computation failed because of a server problem.',
      });
      if (failure) {
        failure.withHeader('OpenEO-Identifier', runId).withHeader('Link', `<${config.publicUrl}/result/logs/${runId}>; rel="monitor"`);
      }
      else logger.error({ err: error, runId }, 'synchronous run failed');
      throw error;
    } finally {
      clearTimeout(timer);
      clientGone?.removeEventListener('abort', onClientGone);
    }
  }
}
