import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { regressions, runConformance, summarize } from '../../src/tools/conformance/runner';
import { conformanceCommand } from '../../src/tools/conformance/command';
import { registry } from '../processes/helpers';

const CASES = path.join(__dirname, 'fixtures/cases');

describe('conformance runner', () => {
  test('sorts cases into passed, failed and unsupported', async () => {
    const results = await runConformance(CASES, registry);
    const outcome = Object.fromEntries(results.map((r) => [r.id, r.outcome]));
    expect(outcome).toEqual({
      'add/0': 'passed',
      'add/1': 'passed',
      'add/2': 'passed',
      'add/3': 'passed',
      'add/4': 'failed',
      'add/5': 'passed',
      'array_apply/0': 'passed',
      'array_apply/1': 'unsupported',
      'array_element/0': 'passed',
      'array_element/1': 'passed',
      'array_element/2': 'passed',
      'array_element/3': 'passed',
      'date_shift/0': 'passed',
      'no_such_process/0': 'unsupported',
    });
    expect(results.find((r) => r.id === 'add/4')!.detail).toMatch(/expected 3, got 2/);
    const { total, perProcess } = summarize(results);
    expect(total).toEqual({ passed: 11, failed: 1, unsupported: 2 });
    expect(perProcess.get('add')).toEqual({ passed: 5, failed: 1, unsupported: 0 });
    expect(regressions(results, ['add/0', 'add/4', 'array_apply/1'])).toEqual(['add/4', 'array_apply/1']);
  });

  test('the command prints totals, checks and updates a pass list', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passlist-'));
    const lines: string[] = [];
    const errors: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => errors.push(l) };
    try {
      const list = path.join(dir, 'passing.json');
      expect(await conformanceCommand([CASES, '--update', list], registry, out)).toBe(0);
      expect(lines.join('\n')).toMatch(/TOTAL\s+11 passed\s+1 failed\s+2 unsupported/);
      expect(JSON.parse(fs.readFileSync(list, 'utf8'))).toContain('array_element/3');
      expect(await conformanceCommand([CASES, '--check', list], registry, out)).toBe(0);
      fs.writeFileSync(list, JSON.stringify(['add/0', 'add/4']));
      expect(await conformanceCommand([CASES, '--check', list, '--verbose'], registry, out)).toBe(1);
      expect(errors.join('\n')).toMatch(/add\/4: \(result\): expected 3, got 2/);
      expect(lines.join('\n')).toMatch(/add\/4: \(result\): expected 3/);
      expect(await conformanceCommand([path.join(dir, 'missing')], registry, out)).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
