import { OpenEOError } from '../errors/OpenEOError';
import { graphProblems } from './graphStructure';

/** A stored user-defined process: the openEO process object, graph included. */
export type UserProcess = Record<string, unknown> & { id: string; process_graph: Record<string, unknown> };

export const PROCESS_ID_PATTERN = /^\w+$/;

/** Properties `GET /process_graphs` lists; the graph and the bulky extras only come with the single process. */
const SUMMARY_PROPERTIES = ['id', 'summary', 'description', 'categories', 'parameters', 'returns', 'deprecated', 'experimental'];

/** Optional properties a client may send as null, meaning "not given". */
const NULLABLE_PROPERTIES = ['summary', 'description', 'parameters', 'returns'];

/** Most problems spelled out in one error message; a huge broken graph is summarised, not echoed whole. */
const MAX_LISTED_PROBLEMS = 50;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDataTypeSchema(value: unknown): boolean {
  return isObject(value) || (Array.isArray(value) && value.length > 0 && value.every(isObject));
}

function isUri(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export function joinProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  const more = problems.length - MAX_LISTED_PROBLEMS;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

function parameterProblems(parameters: unknown): string[] {
  if (!Array.isArray(parameters)) return ["'parameters' must be a list"];
  const problems: string[] = [];
  const seen = new Set<string>();
  parameters.forEach((parameter, i) => {
    const at = `parameters[${i}]`;
    if (!isObject(parameter)) {
      problems.push(`${at} must be an object`);
      return;
    }
    if (typeof parameter.name !== 'string' || !PROCESS_ID_PATTERN.test(parameter.name)) {
      problems.push(`${at} needs a 'name' of letters, digits and underscores`);
    } else if (seen.has(parameter.name)) problems.push(`${at}: the name '${parameter.name}' is used twice`);
    else seen.add(parameter.name);
    if (typeof parameter.description !== 'string') problems.push(`${at} needs a 'description'`);
    if (!isDataTypeSchema(parameter.schema)) problems.push(`${at} needs a 'schema' (a JSON schema or a list of them)`);
    for (const flag of ['optional', 'deprecated', 'experimental']) {
      if (parameter[flag] !== undefined && typeof parameter[flag] !== 'boolean') problems.push(`${at}: '${flag}' must be true or false`);
    }
  });
  return problems;
}

/** Problems with the metadata around the graph, all of them at once. */
function metadataProblems(process: Json): string[] {
  const problems: string[] = [];
  for (const key of ['summary', 'description']) {
    if (process[key] !== undefined && typeof process[key] !== 'string') problems.push(`'${key}' must be a string`);
  }
  if (process.categories !== undefined) {
    if (!Array.isArray(process.categories) || !process.categories.every((c) => typeof c === 'string')) {
      problems.push("'categories' must be a list of strings");
    }
  }
  if (process.parameters !== undefined) problems.push(...parameterProblems(process.parameters));
  if (process.returns !== undefined) {
    if (!isObject(process.returns) || !isDataTypeSchema(process.returns.schema)) problems.push("'returns' must be an object with a 'schema'");
    else if (process.returns.description !== undefined && typeof process.returns.description !== 'string') {
      problems.push("'returns.description' must be a string");
    }
  }
  for (const flag of ['deprecated', 'experimental']) {
    if (process[flag] !== undefined && typeof process[flag] !== 'boolean') problems.push(`'${flag}' must be true or false`);
  }
  if (process.exceptions !== undefined) {
    if (!isObject(process.exceptions)) problems.push("'exceptions' must be an object keyed by error code");
    else {
      for (const [code, exception] of Object.entries(process.exceptions)) {
        if (!PROCESS_ID_PATTERN.test(code)) problems.push(`exception code '${code}' may only contain letters, digits and underscores`);
        if (!isObject(exception) || typeof exception.message !== 'string') problems.push(`exception '${code}' needs a 'message'`);
        else if (exception.http !== undefined && !Number.isInteger(exception.http)) problems.push(`exception '${code}': 'http' must be a whole number`);
      }
    }
  }
  if (process.examples !== undefined) {
    if (!Array.isArray(process.examples) || !process.examples.every((e) => isObject(e) && isObject(e.arguments))) {
      problems.push("'examples' must be a list of objects with 'arguments'");
    }
  }
  if (process.links !== undefined) {
    if (!Array.isArray(process.links) || !process.links.every((l) => isObject(l) && typeof l.rel === 'string' && isUri(l.href))) {
      problems.push("'links' must be a list of objects with 'rel' and an absolute URL in 'href'");
    }
  }
  return problems;
}

/**
 * Checks the body of `PUT /process_graphs/{id}` and returns the process to store. The id
 * from the URL wins over one in the body, as the API prescribes. Throws the openEO error
 * that fits, listing every problem found. `isPredefined` tells whether an id is taken by
 * a predefined process.
 */
export function checkUserProcess(id: string, body: unknown, isPredefined: (id: string) => boolean): UserProcess {
  if (!PROCESS_ID_PATTERN.test(id)) {
    throw new OpenEOError('ProcessInvalid', { reason: `the id '${id}' may only contain letters, digits and underscores` });
  }
  if (isPredefined(id)) throw new OpenEOError('PredefinedProcessExists', { identifier: id });
  if (!isObject(body)) throw new OpenEOError('ProcessInvalid', { reason: 'the body must be a JSON object describing the process' });
  if (body.process_graph === undefined || body.process_graph === null) throw new OpenEOError('ProcessGraphMissing');

  const process: Json = { ...body, id };
  for (const key of NULLABLE_PROPERTIES) if (process[key] === null) delete process[key];

  const metadata = metadataProblems(process);
  if (metadata.length > 0) throw new OpenEOError('ProcessInvalid', { reason: joinProblems(metadata) });
  const problems = graphProblems(process.process_graph);
  if (problems.length > 0) throw new OpenEOError('ProcessGraphInvalid', { reason: joinProblems(problems) });
  return process as UserProcess;
}

/** The short form of a process for lists. */
export function summarise(process: UserProcess): Json {
  const summary: Json = {};
  for (const key of SUMMARY_PROPERTIES) if (process[key] !== undefined) summary[key] = process[key];
  return summary;
}
