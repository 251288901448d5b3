import fs from 'node:fs';
import path from 'node:path';

import { DEMO_DEM_ID } from '../../src/catalog/demo/generate';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Job workers are child processes running the compiled dist/jobs/worker.js. Fails the test
 * with a clear message when dist/ is missing or older than the job sources.
 */
export function requireBuiltWorker(): void {
  const worker = path.join(ROOT, 'dist/jobs/worker.js');
  if (!fs.existsSync(worker)) throw new Error('dist/jobs/worker.js is missing: run `npm run build` (tsc -p tsconfig.json) before these tests');
  // Every source file of the jobs layer, sub-folders included, against its compiled file.
  const sources = fs.readdirSync(path.join(ROOT, 'src/jobs'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
  for (const name of sources) {
    const compiled = path.join(ROOT, 'dist/jobs', name.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(path.join(ROOT, 'src/jobs', name)).mtimeMs) {
      throw new Error(`dist/jobs/${name.replace(/\.ts$/, '.js')} is older than src/jobs/${name}: run \`npm run build\` before these tests`);
    }
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A process graph of `n` chained additions whose result is n + 1: cheap, but n nodes long. */
export function additionChain(n: number): { process_graph: Record<string, unknown> } {
  const graph: Record<string, unknown> = { n1: { process_id: 'add', arguments: { x: 1, y: 1 } } };
  for (let i = 2; i <= n; i++) graph[`n${i}`] = { process_id: 'add', arguments: { x: { from_node: `n${i - 1}` }, y: 1 } };
  (graph[`n${n}`] as Record<string, unknown>).result = true;
  return { process_graph: graph };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Half the demo elevation model, saved as GTiff with `options`: a per-pixel job that splits into blocks. */
export function halvedDemGraph(options: Record<string, unknown> = {}) {
  return {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: null, temporal_extent: null } },
      scale: {
        process_id: 'apply',
        arguments: {
          data: { from_node: 'load' },
          process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 0.5 }, result: true } } },
        },
      },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'scale' }, format: 'GTiff', options }, result: true },
    },
  };
}
