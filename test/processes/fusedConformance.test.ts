/**
 * The openEO process conformance cases of every compilable process, run through compiled
 * callbacks: each case becomes a child graph whose numeric operands come from input planes
 * (every combination of them), run node by node and compiled. Wherever the node-by-node run
 * gives the case's expected result (for cases on our pass list), the compiled run must give it
 * too, and both must always agree element by element.
 *
 * The cases live outside this repository (../shared/openeo/processes/tests); without them this
 * file reports that it has nothing to check instead of passing silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeArgument, inlineRefs, readCaseFile } from '../../src/tools/conformance/decode';
import { DEFAULT_DELTA } from '../../src/tools/conformance/compare';
import { compilableProcesses } from '../../src/processes/compile/rules';
import { LabeledArray } from '../../src/processes/values';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { CallbackCase, compileCase, firstDifference, kernelOf, nodePath, runFused } from './fusedHelpers';

const CASES_DIR = path.resolve(__dirname, '../../../shared/openeo/processes/tests');
const available = fs.existsSync(CASES_DIR);
const PASSING = new Set<string>(JSON.parse(fs.readFileSync(path.join(__dirname, '../conformance/passing.json'), 'utf8')));

/** Parameters holding the values a process computes with (as opposed to settings such as `p` of round). */
const OPERANDS: Record<string, string[]> = {
  log: ['x', 'base'],
  power: ['base', 'p'],
  exp: ['p'],
  arctan2: ['y', 'x'],
  if: ['value', 'accept', 'reject'],
};
const ARRAY_PROCESSES = new Set(['sum', 'mean', 'product', 'min', 'max', 'median', 'variance', 'sd', 'first', 'last', 'all', 'any', 'count', 'array_element']);

interface TestCase {
  arguments: Record<string, unknown>;
  returns?: unknown;
  delta?: number;
}

/** A value as a raster cell: null is no-data, booleans 1 and 0; undefined when it is no scalar. */
function cellOf(value: unknown): number | undefined {
  if (value === null) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'nodata') return NaN;
  return undefined;
}

function sameCell(actual: number, expected: number, delta: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= delta;
}

/** Subsets of `items` with at least one element. */
function subsets<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}

/**
 * The case as child graphs over planes: the chosen operands become elements of `data` (one
 * plane each, read with array_element), or `data` itself for array processes.
 */
function variants(processId: string, args: Record<string, unknown>): Array<{ c: CallbackCase; planes: number[][] }> {
  if (ARRAY_PROCESSES.has(processId)) {
    const data = args.data;
    const values = data instanceof LabeledArray ? data.values : Array.isArray(data) ? data : undefined;
    const cells = values?.map(cellOf);
    if (!values || cells!.some((v) => v === undefined)) return [];
    const labels = data instanceof LabeledArray ? data.labels : values.map((_, k) => k);
    const graph: ProcessGraph = { r: { process_id: processId, arguments: { ...args, data: { from_parameter: 'data' } }, result: true } };
    return [{ c: { name: processId, graph, convention: 'reducer', labels }, planes: cells!.map((v) => [v!]) }];
  }
  const names = (OPERANDS[processId] ?? ['x', 'y']).filter((n) => n in args && cellOf(args[n]) !== undefined);
  return subsets(names).map((lifted) => {
    const graph: ProcessGraph = {};
    const callArgs: Record<string, unknown> = { ...args };
    lifted.forEach((name, k) => {
      graph[`in${k}`] = { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, index: k } };
      callArgs[name] = { from_node: `in${k}` };
    });
    graph.r = { process_id: processId, arguments: callArgs, result: true };
    const labels = lifted.map((_, k) => k);
    return { c: { name: `${processId} (${lifted.join(', ')} per pixel)`, graph, convention: 'reducer' as const, labels }, planes: lifted.map((n) => [cellOf(args[n])!]) };
  });
}

/**
 * Whether any argument holds text or objects (child processes, dates), or a setting (not an
 * operand) is no-data: such cases the compiler may leave to the general path.
 */
function hasNonNumericArguments(processId: string, args: Record<string, unknown>): boolean {
  const visit = (v: unknown): boolean => {
    if (typeof v === 'string') return true;
    if (v instanceof LabeledArray) return v.values.some(visit);
    if (Array.isArray(v)) return v.some(visit);
    return v !== null && typeof v === 'object';
  };
  const operands = ARRAY_PROCESSES.has(processId) ? ['data'] : OPERANDS[processId] ?? ['x', 'y'];
  return Object.entries(args).some(([name, v]) => visit(v) || (v === null && !operands.includes(name)));
}

interface Tally {
  cases: number;
  runs: number;
  expectedMet: number;
  notCompiled: string[];
}

async function runProcess(processId: string): Promise<Tally> {
  const file = readCaseFile(path.join(CASES_DIR, `${processId}.json5`)) as { tests: TestCase[] };
  const tally: Tally = { cases: 0, runs: 0, expectedMet: 0, notCompiled: [] };
  for (let i = 0; i < file.tests.length; i++) {
    const id = `${processId}/${i}`;
    const testCase = file.tests[i];
    if (!PASSING.has(id) || !('returns' in testCase)) continue;
    const expected = cellOf(inlineRefs(testCase.returns, CASES_DIR));
    if (expected === undefined) continue;
    const args = decodeArgument(inlineRefs(testCase.arguments, CASES_DIR)) as Record<string, unknown>;
    tally.cases++;
    for (const { c, planes } of variants(processId, args)) {
      const input = planes.map((p) => Float64Array.from(p));
      let node: Float64Array[];
      try {
        node = await nodePath(c, input, 1);
      } catch {
        // Node by node the lifted case fails (e.g. a boolean where numbers are required): nothing may be compiled either.
        expect({ id, compiled: compileCase(c) }).toEqual({ id, compiled: null });
        continue;
      }
      const compiled = compileCase(c);
      if (!compiled) {
        tally.notCompiled.push(`${id}: ${c.name}${hasNonNumericArguments(processId, args) ? '' : ' (numbers only!)'}`);
        continue;
      }
      tally.runs++;
      const fused = runFused(kernelOf(compiled), input, 1);
      expect({ id, variant: c.name, difference: firstDifference(fused, node) }).toEqual({ id, variant: c.name, difference: undefined });
      if (sameCell(node[0][0], expected, testCase.delta ?? DEFAULT_DELTA)) {
        tally.expectedMet++;
        expect({ id, variant: c.name, value: fused[0][0], met: sameCell(fused[0][0], expected, testCase.delta ?? DEFAULT_DELTA) }).toEqual({
          id, variant: c.name, value: fused[0][0], met: true,
        });
      }
    }
  }
  return tally;
}

const processes = compilableProcesses().filter((id) => !available || fs.existsSync(path.join(CASES_DIR, `${id}.json5`)));

describe('conformance cases through compiled callbacks', () => {
  if (!available) {
    test('needs the openEO process cases in ../shared/openeo/processes/tests', () => {
      console.warn(`fused conformance: ${CASES_DIR} not found, nothing checked`);
      expect(available).toBe(false);
    });
    return;
  }

  const totals: Tally = { cases: 0, runs: 0, expectedMet: 0, notCompiled: [] };

  test.each(processes)('%s', async (processId) => {
    const tally = await runProcess(processId);
    totals.cases += tally.cases;
    totals.runs += tally.runs;
    totals.expectedMet += tally.expectedMet;
    totals.notCompiled.push(...tally.notCompiled);
    // Cases of plain numbers are always compiled; only text, dates and child processes fall back.
    expect(tally.notCompiled.filter((n) => n.endsWith('(numbers only!)'))).toEqual([]);
  });

  test('the cases were really exercised', () => {
    expect(totals.cases).toBeGreaterThan(400);
    expect(totals.runs).toBeGreaterThan(600);
    expect(totals.expectedMet).toBeGreaterThan(500);
  });
});
