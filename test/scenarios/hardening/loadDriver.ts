/**
 * Loopback load: many clients polling metadata endpoints (job status, collections, processes)
 * while batch jobs and synchronous runs compute. Bounded in clients and time; latencies per
 * endpoint kind are reported.
 */
import http from 'node:http';

export interface LoadOptions {
  baseUrl: string;
  /** Authorization header values; client i uses auths[i % auths.length]. */
  auths: string[];
  clients: number;
  seconds: number;
  /** Job ids whose status the clients poll (owned by auths[0]). */
  jobIds: string[];
  collectionId: string;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadReport {
  requests: number;
  seconds: number;
  throughput: number;
  /** Responses that were not 2xx, or requests that failed, with what went wrong. */
  errors: string[];
  overall: LatencySummary;
  /** Seconds after the start at which requests slower than 1 s began, for locating stalls. */
  slowStarts: number[];
  byKind: Record<string, LatencySummary>;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1] ?? 0) };
}

export function get(baseUrl: string, path: string, auth: string | undefined, agent: http.Agent, timeoutMs = 30_000): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = http.get(url, { agent, headers: auth ? { authorization: auth } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Runs the polling clients for the given time and summarises what they saw. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const kinds: Array<[string, (i: number) => string]> = [
    ['job status', (i) => `/jobs/${options.jobIds[i % options.jobIds.length]}`],
    ['job list', () => '/jobs'],
    ['collections', () => '/collections'],
    ['collection', () => `/collections/${options.collectionId}`],
    ['processes', () => '/processes'],
    ['capabilities', () => '/'],
  ];
  const latencies: Record<string, number[]> = {};
  const errors: string[] = [];
  const slowStarts: number[] = [];
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const client = async (index: number) => {
    // Job status is polled by the clients of the job owner; the others list public metadata.
    const auth = options.auths[index % options.auths.length];
    for (let n = 0; performance.now() < deadline; n++) {
      let [kind, path] = kinds[(index + n) % kinds.length];
      if (kind === 'job status' && index % options.auths.length !== 0) [kind, path] = kinds[2];
      const t0 = performance.now();
      try {
        const res = await get(options.baseUrl, path(n), auth, agent);
        if (res.status !== 200) errors.push(`${path(n)}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      } catch (error) {
        errors.push(`${path(n)}: ${(error as Error).message}`);
      }
      const ms = performance.now() - t0;
      (latencies[kind] ??= []).push(ms);
      if (ms > 1000) slowStarts.push(Math.round((t0 - started) / 100) / 10);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  const all = Object.values(latencies).flat();
  const byKind: Record<string, LatencySummary> = {};
  for (const [kind, values] of Object.entries(latencies)) byKind[kind] = summarize(values);
  return { requests: all.length, seconds, throughput: Math.round(all.length / seconds), errors, overall: summarize(all), byKind, slowStarts: [...new Set(slowStarts)].sort((a, b) => a - b) };
}
