/**
 * Runs the openEO process conformance cases (a folder of `<process>.json5` files) in-process
 * through the same validator and executor as the API, and sorts every case into passed, failed
 * or unsupported (a process it needs is not implemented, or an encoding we cannot build).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { isOpenEOError } from '../../errors/OpenEOError';
import { DEFAULT_CONFIG } from '../../config/defaults';
import type { Config } from '../../config/types';
import type { ProcessRegistry } from '../../processes/registry';
import type { ProcessGraph } from '../../processes/graph/types';
import { EMPTY_CATALOG, createWorkDir, removeWorkDir } from '../../processes/runContext';
import { RunService } from '../../processes/run';
import { DEFAULT_DELTA, difference } from './compare';
import { UnsupportedEncoding, decodeArgument, inlineRefs, readCaseFile } from './decode';

export type Outcome = 'passed' | 'failed' | 'unsupported';

export interface CaseResult {
  /** `<process>/<index in the file>`, stable as long as the file's cases keep their order. */
  id: string;
  process: string;
  outcome: Outcome;
  detail?: string;
}

interface TestCase {
  arguments: Record<string, unknown>;
  returns?: unknown;
  throws?: string | boolean;
  required?: string[];
  delta?: number;
}

interface CaseFile {
  id: string;
  level?: string;
  tests: TestCase[];
}

type Result = { value: unknown } | { error: { code: string; message: string } };

/** Runs one process call through the run service, as the API would run it. */
async function execute(processId: string, args: Record<string, unknown>, runs: RunService, config: Config): Promise<Result> {
  const graph = { [processId]: { process_id: processId, arguments: args, result: true } } as unknown as ProcessGraph;
  const workDir = createWorkDir(config);
  try {
    const { value } = await runs.run({ process_graph: graph }, {
      logger: pino({ level: 'silent' }),
      signal: AbortSignal.timeout(60_000),
      workDir,
      defaultOutput: false,
    });
    return { value };
  } catch (error) {
    if (isOpenEOError(error)) return { error: { code: error.code, message: error.message } };
    return { error: { code: 'Internal', message: (error as Error).stack ?? String(error) } };
  } finally {
    await removeWorkDir(workDir);
  }
}

async function runCase(file: CaseFile, index: number, dir: string, runs: RunService, config: Config): Promise<CaseResult> {
  const testCase = file.tests[index];
  const base = { id: `${file.id}/${index}`, process: file.id };
  const missing = [file.id, ...(testCase.required ?? [])].filter((p) => !runs.registry.has(p));
  if (missing.length > 0) return { ...base, outcome: 'unsupported', detail: `not implemented: ${missing.join(', ')}` };
  let args: Record<string, unknown>;
  let expected: unknown;
  try {
    args = decodeArgument(inlineRefs(testCase.arguments, dir)) as Record<string, unknown>;
    expected = inlineRefs(testCase.returns, dir);
  } catch (error) {
    if (error instanceof UnsupportedEncoding) return { ...base, outcome: 'unsupported', detail: error.message };
    throw error;
  }
  const result = await execute(file.id, args, runs, config);
  if ('error' in result) {
    const { code, message } = result.error;
    if (testCase.throws === true || (testCase.throws !== undefined && testCase.throws === code)) return { ...base, outcome: 'passed' };
    const wanted = testCase.throws !== undefined ? `error ${String(testCase.throws)}` : 'a result';
    return { ...base, outcome: 'failed', detail: `expected ${wanted}, got error ${code}: ${message}` };
  }
  if (!('returns' in testCase)) return { ...base, outcome: 'failed', detail: `expected error ${String(testCase.throws)}, got a result` };
  const diff = await difference(result.value, expected, testCase.delta ?? DEFAULT_DELTA);
  return diff === undefined ? { ...base, outcome: 'passed' } : { ...base, outcome: 'failed', detail: diff };
}

/** Runs every case of every `*.json5` file in `dir` (sorted by file name). */
export async function runConformance(dir: string, registry: ProcessRegistry, config: Config = DEFAULT_CONFIG): Promise<CaseResult[]> {
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json5')).sort();
  const results: CaseResult[] = [];
  // Scratch space for runs lives in the system temp folder, not in a server's data directory.
  // Cases are single calls whose arguments may nest deeply; the limits for users' graphs do not apply.
  const runConfig: Config = {
    ...config,
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-conformance-')),
    limits: { ...config.limits, graphMaxNodes: 10_000, graphMaxDepth: 100 },
  };
  const runs = new RunService({ config: runConfig, catalog: EMPTY_CATALOG, registry });
  try {
    for (const name of files) {
      const file = readCaseFile(path.join(dir, name)) as CaseFile;
      if (!file || typeof file.id !== 'string' || !Array.isArray(file.tests)) continue;
      for (let i = 0; i < file.tests.length; i++) {
        try {
          results.push(await runCase(file, i, dir, runs, runConfig));
        } catch (error) {
          results.push({ id: `${file.id}/${i}`, process: file.id, outcome: 'failed', detail: `runner error: ${(error as Error).message}` });
        }
      }
    }
  } finally {
    fs.rmSync(runConfig.dataDir, { recursive: true, force: true });
  }
  return results;
}

export interface Summary {
  perProcess: Map<string, Record<Outcome, number>>;
  total: Record<Outcome, number>;
}

export function summarize(results: CaseResult[]): Summary {
  const perProcess = new Map<string, Record<Outcome, number>>();
  const total = { passed: 0, failed: 0, unsupported: 0 };
  for (const r of results) {
    const counts = perProcess.get(r.process) ?? { passed: 0, failed: 0, unsupported: 0 };
    counts[r.outcome]++;
    total[r.outcome]++;
    perProcess.set(r.process, counts);
  }
  return { perProcess, total };
}

/** Ids on the pass list that did not pass this time. */
export function regressions(results: CaseResult[], passList: string[]): string[] {
  const passed = new Set(results.filter((r) => r.outcome === 'passed').map((r) => r.id));
  return passList.filter((id) => !passed.has(id));
}
