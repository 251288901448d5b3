/**
 * Fuzzing every endpoint of GET / with generated and mutated requests. The CI run is short;
 * `npm run fuzz -- --seconds 600 --seed 42` runs the same test for longer (FUZZ_SECONDS, FUZZ_SEED).
 */
import { requireBuiltWorker } from '../../jobs/helpers';
import { checkRawAnswer, fuzz, RAW_CASES, sendRaw } from './fuzzer';
import { heapAfterGcMb, LiveServer, startLiveServer } from './liveServer';

const seconds = Number(process.env.FUZZ_SECONDS ?? 25);
const seed = Number(process.env.FUZZ_SEED ?? 20261126);
const maxRequests = Number(process.env.FUZZ_MAX_REQUESTS ?? 1_000_000);

let live: LiveServer;

beforeAll(async () => {
  requireBuiltWorker();
  // FUZZ_LOG=1 prints the server's error log (stack traces of 500s) for diagnosis.
  live = await startLiveServer({ limits: { syncTimeoutSeconds: 10, syncMaxPixels: 5_000_000 }, ...(process.env.FUZZ_LOG ? { logLevel: 'error' } : {}) });
}, 120_000);

afterAll(async () => {
  await live?.close();
});

test(
  `fuzzed requests get a valid success or a well-formed 4xx openEO error (seed ${seed}, ${seconds} s)`,
  async () => {
    // Warm-up so lazily created caches count in the baseline, not as growth.
    await fuzz(live, { seed: seed + 1, seconds: 3, maxRequests: 200, concurrency: 4, requestTimeoutMs: 30_000 });
    const baseline = heapAfterGcMb();

    const report = await fuzz(live, { seed, seconds, maxRequests, concurrency: 4, requestTimeoutMs: 30_000 });

    const after = heapAfterGcMb();
    console.log(
      `fuzz seed ${seed}: ${report.requests} requests in ${report.seconds.toFixed(1)} s; statuses ${JSON.stringify(report.byStatus)}; ` +
        `codes ${JSON.stringify(report.byCode)}; latency p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms; ` +
        `heap ${baseline.mb} MB before, ${after.mb} MB after${after.collected ? ' (after GC)' : ' (no forced GC possible)'}`,
    );
    expect(report.failures.slice(0, 10)).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
    // Each status class appears: the run exercised successes and errors, not only one kind.
    expect(Object.keys(report.byStatus).some((s) => s.startsWith('2'))).toBe(true);
    expect(Object.keys(report.byStatus).some((s) => s.startsWith('4'))).toBe(true);
    if (after.collected) expect(after.mb - baseline.mb).toBeLessThan(100);

    // The server still answers normally afterwards.
    const res = await fetch(`${live.baseUrl}/collections`, { headers: { authorization: live.auth } });
    expect(res.status).toBe(200);
  },
  (seconds + 120) * 1000,
);

test.each(RAW_CASES)('malformed HTTP (%s) gets a 4xx openEO error or a closed connection, never a 5xx', async (_name, bytes) => {
  const answer = await sendRaw(live.baseUrl, bytes, 10_000);
  expect(checkRawAnswer(answer)).toBeUndefined();
  const res = await fetch(`${live.baseUrl}/`);
  expect(res.status).toBe(200);
});
