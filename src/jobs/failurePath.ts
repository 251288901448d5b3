import type { LogPathStep } from './types';

type Node = { process_id?: unknown; arguments?: unknown };

function nodesOf(graph: unknown): Array<[string, Node]> {
  return graph && typeof graph === 'object' && !Array.isArray(graph) ? (Object.entries(graph) as Array<[string, Node]>) : [];
}

/** The child process graphs passed as arguments of a node (e.g. the reducer of reduce_dimension). */
function childGraphs(value: unknown, into: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => childGraphs(v, into));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.process_graph && typeof record.process_graph === 'object') into.push(record.process_graph);
    else Object.values(record).forEach((v) => childGraphs(v, into));
  }
  return into;
}

function onlyMatch(candidates: Array<[string, Node]>, processId: string): [string, Node] | undefined {
  const matches = candidates.filter(([, n]) => n?.process_id === processId);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Where a failure happened, as a log entry's `path`: the failing node first, then the nodes whose
 * callbacks contain it, up to the top-level graph. `chain` lists the processes that threw, innermost
 * first (an error passes through each enclosing process). Stops where a node cannot be told apart.
 */
export function failurePath(graph: unknown, chain: string[]): LogPathStep[] {
  const levels = chain.filter((p, i) => i === 0 || chain[i - 1] !== p);
  if (levels.length === 0) return [];
  const steps: LogPathStep[] = [];
  let current = onlyMatch(nodesOf(graph), levels[levels.length - 1]);
  for (let i = levels.length - 1; current; i--) {
    steps.push({ node_id: current[0], process_id: levels[i] });
    if (i === 0) break;
    current = onlyMatch(childGraphs(current[1].arguments).flatMap(nodesOf), levels[i - 1]);
  }
  return steps.reverse();
}
