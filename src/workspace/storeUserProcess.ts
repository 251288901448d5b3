import type { ServerContext } from '../context';
import { OpenEOError } from '../errors/OpenEOError';
import { checkUserProcess, joinProblems } from './userProcessDocument';

/**
 * What the executor's validator says about a structurally sound graph. Calls of the
 * user's own processes (or of this one, recursively) are not unknown processes: the
 * registry only knows the predefined ones.
 */
function executorProblems(ctx: ServerContext, userId: string, id: string, process: Record<string, unknown>): string[] {
  const ownProcess = (name: unknown) => typeof name === 'string' && (name === id || ctx.workspace.processGraphs.find(userId, name) !== undefined);
  return ctx.processing
    .validate(process)
    .filter((error) => !(error.code === 'ProcessUnsupported' && ownProcess(error.details.process)))
    .map((error) => error.message);
}

/**
 * Checks and stores the body of `PUT /process_graphs/{id}` for a user: metadata, graph
 * structure, a clash with a predefined process id and the executor's validation, each
 * reported with every problem found. Replaces a stored process of the same id.
 */
export function storeUserProcess(ctx: ServerContext, userId: string, id: string, body: unknown): void {
  const process = checkUserProcess(id, body, (candidate) => ctx.processing.registry.has(candidate));
  const problems = executorProblems(ctx, userId, id, process);
  if (problems.length > 0) throw new OpenEOError('ProcessGraphInvalid', { reason: joinProblems(problems) });
  ctx.workspace.processGraphs.save(userId, process);
}
