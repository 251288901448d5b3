/**
 * Structural checks of a process graph that need no knowledge of the processes
 * themselves: node shape, one result node, references to existing nodes, no cycles.
 * Child graphs (callbacks such as reducers) are checked the same way, each on its own.
 */

const PROCESS_ID = /^\w+$/;
/** Deeper argument values or callbacks are refused rather than risking the call stack. */
const MAX_NESTING = 100;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects the node ids an argument value reads from, and problems with malformed references. */
function scanArgument(
  value: unknown,
  where: string,
  refs: Set<string>,
  problems: string[],
  childGraphs: Array<[unknown, string]>,
  depth = 0,
): void {
  if (depth > MAX_NESTING) {
    problems.push(`${where}: values are nested more than ${MAX_NESTING} levels deep`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => scanArgument(item, `${where}[${i}]`, refs, problems, childGraphs, depth + 1));
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  if ('from_node' in value) {
    if (typeof value.from_node !== 'string') problems.push(`${where}: 'from_node' must be a node id (a string)`);
    else refs.add(value.from_node);
    if (keys.length > 1) problems.push(`${where}: a 'from_node' reference may not have other properties`);
    return;
  }
  if ('from_parameter' in value) {
    if (typeof value.from_parameter !== 'string') problems.push(`${where}: 'from_parameter' must be a parameter name (a string)`);
    if (keys.length > 1) problems.push(`${where}: a 'from_parameter' reference may not have other properties`);
    return;
  }
  if ('process_graph' in value) {
    childGraphs.push([value.process_graph, `${where}.process_graph`]);
    return;
  }
  for (const [key, item] of Object.entries(value)) scanArgument(item, `${where}.${key}`, refs, problems, childGraphs, depth + 1);
}

/**
 * Node ids on cycles of from_node references, in linear time (graphs can be large):
 * first resolve every node whose inputs resolve, then drop unresolved nodes that no
 * other unresolved node reads from. What is left lies on (or between) cycles.
 */
function nodesOnCycles(edges: Map<string, Set<string>>): string[] {
  const inputs = new Map<string, string[]>();
  const readers = new Map<string, string[]>();
  for (const node of edges.keys()) readers.set(node, []);
  for (const [node, refs] of edges) {
    const known = [...refs].filter((ref) => edges.has(ref));
    inputs.set(node, known);
    for (const ref of known) readers.get(ref)!.push(node);
  }
  const strip = (nodes: Iterable<string>, counted: Map<string, string[]>, affected: Map<string, string[]>): Set<string> => {
    const alive = new Set(nodes);
    const count = new Map<string, number>();
    for (const node of alive) count.set(node, counted.get(node)!.filter((other) => alive.has(other)).length);
    const queue = [...alive].filter((node) => count.get(node) === 0);
    while (queue.length > 0) {
      const node = queue.pop()!;
      alive.delete(node);
      for (const other of affected.get(node)!) {
        if (!alive.has(other)) continue;
        const left = count.get(other)! - 1;
        count.set(other, left);
        if (left === 0) queue.push(other);
      }
    }
    return alive;
  };
  const unresolved = strip(edges.keys(), inputs, readers);
  return [...strip(unresolved, readers, inputs)].sort();
}

/** Every structural problem of `graph`, each prefixed with where it is; empty when the graph is sound. */
export function graphProblems(graph: unknown, where = 'process_graph', depth = 0): string[] {
  if (depth > MAX_NESTING) return [`${where}: callbacks are nested more than ${MAX_NESTING} levels deep`];
  if (!isObject(graph)) return [`${where} must be an object of nodes`];
  const nodeIds = Object.keys(graph);
  if (nodeIds.length === 0) return [`${where} has no nodes`];
  const problems: string[] = [];
  const edges = new Map<string, Set<string>>();
  const resultNodes: string[] = [];
  const childGraphs: Array<[unknown, string]> = [];

  for (const id of nodeIds) {
    const node = graph[id];
    const at = `${where}.${id}`;
    if (!isObject(node)) {
      problems.push(`${at} must be an object with 'process_id' and 'arguments'`);
      continue;
    }
    if (typeof node.process_id !== 'string') problems.push(`${at} has no 'process_id'`);
    else if (!PROCESS_ID.test(node.process_id)) problems.push(`${at}: '${node.process_id}' is not a valid process id`);
    if (node.namespace !== undefined && node.namespace !== null && typeof node.namespace !== 'string') {
      problems.push(`${at}: 'namespace' must be a string or null`);
    }
    if (node.result !== undefined && typeof node.result !== 'boolean') problems.push(`${at}: 'result' must be true or false`);
    if (node.result === true) resultNodes.push(id);
    if (node.description !== undefined && node.description !== null && typeof node.description !== 'string') {
      problems.push(`${at}: 'description' must be a string or null`);
    }
    const refs = new Set<string>();
    if (!isObject(node.arguments)) problems.push(`${at} has no 'arguments' object`);
    else {
      for (const [name, value] of Object.entries(node.arguments)) {
        scanArgument(value, `${at}.arguments.${name}`, refs, problems, childGraphs);
      }
    }
    for (const ref of refs) {
      if (!(ref in graph)) problems.push(`${at} refers to node '${ref}', which does not exist`);
    }
    edges.set(id, refs);
  }

  if (resultNodes.length === 0) problems.push(`${where} has no result node (set "result": true on the last node)`);
  if (resultNodes.length > 1) problems.push(`${where} has ${resultNodes.length} result nodes (${resultNodes.join(', ')}); exactly one is allowed`);
  const cycle = nodesOnCycles(edges);
  if (cycle.length > 0) problems.push(`${where} has a cycle through the nodes ${cycle.join(', ')}`);
  for (const [child, at] of childGraphs) problems.push(...graphProblems(child, at, depth + 1));
  return problems;
}
