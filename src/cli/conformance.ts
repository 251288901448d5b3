/**
 * `npm run conformance -- <dir> [--check list.json] [--update list.json] [--verbose]`
 * Runs the openEO process conformance cases in <dir> and prints passed/failed/unsupported
 * per process and in total. --check fails (exit 1) when a case on the pass list no longer
 * passes; --update rewrites the pass list with every case that passes now.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createProcessRegistry } from '../processes';
import { regressions, runConformance, summarize } from '../processes/conformance/runner';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith('--') && (i === 0 || !['--check', '--update'].includes(args[i - 1])));
  if (!dir || !fs.existsSync(dir)) {
    console.error('usage: npm run conformance -- <folder with *.json5 cases> [--check passing.json] [--update passing.json] [--verbose]');
    return 2;
  }
  const results = await runConformance(path.resolve(dir), createProcessRegistry());
  const { perProcess, total } = summarize(results);
  const verbose = args.includes('--verbose');
  for (const [id, c] of [...perProcess.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${id.padEnd(28)} ${String(c.passed).padStart(4)} passed ${String(c.failed).padStart(4)} failed ${String(c.unsupported).padStart(4)} unsupported`);
    if (verbose) for (const r of results) if (r.process === id && r.outcome === 'failed') console.log(`    ${r.id}: ${r.detail}`);
  }
  console.log(`${'TOTAL'.padEnd(28)} ${String(total.passed).padStart(4)} passed ${String(total.failed).padStart(4)} failed ${String(total.unsupported).padStart(4)} unsupported`);

  const update = option(args, '--update');
  if (update) {
    const passing = results.filter((r) => r.outcome === 'passed').map((r) => r.id);
    fs.mkdirSync(path.dirname(path.resolve(update)), { recursive: true });
    fs.writeFileSync(update, JSON.stringify(passing, null, 1) + '\n');
    console.log(`wrote ${passing.length} passing case ids to ${update}`);
  }
  const check = option(args, '--check');
  if (check) {
    const list = JSON.parse(fs.readFileSync(check, 'utf8')) as string[];
    const lost = regressions(results, list);
    if (lost.length > 0) {
      console.error(`${lost.length} case(s) on ${check} no longer pass:`);
      for (const id of lost) console.error(`  ${id}: ${results.find((r) => r.id === id)?.detail ?? 'case not found'}`);
      return 1;
    }
    console.log(`all ${list.length} cases on ${check} still pass`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
