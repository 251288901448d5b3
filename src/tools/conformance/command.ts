/**
 * The `npm run conformance` command: runs the cases of a folder, prints passed/failed/unsupported
 * per process and in total, and checks or rewrites a pass list. Returns the exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProcessRegistry } from '../../processes/registry';
import { regressions, runConformance, summarize } from './runner';

export const USAGE = 'usage: npm run conformance -- <folder with *.json5 cases> [--check passing.json] [--update passing.json] [--verbose]';

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

const row = (name: string, c: { passed: number; failed: number; unsupported: number }) =>
  `${name.padEnd(28)} ${String(c.passed).padStart(4)} passed ${String(c.failed).padStart(4)} failed ${String(c.unsupported).padStart(4)} unsupported`;

export async function conformanceCommand(args: string[], registry: ProcessRegistry, out: Output): Promise<number> {
  const dir = args.find((a, i) => !a.startsWith('--') && (i === 0 || !['--check', '--update'].includes(args[i - 1])));
  if (!dir || !fs.existsSync(dir)) {
    out.error(USAGE);
    return 2;
  }
  const results = await runConformance(path.resolve(dir), registry);
  const { perProcess, total } = summarize(results);
  const verbose = args.includes('--verbose');
  for (const [id, counts] of [...perProcess.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.log(row(id, counts));
    if (verbose) for (const r of results) if (r.process === id && r.outcome === 'failed') out.log(`    ${r.id}: ${r.detail}`);
  }
  out.log(row('TOTAL', total));

  const update = option(args, '--update');
  if (update) {
    const passing = results.filter((r) => r.outcome === 'passed').map((r) => r.id);
    fs.mkdirSync(path.dirname(path.resolve(update)), { recursive: true });
    fs.writeFileSync(update, JSON.stringify(passing, null, 1) + '\n');
    out.log(`wrote ${passing.length} passing case ids to ${update}`);
  }
  const check = option(args, '--check');
  if (check) {
    const list = JSON.parse(fs.readFileSync(check, 'utf8')) as string[];
    const lost = regressions(results, list);
    if (lost.length > 0) {
      out.error(`${lost.length} case(s) on ${check} no longer pass:`);
      for (const id of lost) out.error(`  ${id}: ${results.find((r) => r.id === id)?.detail ?? 'case not found'}`);
      return 1;
    }
    out.log(`all ${list.length} cases on ${check} still pass`);
  }
  return 0;
}
