/**
 * The run service itself, as every entry point calls it: validation, parameter defaults, the
 * default output, the pixel budget, hooks, aborting and the caller's user processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { startTestServer, TestServer } from '../helpers/testServer';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { DEMO_DEM_ID, ensureDemoData } from '../../src/catalog/demo/generate';
import { createLogger } from '../../src/logger';
import type { RunFacts, ProcessDocument } from '../../src/processes/run';
import type { UserProcessDefinition } from '../../src/processes/graph/types';

let server: TestServer;
let workDir: string;
const logger = createLogger('silent');

beforeAll(async () => {
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
}, 120_000);
afterAll(() => server?.close());

beforeEach(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-service-'));
});
afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

const runs = () => server.ctx.processing.runs;
const facts = (extra: Partial<RunFacts> = {}): RunFacts => ({ logger, signal: new AbortController().signal, workDir, ...extra });
const loadDem = { process_id: 'load_collection', arguments: { id: DEMO_DEM_ID, spatial_extent: { west: 8.61, south: 47.54, east: 8.66, north: 47.57 }, temporal_extent: null } };

test('a graph with declared parameters runs with their defaults', async () => {
  const doc: ProcessDocument = {
    parameters: [{ name: 'y', schema: { type: 'number' }, default: 5 } as never],
    process_graph: { a: { process_id: 'add', arguments: { x: 1, y: { from_parameter: 'y' } }, result: true } },
  };
  const { value, ctx } = await runs().run(doc, facts());
  expect(value).toBe(6);
  expect(ctx.outputs).toEqual([]);
});

test('an invalid graph is refused before anything runs, with the validator\'s first problem', async () => {
  const doc = { process_graph: { a: { process_id: 'no_such_process', arguments: {}, result: true } } } as ProcessDocument;
  await expect(runs().run(doc, facts())).rejects.toMatchObject({ code: 'ProcessUnsupported' });
});

test('a cube without save_result is written as a GeoTIFF by default, and handed back as a value with defaultOutput false', async () => {
  const doc = { process_graph: { load: { ...loadDem, result: true } } } as ProcessDocument;
  const written = await runs().run(doc, facts());
  expect(written.ctx.outputs.map((o) => o.format)).toEqual(['GTiff']);
  const ds = gdal.open(written.ctx.outputs[0].path);
  expect(ds.rasterSize.x).toBeGreaterThan(0);
  ds.close();

  const kept = await runs().run(doc, facts({ defaultOutput: false }));
  expect(kept.ctx.outputs).toEqual([]);
  expect(fs.readdirSync(workDir).filter((f) => f.endsWith('.tif'))).toHaveLength(1);
  expect((kept.value as { grid: unknown }).grid).toBeTruthy();
});

test('a pixel budget refuses a result larger than it before reading', async () => {
  const doc = { process_graph: { load: { ...loadDem, result: true } } } as ProcessDocument;
  const stats = { inputPixels: 0 };
  await expect(runs().run(doc, facts({ pixelBudget: 10, stats }))).rejects.toMatchObject({ code: 'ProcessGraphComplexity' });
  expect(stats.inputPixels).toBe(0);
});

test('hooks see every process start and end, and the failing one', async () => {
  const seen: string[] = [];
  const doc = {
    process_graph: {
      a: { process_id: 'add', arguments: { x: 1, y: 2 } },
      b: { process_id: 'array_element', arguments: { data: [1], index: { from_node: 'a' } }, result: true },
    },
  } as ProcessDocument;
  const hooks = { before: (id: string) => void seen.push(`before ${id}`), after: (id: string) => void seen.push(`after ${id}`), failed: (id: string) => void seen.push(`failed ${id}`) };
  await expect(runs().run(doc, facts({ hooks }))).rejects.toMatchObject({ code: 'ArrayElementNotAvailable' });
  expect(seen).toEqual(['before add', 'after add', 'before array_element', 'failed array_element', 'after array_element']);
});

test('an aborted signal ends the run with its reason', async () => {
  const controller = new AbortController();
  const reason = new Error('stopped by the caller');
  controller.abort(reason);
  const doc = { process_graph: { load: { ...loadDem, result: true } } } as ProcessDocument;
  await expect(runs().run(doc, facts({ signal: controller.signal }))).rejects.toBe(reason);
});

test('user processes of the caller are callable, and unknown to a caller without them', async () => {
  const double: UserProcessDefinition = {
    id: 'double',
    parameters: [{ name: 'v', schema: { type: 'number' } } as never],
    process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'v' }, y: 2 }, result: true } },
  };
  const doc = { process_graph: { d: { process_id: 'double', arguments: { v: 21 }, result: true } } } as ProcessDocument;
  const { value } = await runs().run(doc, facts({ userProcesses: (id) => (id === 'double' ? double : undefined) }));
  expect(value).toBe(42);
  await expect(runs().run(doc, facts())).rejects.toMatchObject({ code: 'ProcessUnsupported' });
});

test('runs leave no abort listener behind on a signal that outlives them', async () => {
  const controller = new AbortController();
  let listeners = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  const remove = controller.signal.removeEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    if (args[0] === 'abort') listeners++;
    return add(...args);
  }) as AbortSignal['addEventListener'];
  controller.signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    if (args[0] === 'abort') listeners--;
    return remove(...args);
  }) as AbortSignal['removeEventListener'];
  const doc = { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } as ProcessDocument;
  for (let i = 0; i < 20; i++) await runs().run(doc, facts({ signal: controller.signal }));
  expect(listeners).toBe(0);
});
