import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { createProcessRegistry } from '../../src/processes';
import { ProcessRegistry } from '../../src/processes/registry';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import { validateProcessGraph, ValidationOptions } from '../../src/processes/graph/validate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { EMPTY_CATALOG } from '../../src/processes/runContext';
import type { ProcessContext } from '../../src/processes/types';

export const registry = createProcessRegistry();

/** A run context without a work folder: enough for the non-cube processes. */
export function runContext(signal: AbortSignal = new AbortController().signal): ProcessContext {
  return {
    config: DEFAULT_CONFIG,
    catalog: EMPTY_CATALOG,
    logger: pino({ level: 'silent' }),
    signal,
    workDir: '/nonexistent',
    stats: { inputPixels: 0 },
    outputs: [],
  };
}

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
