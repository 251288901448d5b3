/** The JSON shape of an openEO process graph, as clients send it. */
export interface ProcessNode {
  process_id: string;
  namespace?: string | null;
  arguments: Record<string, unknown>;
  result?: boolean;
  description?: string;
}

export type ProcessGraph = Record<string, ProcessNode>;

/** A parameter a (user-defined) process declares, e.g. in the `process` object of POST /result. */
export interface DeclaredParameter {
  name: string;
  schema?: unknown;
  optional?: boolean;
  default?: unknown;
}

/** A plain JSON object (not an array, and not a run-time value such as a labeled array or cube). */
/** A user-defined process (stored with PUT /process_graphs) as other graphs can call it. */
export interface UserProcessDefinition {
  id: string;
  process_graph: ProcessGraph;
  parameters?: DeclaredParameter[];
}

/** Finds a user-defined process of the current user by id. */
export type UserProcessLookup = (id: string) => UserProcessDefinition | undefined;

/** Whether a node's namespace lets it name a user-defined process (null prefers them, 'user' requires them). */
export function mayBeUserProcess(namespace: unknown): boolean {
  return namespace === undefined || namespace === null || namespace === 'user';
}

/**
 * Whether JSON nests arrays/objects deeper than `limit`, checked without recursion so that
 * absurdly deep input cannot overflow the stack of the (recursive) validator and executor.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The node with this id, looking only at the graph's own keys (never at inherited ones like `constructor`). */
export function nodeById(graph: ProcessGraph, id: string): ProcessNode | undefined {
  return Object.prototype.hasOwnProperty.call(graph, id) ? graph[id] : undefined;
}

/** `{from_node: id}`; the only key such an object may have. */
export function nodeReference(value: unknown): string | undefined {
  if (!isRecord(value) || !('from_node' in value) || Object.keys(value).length !== 1) return undefined;
  return typeof value.from_node === 'string' ? value.from_node : undefined;
}

/** `{from_parameter: name}`; tests written for API 0.4 use `from_argument`, read the same way. */
export function parameterReference(value: unknown): string | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  const name = 'from_parameter' in value ? value.from_parameter : 'from_argument' in value ? value.from_argument : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** `{process_graph: {...}}`: a child process (callback). */
export function childGraph(value: unknown): ProcessGraph | undefined {
  if (!isRecord(value) || !('process_graph' in value)) return undefined;
  return isRecord(value.process_graph) ? (value.process_graph as ProcessGraph) : undefined;
}

export function isProcessGraphObject(value: unknown): boolean {
  return isRecord(value) && 'process_graph' in value;
}
