import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startLoggedServer, LoggedServer } from './appWithLog';
import { foldersPerTest, writeGeoTiff } from './rasters';
import { expectMatchesSpec } from '../helpers/openapi';

let server: LoggedServer | undefined;
const dir = foldersPerTest(() => {
  server?.close();
  server = undefined;
});

type Skipped = { file: string; reason: string; level: number };

function skipped(s: LoggedServer): Skipped[] {
  return s.log.filter((l) => l.msg === 'catalogue: file skipped') as unknown as Skipped[];
}

async function ids(s: LoggedServer): Promise<string[]> {
  const res = await request(s.app).get('/collections');
  expect(res.status).toBe(200);
  return res.body.collections.map((c: { id: string }) => c.id);
}

describe('broken files', () => {
  test('are logged with path and reason and skipped; the rest is served', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'good.tif'));
    fs.writeFileSync(path.join(data, 'garbage.tif'), 'this is not a TIFF at all');
    const valid = path.join(data, 'valid-but-cut.tif');
    await writeGeoTiff(valid);
    fs.writeFileSync(path.join(data, 'cut.tif'), fs.readFileSync(valid).subarray(0, 60));
    fs.rmSync(valid);
    fs.writeFileSync(path.join(data, 'empty.nc'), '');
    // A raster without georeferencing cannot be placed on a map.
    await writeGeoTiff(path.join(data, 'nogeo.tif'), { georeferenced: false });
    server = await startLoggedServer({ sources: [{ type: 'folder', path: data }], rescanSeconds: 0 });

    expect(await ids(server)).toEqual(['good']);
    const reported = skipped(server).map((l) => path.basename(l.file)).sort();
    expect(reported).toEqual(['cut.tif', 'empty.nc', 'garbage.tif', 'nogeo.tif']);
    for (const line of skipped(server)) expect(line.reason.length).toBeGreaterThan(5);
    expect(skipped(server).find((l) => l.file.endsWith('nogeo.tif'))!.reason).toMatch(/georeferenc/);

    // Known problems are reported once, not on every rescan of the folder. The new file is moved in
    // complete, so a background rescan cannot catch it half-written (that case is tested below).
    const staged = path.join(dir(), 'good2.tif');
    await writeGeoTiff(staged);
    fs.renameSync(staged, path.join(data, 'good2.tif'));
    expect(await ids(server)).toEqual(['good', 'good2']);
    expect(skipped(server).filter((l) => l.level >= 40)).toHaveLength(4);
  });

  test('in a time series only drop the broken file', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'T_20200101_B1.tif'));
    await writeGeoTiff(path.join(data, 'T_20200102_B1.tif'));
    fs.writeFileSync(path.join(data, 'T_20200103_B1.tif'), Buffer.alloc(1000, 7));
    server = await startLoggedServer({ sources: [{ type: 'folder', path: data, id: 'T', pattern: 'T_{date}_{band}.tif' }], rescanSeconds: 0 });
    const res = await request(server.app).get('/collections/T');
    expect(res.status).toBe(200);
    expect(res.body['cube:dimensions'].t.values).toEqual(['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z']);
    expect(skipped(server).map((l) => path.basename(l.file))).toEqual(['T_20200103_B1.tif']);
  });

  test('a broken metadata file is reported and the derived metadata is served', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'scene.tif'));
    fs.writeFileSync(path.join(data, 'scene.meta.json'), '{"title": 12');
    server = await startLoggedServer({ sources: [{ type: 'folder', path: data }], rescanSeconds: 0 });
    const res = await request(server.app).get('/collections/scene');
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('scene');
    expect(skipped(server).map((l) => path.basename(l.file))).toEqual(['scene.meta.json']);
  });

  test('a missing data location is reported and the others still work', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'here.tif'));
    server = await startLoggedServer({ sources: [{ type: 'folder', path: path.join(data, 'nowhere') }, { type: 'folder', path: data }], rescanSeconds: 0 });
    expect(await ids(server)).toEqual(['here']);
    expect(server.log.some((l) => l.msg === 'catalogue: data location skipped' && String(l.source).endsWith('nowhere'))).toBe(true);
  });
});

describe('changes while the server runs', () => {
  test('files added, completed, changed and removed show up without a restart', async () => {
    const series = dir();
    const singles = dir();
    await writeGeoTiff(path.join(series, 'S_20210101_red.tif'));
    server = await startLoggedServer({
      sources: [{ type: 'folder', path: series, id: 'SERIES', pattern: 'S_{date}_{band}.tif' }, { type: 'folder', path: singles }],
      rescanSeconds: 0,
    });
    const dates = async () => (await request(server!.app).get('/collections/SERIES')).body['cube:dimensions'].t.values;
    expect(await dates()).toEqual(['2021-01-01T00:00:00Z']);
    expect(await ids(server)).toEqual(['SERIES']);

    // A new date arrives.
    await writeGeoTiff(path.join(series, 'S_20210201_red.tif'));
    expect(await dates()).toEqual(['2021-01-01T00:00:00Z', '2021-02-01T00:00:00Z']);

    // A file still being copied is skipped, then picked up once complete.
    const full = path.join(dir(), 'full.tif');
    await writeGeoTiff(full, { bands: 2 });
    const target = path.join(singles, 'arriving.tif');
    fs.writeFileSync(target, fs.readFileSync(full).subarray(0, 50));
    expect(await ids(server)).toEqual(['SERIES']);
    fs.copyFileSync(full, target);
    expect(await ids(server)).toEqual(['SERIES', 'arriving']);
    const res = await request(server.app).get('/collections/arriving');
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    expect(res.body['cube:dimensions'].bands.values).toEqual(['B1', 'B2']);

    // Metadata edits are seen too.
    fs.writeFileSync(path.join(singles, 'arriving.meta.json'), JSON.stringify({ title: 'Arrived' }));
    expect((await request(server.app).get('/collections/arriving')).body.title).toBe('Arrived');

    // Removing files removes items and collections.
    fs.rmSync(path.join(series, 'S_20210101_red.tif'));
    fs.rmSync(target);
    expect(await dates()).toEqual(['2021-02-01T00:00:00Z']);
    const gone = await request(server.app).get('/collections/arriving');
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('CollectionNotFound');
    // The metadata cache forgets removed files.
    const cached = server.ctx.db.prepare('SELECT path FROM catalog_files').all() as Array<{ path: string }>;
    expect(cached.map((r) => path.basename(r.path)).sort()).toEqual(['S_20210201_red.tif']);
  });

  test('between rescans the listing is answered from memory', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'first.tif'));
    server = await startLoggedServer({ sources: [{ type: 'folder', path: data }], rescanSeconds: 3600 });
    expect(await ids(server)).toEqual(['first']);
    await writeGeoTiff(path.join(data, 'second.tif'));
    expect(await ids(server)).toEqual(['first']);
    await server.ctx.catalog.refresh!(true);
    expect(await ids(server)).toEqual(['first', 'second']);
  });
});
