/**
 * Static validation of a process graph before anything runs. Collects every problem it finds
 * (as openEO errors) instead of stopping at the first.
 */
import { OpenEOError } from '../../errors/OpenEOError';
import type { Catalog } from '../../catalog/types';
import type { ProcessRegistry } from '../registry';
import type { JsonSchema } from '../types';
import { kindsCompatible, schemaKinds } from './schema';
import { DeclaredParameter, ProcessGraph, UserProcessDefinition, UserProcessLookup, childGraph, mayBeUserProcess, nestsDeeperThan, nodeById, isProcessGraphObject, isRecord, nodeReference, parameterReference } from './types';

export interface ValidationOptions {
  maxNodes: number;
  maxDepth: number;
  /** Parameters of the top-level process (name → schema, undefined when unknown). */
  parameters?: DeclaredParameter[];
  /** When given, collection ids are checked against it. */
  catalog?: Catalog;
  /**
   * Whether reading an undeclared top-level parameter is an error. POST /validation must not
   * complain about them (they may be supplied later); a run needs every value.
   */
  requireParameterValues?: boolean;
  /** The user's own processes, callable by id with namespace null or 'user'. */
  userProcesses?: UserProcessLookup;
}

/** Callback parameters visible in a graph, with their schemas; parents' parameters stay visible. */
interface Scope {
  parameters: Map<string, unknown>;
  parent?: Scope;
}

function lookup(scope: Scope | undefined, name: string): { found: boolean; schema?: unknown } {
  for (let s = scope; s; s = s.parent) if (s.parameters.has(name)) return { found: true, schema: s.parameters.get(name) };
  return { found: false };
}

class GraphValidator {
  readonly errors: OpenEOError[] = [];
  private nodeCount = 0;
  private complexityReported = false;
  /** User-defined processes checked already, and those being checked (to find recursion). */
  private readonly userChecked = new Set<string>();
  private readonly userStack: string[] = [];

  constructor(
    private readonly registry: ProcessRegistry,
    private readonly options: ValidationOptions,
  ) {}

  private invalid(reason: string): void {
    this.errors.push(new OpenEOError('ProcessGraphInvalid', { reason }));
  }

  private tooComplex(reason: string): void {
    if (this.complexityReported) return;
    this.complexityReported = true;
    this.errors.push(new OpenEOError('ProcessGraphComplexity', { reason }));
  }

  validateGraph(graph: unknown, scope: Scope | undefined, depth: number, where: string): void {
    if (depth > this.options.maxDepth) {
      this.tooComplex(`child processes are nested more than ${this.options.maxDepth} levels deep`);
      return;
    }
    if (!isRecord(graph) || Object.keys(graph).length === 0) {
      this.invalid(`${where} must be an object with at least one node`);
      return;
    }
    const nodes = graph as ProcessGraph;
    const ids = Object.keys(nodes);
    this.nodeCount += ids.length;
    if (this.nodeCount > this.options.maxNodes) {
      // Checking a huge graph node by node would itself be too much work: stop here.
      this.tooComplex(`more than ${this.options.maxNodes} nodes`);
      return;
    }

    const results = ids.filter((id) => isRecord(nodes[id]) && nodes[id].result === true);
    if (results.length === 0) this.invalid(`${where} has no result node (set "result": true on one node)`);
    if (results.length > 1) this.invalid(`${where} has ${results.length} result nodes (${results.join(', ')}); exactly one is allowed`);

    for (const id of ids) this.validateNode(nodes, id, scope, depth, where);
    this.findCycle(nodes, where);
  }

  private validateNode(nodes: ProcessGraph, id: string, scope: Scope | undefined, depth: number, where: string): void {
    const node = nodes[id] as unknown;
    const at = `node '${id}'${where === 'the process graph' ? '' : ` in ${where}`}`;
    if (!isRecord(node)) return this.invalid(`${at} must be an object`);
    if (typeof node.process_id !== 'string' || node.process_id === '') return this.invalid(`${at} has no process_id`);
    if (node.arguments !== undefined && !isRecord(node.arguments)) return this.invalid(`${at} has arguments that are not an object`);
    if (node.namespace !== undefined && node.namespace !== null && typeof node.namespace !== 'string') {
      return this.invalid(`${at} has a namespace that is not a string`);
    }
    if (node.result !== undefined && typeof node.result !== 'boolean') this.invalid(`${at}: "result" must be true or false`);
    const args = (node.arguments ?? {}) as Record<string, unknown>;
    const processId = node.process_id;
    const namespace = (node.namespace as string | null | undefined) ?? null;
    const userProcess = mayBeUserProcess(namespace) ? this.options.userProcesses?.(processId) : undefined;
    if (userProcess) return this.validateUserCall(userProcess, args, nodes, scope, depth, at);
    const definition = namespace === 'user' ? undefined : this.registry.get(processId, namespace);
    if (!definition) {
      this.errors.push(new OpenEOError('ProcessUnsupported', { process: processId, namespace: namespace ?? 'backend' }));
      // Still check the references so broken graphs report everything.
      for (const value of Object.values(args)) this.validateValue(value, undefined, nodes, scope, depth, at, processId, '');
      return;
    }
    const params = definition.spec.parameters;
    for (const name of Object.keys(args)) {
      if (!params.some((p) => p.name === name)) {
        this.errors.push(new OpenEOError('ProcessParameterUnsupported', { process: processId, parameter: name }));
      }
    }
    for (const p of params) {
      if (!(p.name in args) || args[p.name] === undefined) {
        if (!p.optional) this.errors.push(new OpenEOError('ProcessParameterRequired', { process: processId, parameter: p.name }));
        continue;
      }
      // A null where the parameter defaults to null (e.g. no overlap_resolver) means "not given".
      if (args[p.name] === null && p.default === null) continue;
      this.validateValue(args[p.name], p.schema, nodes, scope, depth, at, processId, p.name);
    }
  }

  /** A call of a user-defined process: its declared parameters, then (once) its own graph. */
  private validateUserCall(
    process: UserProcessDefinition,
    args: Record<string, unknown>,
    nodes: ProcessGraph,
    scope: Scope | undefined,
    depth: number,
    at: string,
  ): void {
    const declared = Array.isArray(process.parameters) ? process.parameters : [];
    for (const name of Object.keys(args)) {
      if (!declared.some((p) => p.name === name)) {
        this.errors.push(new OpenEOError('ProcessParameterUnsupported', { process: process.id, parameter: name }));
      }
    }
    for (const p of declared) {
      if (args[p.name] === undefined) {
        if (!p.optional && !('default' in p)) {
          this.errors.push(new OpenEOError('ProcessParameterRequired', { process: process.id, parameter: p.name }));
        }
        continue;
      }
      const value = args[p.name];
      const schema = usableSchema(p.schema);
      if (schema !== undefined && !containsReference(value)) {
        const reason = this.registry.schemas.checkKind(value, schema);
        if (reason !== undefined) this.parameterInvalid(process.id, p.name, reason);
      } else {
        this.validateValue(value, schema, nodes, scope, depth, at, process.id, p.name);
      }
    }
    if (this.userStack.includes(process.id)) {
      this.invalid(`the user-defined process '${process.id}' calls itself (${[...this.userStack, process.id].join(' → ')})`);
      return;
    }
    if (this.userChecked.has(process.id)) return;
    this.userChecked.add(process.id);
    this.userStack.push(process.id);
    // A user-defined process sees only its own parameters, not those of the caller.
    const ownScope: Scope = { parameters: new Map(declared.map((p) => [p.name, usableSchema(p.schema)])) };
    this.validateGraph(process.process_graph, ownScope, depth + 1, `the user-defined process '${process.id}'`);
    this.userStack.pop();
  }

  private parameterInvalid(process: string, parameter: string, reason: string): void {
    this.errors.push(new OpenEOError('ProcessParameterInvalid', { process, parameter, reason }));
  }

  /** Checks one argument value: references, child processes, nested arrays/objects and plain values. */
  private validateValue(
    value: unknown,
    schema: unknown,
    nodes: ProcessGraph,
    scope: Scope | undefined,
    depth: number,
    at: string,
    processId: string,
    parameter: string,
  ): void {
    const target = nodeReference(value);
    if (target !== undefined) {
      const producer = nodeById(nodes, target);
      if (!isRecord(producer)) return this.invalid(`${at} refers to node '${target}', which does not exist in the same graph`);
      const def = typeof producer.process_id === 'string' ? this.registry.get(producer.process_id, producer.namespace ?? null) : undefined;
      if (def && schema !== undefined && !kindsCompatible(schemaKinds(def.spec.returns.schema), schemaKinds(schema))) {
        this.parameterInvalid(processId, parameter, `the result of '${producer.process_id}' (node '${target}') has the wrong type`);
      }
      return;
    }
    const name = parameterReference(value);
    if (name !== undefined) {
      const found = lookup(scope, name);
      if (!found.found) {
        if (!this.options.requireParameterValues) return;
        return this.invalid(`${at} reads parameter '${name}', which is not defined`);
      }
      if (schema !== undefined && found.schema !== undefined && !kindsCompatible(schemaKinds(found.schema), schemaKinds(schema))) {
        this.parameterInvalid(processId, parameter, `parameter '${name}' has the wrong type`);
      }
      return;
    }
    if (isProcessGraphObject(value)) {
      const child = childGraph(value);
      const callbackSchema = findProcessGraphSchema(schema);
      if (schema !== undefined && !callbackSchema) {
        this.parameterInvalid(processId, parameter, 'a child process is not allowed here');
        return;
      }
      if (!child) return this.invalid(`${at}: the child process of '${parameter}' has no valid process_graph`);
      const declared = (callbackSchema?.parameters as Array<{ name: string; schema?: unknown }> | undefined) ?? [];
      const childScope: Scope = { parameters: new Map(declared.map((p) => [p.name, p.schema])), parent: scope };
      this.validateGraph(child, childScope, depth + 1, `the child process of ${at}`);
      return;
    }
    if (containsReference(value)) {
      // Arrays/objects with references inside: check the references, and the container's kind.
      const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
      for (const item of items) this.validateValue(item, itemSchema(schema, Array.isArray(value)), nodes, scope, depth, at, processId, parameter);
      const kind = Array.isArray(value) ? 'array' : 'object';
      if (schema !== undefined && !kindsCompatible(new Set([kind]), schemaKinds(schema))) {
        this.parameterInvalid(processId, parameter, `an ${kind} is not allowed here`);
      }
      return;
    }
    if (schema === undefined) return;
    const reason = this.registry.schemas.check(value, schema);
    if (reason !== undefined) return this.parameterInvalid(processId, parameter, reason);
    if (this.options.catalog && typeof value === 'string' && hasSubtype(schema, 'collection-id') && !this.options.catalog.get(value)) {
      this.errors.push(new OpenEOError('CollectionNotFound', { identifier: value }));
    }
  }

  private findCycle(nodes: ProcessGraph, where: string): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): boolean => {
      const s = state.get(id);
      if (s === 'done') return false;
      if (s === 'visiting') {
        this.invalid(`${where} contains a cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}`);
        return true;
      }
      state.set(id, 'visiting');
      const node = nodes[id];
      const deps = isRecord(node) ? directDependencies(node.arguments) : [];
      for (const dep of deps) if (isRecord(nodeById(nodes, dep)) && visit(dep, [...path, id])) return true;
      state.set(id, 'done');
      return false;
    };
    for (const id of Object.keys(nodes)) if (visit(id, [])) return;
  }
}

/** Node ids an argument value refers to directly (not inside child processes). */
export function directDependencies(value: unknown): string[] {
  const target = nodeReference(value);
  if (target !== undefined) return [target];
  if (isProcessGraphObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(directDependencies);
  if (isRecord(value)) return Object.values(value).flatMap(directDependencies);
  return [];
}

/** A schema from a user's document, if it is one we can check against (anything else is not checked). */
function usableSchema(schema: unknown): unknown {
  if (isRecord(schema) || (Array.isArray(schema) && schema.every(isRecord))) return schema;
  return undefined;
}

function containsReference(value: unknown): boolean {
  if (nodeReference(value) !== undefined || parameterReference(value) !== undefined || isProcessGraphObject(value)) return true;
  if (Array.isArray(value)) return value.some(containsReference);
  if (isRecord(value)) return Object.values(value).some(containsReference);
  return false;
}

function alternatives(schema: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(schema)) return schema.flatMap(alternatives);
  if (!isRecord(schema)) return [];
  if (Array.isArray(schema.anyOf)) return schema.anyOf.flatMap(alternatives);
  if (Array.isArray(schema.oneOf)) return schema.oneOf.flatMap(alternatives);
  return [schema];
}

function findProcessGraphSchema(schema: unknown): Record<string, unknown> | undefined {
  if (schema === undefined) return {};
  return alternatives(schema).find((s) => s.subtype === 'process-graph');
}

function hasSubtype(schema: unknown, subtype: string): boolean {
  return alternatives(schema).some((s) => s.subtype === subtype);
}

/** The schema of elements of an array parameter (undefined when it can't be told). */
function itemSchema(schema: unknown, isArray: boolean): unknown {
  if (schema === undefined) return undefined;
  if (!isArray) {
    // Objects whose values share one schema, e.g. the property filters of load_collection and load_stac.
    const maps = alternatives(schema).filter((s) => s.type === 'object' && isRecord(s.additionalProperties));
    return maps.length === 1 ? maps[0].additionalProperties : undefined;
  }
  const arrays = alternatives(schema).filter((s) => s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array')));
  if (arrays.length !== 1) return undefined;
  const items = arrays[0].items;
  return isRecord(items) || Array.isArray(items) ? items : undefined;
}

/** Validates a graph and returns every problem found ([] when it can run). */
/** How deeply JSON values may nest in a graph (child processes included); far beyond any real graph. */
export const MAX_JSON_NESTING = 1000;

export function validateProcessGraph(graph: unknown, registry: ProcessRegistry, options: ValidationOptions): OpenEOError[] {
  if (nestsDeeperThan(graph, MAX_JSON_NESTING)) {
    return [new OpenEOError('ProcessGraphComplexity', { reason: `values are nested more than ${MAX_JSON_NESTING} levels deep` })];
  }
  const validator = new GraphValidator(registry, options);
  const topScope: Scope = {
    parameters: new Map((options.parameters ?? []).map((p) => [p.name, p.schema as JsonSchema | undefined])),
  };
  validator.validateGraph(graph, topScope, 0, 'the process graph');
  return validator.errors;
}
