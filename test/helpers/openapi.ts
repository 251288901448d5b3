import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

/**
 * Validates response bodies against the openEO API 1.2 definition in ../shared/openeo/api.
 * The definition is reference material outside this repository: where it is missing,
 * `openapiAvailable` is false and the conformance assertions say so instead of passing silently.
 */
export const OPENAPI_FILE = path.resolve(__dirname, '../../../shared/openeo/api/openapi.yaml');
export const openapiAvailable = fs.existsSync(OPENAPI_FILE);

let ajv: Ajv | undefined;
let spec: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> } | undefined;
const cache = new Map<string, ValidateFunction>();

function load(): void {
  if (ajv) return;
  spec = YAML.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
  nullableWithoutType(spec);
  oneOfAsAnyOf(spec);
  serviceUrlAsTemplate(spec);
  // The spec's regular expressions are written for plain (non-unicode) JavaScript regex syntax.
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false });
  addFormats(ajv);
  for (const f of ['commonmark', 'url', 'mime-type', 'epsg-code', 'temporal-interval', 'bounding-box']) ajv.addFormat(f, true);
  ajv.addSchema(spec as object, 'openapi');
}

/**
 * A web-map link (`rel: "xyz"`, a collection's preview) is a URI template with `{z}/{x}/{y}` that
 * maps fill in; it is checked as the URI it becomes for tile 0/0/0.
 */
function expandXyzLinks(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { links?: unknown }).links)) return body;
  const links = (body as { links: Array<Record<string, unknown>> }).links.map((link) =>
    link.rel === 'xyz' && typeof link.href === 'string' ? { ...link, href: link.href.replace(/\{[zxy]\}/g, '0') } : link,
  );
  return { ...body, links };
}

/**
 * An XYZ service's `url` is by convention a template with literal `{z}/{x}/{y}` that web maps
 * (the Web Editor's too) fill in; braces are not allowed in a plain URI, so that one property
 * is checked as an RFC 6570 URI template, which every plain URI also is.
 */
function serviceUrlAsTemplate(doc: unknown): void {
  const url = (doc as { components?: { schemas?: { service?: { properties?: { url?: { format?: string } } } } } }).components?.schemas?.service?.properties?.url;
  if (url?.format === 'uri') url.format = 'uri-template';
}

/**
 * The spec uses `oneOf` for unions whose branches overlap (a plain parameter schema matches both
 * the "Generic" and the "Process Graph" branch of process_json_schema), meaning "one of these kinds"
 * rather than JSON Schema's "exactly one". Read literally no file-format parameter could ever be
 * valid, so the union is checked as `anyOf`.
 */
function oneOfAsAnyOf(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(oneOfAsAnyOf);
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (Array.isArray(obj.oneOf) && obj.anyOf === undefined) {
    obj.anyOf = obj.oneOf;
    delete obj.oneOf;
  }
  Object.values(obj).forEach(oneOfAsAnyOf);
}

/**
 * ajv refuses OpenAPI's `nullable` on schemas without `type` (e.g. a nullable `allOf`, as in
 * batch job results and process metadata); such a schema means "this, or null".
 */
function nullableWithoutType(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullableWithoutType);
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  Object.values(record).forEach(nullableWithoutType);
  if (record.nullable === true && !('type' in record)) {
    const { nullable: _nullable, ...schema } = record;
    for (const key of Object.keys(record)) delete record[key];
    record.anyOf = [{ type: 'null' }, schema];
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function responseKey(responses: Record<string, unknown>, status: number): string | undefined {
  if (responses[String(status)]) return String(status);
  const range = `${String(status)[0]}XX`;
  if (responses[range]) return range;
  return responses.default ? 'default' : undefined;
}

/**
 * Returns the list of schema violations of `body` for the given operation and status ([] when valid).
 * `apiPath` is the path template as written in the spec, e.g. `/collections/{collection_id}`.
 */
export function specViolations(apiPath: string, method: string, status: number, body: unknown): string[] {
  load();
  const operation = spec!.paths[apiPath]?.[method.toLowerCase()];
  if (!operation) throw new Error(`openapi.yaml has no ${method.toUpperCase()} ${apiPath}`);
  const key = responseKey(operation.responses, status);
  // A few public endpoints (GET /conformance) list no 4XX, yet any request can be malformed (a broken
  // Authorization header, say); the API's error handling says such answers carry the shared error object.
  const fallback = !key && status >= 400 && status < 500 ? { $ref: '#/components/responses/client_error' } : undefined;
  if (!key && !fallback) throw new Error(`openapi.yaml defines no response ${status} for ${method.toUpperCase()} ${apiPath}`);
  // Shared responses ($ref to components/responses) are resolved by ajv through the pointer.
  let pointer = `openapi#/paths/${escapePointer(apiPath)}/${method.toLowerCase()}/responses/${key}`;
  let response = (key ? operation.responses[key] : fallback) as { $ref?: string; content?: Record<string, unknown> };
  if (response.$ref) {
    pointer = `openapi${response.$ref}`;
    const parts = response.$ref.replace(/^#\//, '').split('/');
    response = parts.reduce<any>((node, part) => node[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  const mediaType = response.content && Object.keys(response.content).find((t) => t.includes('json'));
  if (!mediaType) return body === undefined || body === '' || (typeof body === 'object' && body !== null && Object.keys(body).length === 0) ? [] : ['the spec defines no JSON body for this response'];
  const ref = `${pointer}/content/${escapePointer(mediaType)}/schema`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = ajv!.compile({ $ref: ref });
    cache.set(ref, validate);
  }
  if (validate(expandXyzLinks(body))) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

/** Every path template the spec defines, e.g. `/jobs/{job_id}/results`. */
export function specOperationPaths(): string[] {
  load();
  return Object.keys(spec!.paths);
}

/** Jest-friendly assertion: throws with every violation listed. Needs ../shared (see openapiAvailable). */
export function expectMatchesSpec(apiPath: string, method: string, res: { status: number; body: unknown }): void {
  if (!openapiAvailable) return;
  const problems = specViolations(apiPath, method, res.status, res.body);
  if (problems.length > 0) {
    throw new Error(`${method.toUpperCase()} ${apiPath} (${res.status}) does not match openapi.yaml:\n  ${problems.join('\n  ')}`);
  }
}
