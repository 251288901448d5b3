import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { closeContext, createContext } from '../../src/server';
import { createApp } from '../../src/app';
import type { ServerContext } from '../../src/context';
import { tempDir, writeGeoTiff } from './rasters';

const FILES = 2000;
let root: string;

beforeAll(async () => {
  root = tempDir('catalog-perf-');
  const template = path.join(root, 'template.tif');
  await writeGeoTiff(template, { width: 4, height: 4 });
  const folder = path.join(root, 'series');
  fs.mkdirSync(folder);
  for (let i = 0; i < FILES; i++) {
    const date = new Date(Date.UTC(2010, 0, 1) + i * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    fs.copyFileSync(template, path.join(folder, `P_${date}_B1.tif`));
  }
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function open(): Promise<ServerContext> {
  const config = loadConfig({
    file: path.resolve(__dirname, '../../config.json'),
    env: {},
    overrides: {
      dataDir: path.join(root, 'server'),
      logLevel: 'silent',
      demo: false,
      // Requests between rescans are answered from memory, as with the default setting.
      collections: { sources: [{ type: 'folder', path: path.join(root, 'series'), id: 'P', pattern: 'P_{date}_{band}.tif' }], rescanSeconds: 60 },
    },
  });
  return createContext(config, createLogger('silent'));
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

test(`a series of ${FILES} files: rescans and restarts skip GDAL, listings stay cheap`, async () => {
  // Cold: every file is opened with GDAL once.
  const [first, cold] = await timed(open);
  expect(first.catalog.items('P')).toHaveLength(FILES);
  // Nothing changed: the rescan only stats the files.
  const [, rescan] = await timed(() => first.catalog.refresh!(true));
  closeContext(first);
  // Restart: the descriptions come from the SQLite cache.
  const [second, restart] = await timed(open);
  try {
    expect(second.catalog.items('P')).toHaveLength(FILES);
    const app = createApp(second);
    // Build the documents once, then compare a served listing with a trivial endpoint.
    await request(app).get('/collections/P');
    const [baseline] = await Promise.all([timed(() => request(app).get('/conformance'))]);
    const [[res, describe]] = await Promise.all([timed(() => request(app).get('/collections/P'))]);
    expect(res.status).toBe(200);
    expect(res.body.extent.temporal.interval[0][1]).toBe(second.catalog.items('P')[FILES - 1].datetime);
    const [, query] = await timed(async () => second.catalog.items('P', { interval: ['2012-01-01T00:00:00Z', '2013-01-01T00:00:00Z'] }));

    const ratio = (a: number, b: number) => (a / b).toFixed(1);
    console.log(
      [
        `catalogue with ${FILES} items:`,
        `  cold scan ${cold.toFixed(0)} ms; unchanged rescan ${rescan.toFixed(0)} ms (${ratio(cold, rescan)}× faster); restart from cache ${restart.toFixed(0)} ms (${ratio(cold, restart)}× faster)`,
        `  GET /collections/P ${describe.toFixed(1)} ms vs GET /conformance ${baseline[1].toFixed(1)} ms (${ratio(describe, baseline[1])}×); one-year item query ${query.toFixed(2)} ms`,
      ].join('\n'),
    );
    // Relative bounds only: the machine's speed varies, the ratios do not by this much.
    expect(rescan * 3).toBeLessThan(cold);
    expect(restart * 1.5).toBeLessThan(cold);
  } finally {
    closeContext(second);
  }
}, 180_000);
