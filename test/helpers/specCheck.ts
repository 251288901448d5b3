import type { IncomingMessage, ServerResponse } from 'node:http';
import { openapiAvailable, specOperationPaths, specViolations } from './openapi';

/**
 * Checks every response an app sends against openapi.yaml, so route tests verify the API
 * document without asserting it in each test. Problems are collected here and reported by the
 * `afterEach` hook of test/helpers/specCheckSetup.ts, failing the test that caused them.
 */
const problems: string[] = [];

/** Takes the problems found since the last call. */
export function takeSpecProblems(): string[] {
  return problems.splice(0, problems.length);
}

interface Template {
  path: string;
  pattern: RegExp;
  params: number;
}

let templates: Template[] | undefined;

/** The spec's paths as patterns; `{path}` of the file endpoints may hold slashes. */
function specTemplates(): Template[] {
  if (templates) return templates;
  templates = specOperationPaths()
    .map((path) => {
      const source = path
        .split(/(\{[^}]+\})/)
        .map((part) => (part === '{path}' ? '.+' : part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      return { path, pattern: new RegExp(`^${source}$`), params: (path.match(/\{/g) ?? []).length };
    })
    // Literal paths first: /jobs/{job_id}/results before /jobs/{job_id}/{…}.
    .sort((a, b) => a.params - b.params);
  return templates;
}

/** The spec path a request path belongs to, or undefined for our own extensions. */
export function specPathOf(urlPath: string): string | undefined {
  return specTemplates().find((t) => t.pattern.test(urlPath))?.path;
}

function isJson(res: ServerResponse): boolean {
  return /json/i.test(String(res.getHeader('content-type') ?? ''));
}

/** Validates one finished response; binary bodies (files, images) cannot be checked and are skipped. */
function check(req: IncomingMessage, res: ServerResponse, chunks: Buffer[], sawBinary: boolean): void {
  const urlPath = (req.url ?? '/').split('?')[0];
  const apiPath = specPathOf(urlPath);
  const method = (req.method ?? 'GET').toLowerCase();
  if (!apiPath || method === 'head' || sawBinary) return;
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text === '' ? undefined : isJson(res) ? JSON.parse(text) : text;
  } catch {
    problems.push(`${req.method} ${req.url} (${res.statusCode}) sent a JSON content type with a body that is not JSON`);
    return;
  }
  let found: string[];
  try {
    found = specViolations(apiPath, method, res.statusCode, body);
  } catch (error) {
    // No such operation is an extension of ours (e.g. HEAD); no such status is a finding.
    if (/has no /.test((error as Error).message)) return;
    found = [(error as Error).message];
  }
  // A body where the spec defines none is a file of a JSON type (GeoJSON from the workspace), not an API document.
  if (body !== undefined) found = found.filter((p) => !p.startsWith('the spec defines no JSON body'));
  if (found.length > 0) problems.push(`${req.method} ${req.url} (${res.statusCode}) does not match openapi.yaml ${apiPath}:\n    ${found.join('\n    ')}`);
}

/** Collects what the app writes and checks it when the response ends. */
function watch(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let sawBinary = false;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (!isJson(res)) {
      const empty = (typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) && (chunk as { length: number }).length === 0;
      if (!empty) sawBinary = true;
      return;
    }
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    check(req, res, chunks, sawBinary);
    return end(...args);
  }) as typeof res.end;
}

/**
 * The same app, checking each response against the API document on its way out. Without
 * ../shared/openeo the app is returned unchanged.
 */
export function specChecked<T extends (req: IncomingMessage, res: ServerResponse, ...rest: any[]) => unknown>(app: T): T {
  if (!openapiAvailable) return app;
  return new Proxy(app, {
    apply(target, thisArg, args: [IncomingMessage, ServerResponse, ...unknown[]]) {
      watch(args[0], args[1]);
      return Reflect.apply(target, thisArg, args);
    },
  });
}
