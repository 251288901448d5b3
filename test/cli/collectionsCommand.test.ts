import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { runCollectionsCommand } from '../../src/cli/collectionsCommand';
import { startTestServer } from '../helpers/testServer';
import { tempDir, writeGeoTiff } from '../catalog/rasters';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

/** Runs a command as the CLI would, over a data directory and sources of the test's choosing. */
async function run(args: string[], dataDir: string, sources: unknown[] = []): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCollectionsCommand(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    config: () => loadConfig({ file: path.resolve(__dirname, '../../config.json'), env: {}, overrides: { dataDir, demo: false, logLevel: 'silent', collections: { sources } } }),
  });
  return { code, out, err };
}

async function series(folder: string): Promise<void> {
  for (const date of ['20220301', '20220311']) {
    for (const band of ['B04', 'B08']) await writeGeoTiff(path.join(folder, `X_${date}_${band}.tif`), { nodata: 0 });
  }
  fs.writeFileSync(path.join(folder, 'collection.meta.json'), JSON.stringify({ bands: { B04: { common_name: 'red' }, B08: { common_name: 'nir' } } }));
}

test('items writes a STAC catalogue that serves the same items as the folder', async () => {
  const folder = dir();
  await series(folder);
  const outDir = path.join(dir(), 'stac');
  const res = await run(['items', folder, '--pattern', 'X_{date}_{band}.tif', '--id', 'X', '--out', outDir], dir());
  expect(res.code).toBe(0);
  expect(fs.readdirSync(outDir).sort()).toEqual(['20220301.json', '20220311.json', 'collection.json']);
  const item = JSON.parse(fs.readFileSync(path.join(outDir, '20220301.json'), 'utf8'));
  expect(item).toMatchObject({ type: 'Feature', stac_version: '1.0.0', id: '20220301', properties: { datetime: '2022-03-01T00:00:00Z', 'proj:epsg': 32632 } });
  expect(item.assets.B04.href).toBe(path.relative(outDir, path.join(folder, 'X_20220301_B04.tif')));

  const server = await startTestServer({
    collections: { sources: [{ type: 'folder', path: folder, id: 'FOLDER', pattern: 'X_{date}_{band}.tif' }, { type: 'stac', path: outDir }], rescanSeconds: 0 },
  });
  try {
    const fromFolder = server.ctx.catalog.items('FOLDER');
    const fromStac = server.ctx.catalog.items('X');
    expect(fromStac.map(({ datetime, grid, assets, bbox }) => ({ datetime, grid, assets, bbox }))).toEqual(
      fromFolder.map(({ datetime, grid, assets, bbox }) => ({ datetime, grid, assets, bbox })),
    );
    expect(server.ctx.catalog.get('X')!.bands.map((b) => [b.name, b.commonName, b.nodata])).toEqual([['B04', 'red', 0], ['B08', 'nir', 0]]);
  } finally {
    server.close();
  }
});

test('list shows the collections and unreadable locations', async () => {
  const folder = dir();
  await series(folder);
  const res = await run(['list'], dir(), [{ type: 'folder', path: folder, id: 'X', pattern: 'X_{date}_{band}.tif' }, { type: 'folder', path: '/nonexistent/place' }]);
  expect(res.code).toBe(0);
  expect(res.out[0]).toMatch(/^X\t2 items\tB04,B08\tEPSG:32632\t2022-03-01T00:00:00Z \.\. 2022-03-11T00:00:00Z\t\[/);
  expect(res.out.some((l) => l.startsWith('! /nonexistent/place'))).toBe(true);
});

test('check passes on consistent data and fails on broken or inconsistent files', async () => {
  const folder = dir();
  await series(folder);
  const data = dir();
  const sources = [{ type: 'folder', path: folder, id: 'X', pattern: 'X_{date}_{band}.tif' }];
  const ok = await run(['check', 'X'], data, sources);
  expect(ok.out).toEqual(['X: ok (2 items)']);
  expect(ok.code).toBe(0);

  // A STAC item that claims another grid than its file has.
  const outDir = path.join(dir(), 'stac');
  await run(['items', folder, '--pattern', 'X_{date}_{band}.tif', '--id', 'S', '--out', outDir], data);
  const itemFile = path.join(outDir, '20220311.json');
  const item = JSON.parse(fs.readFileSync(itemFile, 'utf8'));
  item.properties['proj:shape'] = [99, 99];
  fs.writeFileSync(itemFile, JSON.stringify(item));
  // And a file of the folder that no longer opens.
  fs.writeFileSync(path.join(folder, 'X_20220311_B08.tif'), 'broken');

  const bad = await run(['check'], data, [...sources, { type: 'stac', path: outDir }]);
  expect(bad.code).toBe(1);
  expect(bad.out.join('\n')).toMatch(/^S: \d+ problem/m);
  expect(bad.out.join('\n')).toMatch(/size 20×10 differs from the item's 99×99/);
  expect(bad.out.join('\n')).toMatch(/^X: \d+ problem/m);
  expect(bad.out.join('\n')).toMatch(/X_20220311_B08\.tif/);

  await expect(run(['check', 'NOPE'], data, sources)).rejects.toThrow(/no collection 'NOPE'/);
});
