/**
 * POST /result and POST /validation: what is their own around the run service (src/processes/run):
 * the per-user slots, the timeout, the run log behind the `monitor` link, and the result as a
 * file to stream or a JSON value.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';
import { OpenEOError, isOpenEOError } from '../errors/OpenEOError';
import { createProcessRegistry } from '.';
import { ProcessRegistry } from './registry';
import { UserProcessLookup, isRecord } from './graph/types';
import { RunLogStore, isLogLevel } from './runLogs';
import { toJsonValue } from './jsonResult';
import { createWorkDir, removeWorkDir } from './runContext';
import { ProcessDocument, RunCaller, RunService, ValidationPurpose, asUserProcess, processFromBody } from './run';
import type { SavedOutput } from './types';
import { InvalidValue } from './values';

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
  readonly runs: RunService;
  readonly runLogs = new RunLogStore();
  private readonly syncSlots: SyncSlots;

  constructor(private readonly deps: ProcessingDeps) {
    this.registry = createProcessRegistry(deps.config);
    this.runs = new RunService({ config: deps.config, catalog: deps.catalog, registry: this.registry });
    this.syncSlots = new SyncSlots(deps.config.limits.syncConcurrentPerUser);
  }

  /** Every problem of the process in a POST /validation body ([] when valid); `user` makes their processes callable. */
  validate(body: unknown, user?: User): OpenEOError[] {
    return this.validateProcess(processFromBody(body), this.caller(user), 'check');
  }

  /** Every problem of a process document for `caller`: what POST /jobs, PUT /process_graphs and runs check. */
  validateProcess(process: ProcessDocument, caller: RunCaller, purpose: ValidationPurpose): OpenEOError[] {
    return this.runs.validate(process, caller, purpose);
  }

  /** The user and their stored processes, as every run of theirs sees them. */
  caller(user: User | undefined): RunCaller {
    return { user, userProcesses: this.userProcesses(user) };
  }

  /** The user-defined processes of `user` in the shape the executor calls them. */
  userProcesses(user: User | undefined): UserProcessLookup | undefined {
    const find = this.deps.findUserProcess;
    if (!user || !find) return undefined;
    return (id) => asUserProcess(find(user.id, id));
  }

  /**
   * Runs the process of a POST /result body for `user`. The caller must call `cleanup()` of the
   * outcome once the response is sent; on failure everything is cleaned up already.
   */
  async runSync(body: unknown, user: User, clientGone?: AbortSignal): Promise<SyncOutcome> {
    const process = processFromBody(body);
    const caller = this.caller(user);
    const problems = this.runs.validate(process, caller, 'run');
    if (problems.length > 0) throw problems[0];
    // Held until the result has been handed to the connection, so a download in progress counts as well.
    const releaseSlot = this.syncSlots.acquire(user.id);

    const { config, logger } = this.deps;
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
    logger.debug({ runId }, 'synchronous run started');
    const controller = new AbortController();
    const seconds = config.limits.syncTimeoutSeconds;
    const timer = setTimeout(() => controller.abort(new OpenEOError('RequestTimeout', { seconds })), seconds * 1000);
    const onClientGone = () => controller.abort(new OpenEOError('BadRequest', { reason: 'the client closed the connection' }));
    clientGone?.addEventListener('abort', onClientGone, { once: true });
    const cleanup = () => {
      releaseSlot();
      return removeWorkDir(workDir);
    };
    try {
      const { value, ctx } = await this.runs.run(process, {
        ...caller,
        logger: this.runLogs.logger(runId),
        signal: controller.signal,
        workDir,
        pixelBudget: config.limits.syncMaxPixels,
      });
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
