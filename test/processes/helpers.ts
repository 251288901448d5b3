import { createProcessRegistry } from '../../src/processes';
import { ProcessRegistry } from '../../src/processes/registry';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import { validateProcessGraph, ValidationOptions } from '../../src/processes/graph/validate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { runContext } from '../helpers/processContext';

export { runContext };

export const registry = createProcessRegistry();

export function validate(graph: unknown, options: Partial<ValidationOptions> = {}, reg: ProcessRegistry = registry) {
  return validateProcessGraph(graph, reg, { maxNodes: 100, maxDepth: 5, requireParameterValues: true, ...options });
}

/** Validates, then runs; validation problems are thrown like the API would report them. */
export async function run(graph: ProcessGraph, parameters: Record<string, unknown> = {}, reg: ProcessRegistry = registry) {
  const problems = validate(graph, { parameters: Object.keys(parameters).map((name) => ({ name })) }, reg);
  if (problems.length > 0) throw problems[0];
  return evaluateGraph(graph, parameters, reg, runContext());
}

/** A one-node graph calling `processId` with `args`. */
export function single(processId: string, args: Record<string, unknown>): ProcessGraph {
  return { node: { process_id: processId, arguments: args, result: true } };
}
