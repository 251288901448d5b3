/**
 * The fuzzer: generated and mutated requests against every endpoint a running server lists in
 * GET /, each checked to be a valid success or a well-formed openEO error with a 4xx status.
 * Request number i of seed s is generated from its own Random, so one case can be replayed alone.
 */
import http from 'node:http';
import net from 'node:net';
import { ERROR_CODES } from '../../../src/errors/codes';
import { Random } from '../../helpers/random';
import { fuzzGraph, junkSegment, junkValue, malformedJson } from './generators';

export interface FuzzTarget {
  baseUrl: string;
  /** A valid `Authorization` header value. */
  auth: string;
  /** Values for path parameters that exist (job_id, collection_id, process_graph_id, path, run_id…). */
  known: Record<string, string>;
  collection: string;
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many seconds… */
  seconds: number;
  /** …or after this many requests, whichever comes first. */
  maxRequests: number;
  concurrency: number;
  /** A response slower than this counts as a hang. */
  requestTimeoutMs: number;
}

export interface FuzzRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzFailure {
  request: { index: number; method: string; path: string; bodyStart?: string };
  problem: string;
}

export interface FuzzReport {
  requests: number;
  seconds: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  failures: FuzzFailure[];
  latencyMs: { p50: number; p99: number; max: number };
}

interface Endpoint {
  path: string;
  methods: string[];
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function fillPath(rnd: Random, template: string, known: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    if (rnd.chance(0.6) && known[name] !== undefined) return known[name];
    if (name === 'path' && rnd.chance(0.4)) return `${junkSegment(rnd)}/${junkSegment(rnd)}`;
    return junkSegment(rnd);
  });
}

function query(rnd: Random): string {
  if (!rnd.chance(0.3)) return '';
  const names = ['limit', 'next', 'level', 'partial', 'offset', 'expires', 'signature', 'x'];
  const values = ['', '0', '-1', '1', '10', '1e9', '99999999999999999999', 'abc', '%00', 'debug', 'true', encodeURIComponent('日本'), '%FF', 'a&b'];
  const parts: string[] = [];
  for (let i = rnd.int(1, 3); i > 0; i--) parts.push(`${rnd.pick(names)}${rnd.chance(0.9) ? `=${rnd.pick(values)}` : ''}`);
  return `?${parts.join('&')}`;
}

function authHeader(rnd: Random, valid: string): string | undefined {
  const r = rnd.next();
  if (r < 0.6) return valid;
  if (r < 0.75) return undefined;
  return rnd.pick([
    'Bearer basic//invalid', 'Bearer oidc/x/y', 'Bearer ', 'Bearer', 'Basic !!!', 'Basic ' + Buffer.from('nobody:wrong').toString('base64'),
    'Bearer basic//' + 'a'.repeat(5000), 'Bearer oidc/' + '%00', 'Digest x', valid + 'x', `Bearer basic//${encodeURIComponent('日本')}`,
  ]);
}

/** The JSON document a well-behaved client would send to a path, before any damage. */
function validBody(rnd: Random, method: string, path: string, collection: string): unknown {
  const graph = fuzzGraph(rnd, collection);
  if (path === '/result') return { process: { process_graph: graph }, log_level: rnd.pick(['debug', 'info', 'x', 3]) };
  if (path === '/validation') return rnd.chance(0.5) ? { process_graph: graph } : { process: { process_graph: graph } };
  if (path === '/jobs' || path.startsWith('/jobs/')) {
    return { title: rnd.chance(0.8) ? 'fuzz' : junkValue(rnd), description: rnd.chance(0.8) ? 'd' : junkValue(rnd), process: { process_graph: graph }, plan: rnd.chance(0.1) ? junkValue(rnd) : undefined, budget: rnd.chance(0.1) ? junkValue(rnd) : undefined, log_level: rnd.chance(0.1) ? junkValue(rnd) : 'info' };
  }
  if (path.startsWith('/process_graphs/')) {
    return { summary: rnd.chance(0.8) ? 's' : junkValue(rnd), process_graph: graph, parameters: rnd.chance(0.7) ? [] : junkValue(rnd), returns: rnd.chance(0.2) ? junkValue(rnd) : undefined };
  }
  return junkValue(rnd);
}

/** Generates request number `index` of a run with `seed`. */
export function generateRequest(seed: number, index: number, endpoints: Endpoint[], target: FuzzTarget): FuzzRequest {
  const rnd = new Random(Math.imul(seed, 2654435761) ^ Math.imul(index + 1, 40503));
  const endpoint = rnd.pick(endpoints);
  const method = rnd.chance(0.9) ? rnd.pick(endpoint.methods) : rnd.pick(METHODS);
  const path = fillPath(rnd, endpoint.path, target.known) + query(rnd);
  const headers: Record<string, string> = {};
  const auth = authHeader(rnd, target.auth);
  if (auth !== undefined) headers.authorization = auth;
  let body: Buffer | undefined;
  if (['POST', 'PUT', 'PATCH'].includes(method) || rnd.chance(0.05)) {
    if (endpoint.path.startsWith('/files/') && method === 'PUT') {
      body = Buffer.from(Array.from({ length: rnd.int(0, 4096) }, () => rnd.int(0, 255)));
      headers['content-type'] = rnd.pick(['application/octet-stream', 'application/json', 'image/tiff', 'text/plain']);
    } else {
      const text = JSON.stringify(validBody(rnd, method, endpoint.path, target.collection)) ?? 'null';
      const r = rnd.next();
      const sent = r < 0.65 ? text : r < 0.9 ? malformedJson(rnd, text) : JSON.stringify(junkValue(rnd)) ?? '';
      body = Buffer.from(sent, rnd.chance(0.97) ? 'utf8' : 'utf16le');
      headers['content-type'] = rnd.chance(0.9)
        ? 'application/json'
        : rnd.pick(['text/plain', 'application/xml', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'multipart/form-data', '']);
    }
    if (rnd.chance(0.02)) headers['content-encoding'] = rnd.pick(['gzip', 'br', 'x-nonsense']);
  }
  return { index, method, path, headers, body };
}

function send(baseUrl: string, req: FuzzRequest, timeoutMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers['content-length'] = req.body.length;
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no complete answer within ${timeoutMs} ms (hang)`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

const SPEC_CODES = new Set(Object.keys(ERROR_CODES));

/** What is wrong with a response, or undefined when it is a valid success or a proper openEO error. */
export function checkResponse(req: FuzzRequest, res: Response, processExceptions: Set<string> = new Set()): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
  if (res.status < 200 || res.status >= 600) return `unexpected status ${res.status}`;
  const type = String(res.headers['content-type'] ?? '');
  if (res.status >= 400) {
    if (req.method === 'HEAD') return undefined;
    if (!type.startsWith('application/json')) return `error ${res.status} with content type '${type}'`;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return `error ${res.status} whose body is not JSON`;
    }
    // A failed job's results answer with its last log entry (424), as the API defines.
    if (res.status === 424) return typeof body.message === 'string' && typeof body.level === 'string' ? undefined : 'malformed 424 log entry';
    if (typeof body.id !== 'string' || typeof body.code !== 'string' || typeof body.message !== 'string' || body.message.length === 0) {
      return `error body lacks id/code/message: ${JSON.stringify(body).slice(0, 300)}`;
    }
    if (body.links !== undefined && !Array.isArray(body.links)) return 'error links is not an array';
    if (SPEC_CODES.has(body.code)) {
      const expected = ERROR_CODES[body.code as keyof typeof ERROR_CODES].status;
      // An API code reused as a process exception (e.g. FileNotFound of a loader) may also come as a process failure (400).
      if (expected === res.status || (res.status === 400 && processExceptions.has(body.code))) return undefined;
      return `code ${body.code} sent with status ${res.status} instead of ${expected}`;
    }
    // Processes define their own exception codes (GET /processes); they are client errors.
    if (processExceptions.has(body.code)) return res.status === 400 ? undefined : `process exception ${body.code} sent with status ${res.status}`;
    return `unknown error code ${body.code}`;
    return undefined;
  }
  if (type.startsWith('application/json') && req.method !== 'HEAD' && res.body.length > 0) {
    try {
      JSON.parse(res.body.toString('utf8'));
    } catch {
      return `success ${res.status} with a JSON content type but a body that does not parse`;
    }
  }
  return undefined;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function listEndpoints(baseUrl: string): Promise<Endpoint[]> {
  const res = await send(baseUrl, { index: -1, method: 'GET', path: '/', headers: {} }, 10_000);
  return (JSON.parse(res.body.toString('utf8')) as { endpoints: Endpoint[] }).endpoints;
}

/** The exception codes the processes of GET /processes declare. */
export async function processExceptionCodes(baseUrl: string): Promise<Set<string>> {
  const res = await send(baseUrl, { index: -1, method: 'GET', path: '/processes', headers: {} }, 10_000);
  const { processes } = JSON.parse(res.body.toString('utf8')) as { processes: Array<{ exceptions?: Record<string, unknown> }> };
  return new Set(processes.flatMap((p) => Object.keys(p.exceptions ?? {})));
}

/** Runs the fuzzer until its time or request budget is used up. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const endpoints = await listEndpoints(target.baseUrl);
  const exceptions = await processExceptionCodes(target.baseUrl);
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  const latencies: number[] = [];
  let next = 0;

  const worker = async () => {
    while (Date.now() < deadline && next < options.maxRequests) {
      const req = generateRequest(options.seed, next++, endpoints, target);
      const t0 = performance.now();
      let problem: string | undefined;
      try {
        const res = await send(target.baseUrl, req, options.requestTimeoutMs);
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        if (res.status >= 400 && String(res.headers['content-type']).startsWith('application/json')) {
          try {
            const code = (JSON.parse(res.body.toString('utf8')) as { code?: string }).code ?? '?';
            byCode[code] = (byCode[code] ?? 0) + 1;
          } catch {
            // Reported by checkResponse.
          }
        }
        problem = checkResponse(req, res, exceptions);
      } catch (error) {
        problem = `request failed: ${(error as Error).message}`;
      }
      latencies.push(performance.now() - t0);
      if (problem) {
        const bodyStart = req.body?.toString('utf8').slice(0, 400);
        failures.push({ request: { index: req.index, method: req.method, path: req.path.slice(0, 200), bodyStart }, problem });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds: (Date.now() - started) / 1000,
    byStatus,
    byCode,
    failures,
    latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1] ?? 0) },
  };
}

/** Requests Node's HTTP parser itself must reject or handle: the layer below Express. */
export const RAW_CASES: Array<[string, Buffer]> = [
  ['garbage request line', Buffer.from('GARBAGE\r\n\r\n')],
  ['NUL in the path', Buffer.from('GET /collections/a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['space in the path', Buffer.from('GET /collections/a b HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['raw UTF-8 in the path', Buffer.from('GET /collections/日本🙂 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8')],
  ['invalid UTF-8 in the path', Buffer.concat([Buffer.from('GET /files/'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')])],
  ['broken percent escape', Buffer.from('GET /collections/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['oversized header', Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)],
  ['non-numeric Content-Length', Buffer.from('POST /validation HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')],
  ['malformed chunk', Buffer.from('POST /validation HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n')],
  ['Content-Length and chunked together', Buffer.from('POST /validation HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
  ['unknown HTTP version', Buffer.from('GET / HTTP/9.9\r\nHost: x\r\n\r\n')],
  ['Latin-1 bytes in a header', Buffer.concat([Buffer.from('GET /jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer basic//'), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n\r\n')])],
  ['control character in a header', Buffer.from('GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001\r\n\r\n')],
  ['body shorter than announced', Buffer.from('POST /validation HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"process_graph":')],
];

/** Writes raw bytes to the server and returns what comes back before the connection closes (bounded in time). */
export function sendRaw(baseUrl: string, bytes: Buffer, timeoutMs: number, endAfterWrite = true): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.write(bytes, () => {
      if (endAfterWrite) socket.end();
    });
  });
}

/** What is wrong with a raw answer: it must be a 4xx with an openEO error body, or a 2xx; a closed connection without an answer is accepted. */
export function checkRawAnswer(answer: string): string | undefined {
  if (answer === '') return undefined;
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
  if (!status) return `not an HTTP response: ${answer.slice(0, 100)}`;
  if (status >= 500) return `HTTP ${status}: ${answer.slice(0, 300)}`;
  if (status >= 400) {
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      if (typeof parsed.code !== 'string' || typeof parsed.message !== 'string' || typeof parsed.id !== 'string') return `error without id/code/message: ${body.slice(0, 200)}`;
    } catch {
      return `error ${status} without an openEO error body: ${answer.slice(0, 200)}`;
    }
  }
  return undefined;
}
