import type { UserStore } from '../auth/UserStore';
import type { ProcessGraphStore } from '../workspace/ProcessGraphStore';
import type { Processing } from './sync';
import { OpenEOError } from '../errors/OpenEOError';
import { asUserProcess, type ProcessDocument } from './run';
import type { UserProcessLookup } from './graph/types';
import { checkUserProcess, joinProblems } from '../workspace/userProcessDocument';

/** What storing a user process needs of the server: its run service, users and process store. */
export interface UserProcessServices {
  processing: Processing;
  users: UserStore;
  workspace: { processGraphs: ProcessGraphStore };
}

/**
 * What the run service's validator says about a structurally sound graph, with the user's
 * processes callable exactly as in POST /result, and this one too (as stored from now on), so
 * it may call itself.
 */
function validationProblems(ctx: UserProcessServices, userId: string, id: string, process: Record<string, unknown>): string[] {
  const caller = ctx.processing.caller(ctx.users.findById(userId));
  const self = asUserProcess({ ...process, id, process_graph: process.process_graph });
  const userProcesses: UserProcessLookup = (name) => (name === id ? self : caller.userProcesses?.(name));
  return ctx.processing
    .validateProcess(process as unknown as ProcessDocument, { ...caller, userProcesses }, 'check')
    .map((error) => error.message);
}

/**
 * Checks and stores the body of `PUT /process_graphs/{id}` for a user: metadata, graph
 * structure, a clash with a predefined process id and the run service's validation, each
 * reported with every problem found. Replaces a stored process of the same id.
 */
export function storeUserProcess(ctx: UserProcessServices, userId: string, id: string, body: unknown): void {
  const process = checkUserProcess(id, body, (candidate) => ctx.processing.registry.has(candidate));
  const problems = validationProblems(ctx, userId, id, process);
  if (problems.length > 0) throw new OpenEOError('ProcessGraphInvalid', { reason: joinProblems(problems) });
  ctx.workspace.processGraphs.save(userId, process);
}
