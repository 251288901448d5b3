/**
 * The tile renderer over the real run service and the demo collection: tiles equal a direct
 * gdalwarp of the source, low zooms read coarse, tiles outside the data are null, NDVI with a colour
 * map, dates for WMTS TIME, and abort.
 */
import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { isDataCube } from '../../src/raster/cube/DataCube';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { DEMO_S2_ID, ensureDemoData } from '../../src/catalog/demo/generate';
import { createTileRenderer } from '../../src/services/render';
import { colormapTable } from '../../src/services/render/colormaps';
import { isValidTile, metresPerPixel, tileAt, tileBounds } from '../../src/services/render/tileGrid';
import { planLoad } from '../../src/raster/read/planLoad';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { SharedWork } from '../../src/services/render/sharedWork';
import type { RenderableService, TileAddress, TileRenderer, TileView } from '../../src/services/types';
import type { ProcessDocument } from '../../src/processes/run';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { readPng } from './helpers';

let server: TestServer;
let renderer: TileRenderer;
const tiles: Array<{ inputPixels: number; empty: boolean }> = [];

beforeAll(async () => {
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  await server.login('mapper');
  const processing = server.ctx.processing;
  renderer = createTileRenderer({
    run: processing.runs,
    caller: (userId) => processing.caller(server.ctx.users.findById(userId)),
    logger: server.ctx.logger,
    config: server.ctx.config,
    onTile: (info) => tiles.push(info),
  });
}, 120_000);

afterAll(() => server.close());

function lonLatTo3857(lon: number, lat: number): [number, number] {
  const t = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(4326), gdal.SpatialReference.fromEPSG(3857));
  const p = t.transformPoint(lat, lon); // EPSG:4326 axis order is lat, lon in GDAL 3
  return [p.x, p.y];
}

function tileOf(lon: number, lat: number, z: number): TileAddress {
  const [x, y] = lonLatTo3857(lon, lat);
  return tileAt(x, y, z);
}

function viewOf(address: TileAddress, time?: string): TileView {
  return { bounds: tileBounds(address), size: 256, ...(time ? { time } : {}) };
}

function service(graph: Record<string, unknown>, configuration: RenderableService['configuration'] = {}): RenderableService {
  return { id: `svc-${Math.random()}`, userId: server.ctx.users.findByName('mapper')!.id, process: { process_graph: graph }, configuration };
}

function load(bands: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: null, bands, ...extra } };
}

const never = () => new AbortController().signal;
const CENTRE = { lon: 8.641, lat: 47.556 };

test('a greys tile of B04 with rescale [0, 3000] equals a direct gdalwarp of the file to the tile grid with the same stretch', async () => {
  const address = tileOf(CENTRE.lon, CENTRE.lat, 14);
  const svc = service({ load: { ...load(['B04'], { temporal_extent: ['2023-07-08', '2023-07-09'] }), result: true } }, { rescale: [0, 3000], colormap: 'greys' });
  const png = await renderer.render(svc, viewOf(address), never());
  expect(png).not.toBeNull();
  const picture = readPng(png!);

  const item = server.ctx.catalog.items(DEMO_S2_ID, {}).find((i) => i.datetime?.startsWith('2023-07-08'))!;
  const [west, south, east, north] = tileBounds(address);
  const src = gdal.open(item.assets.B04.href);
  const dst = gdal.open('', 'w', 'MEM', 256, 256, 1, gdal.GDT_Float64);
  dst.srs = gdal.SpatialReference.fromEPSG(3857);
  dst.geoTransform = [west, (east - west) / 256, 0, north, 0, -(north - south) / 256];
  dst.bands.get(1).fill(NaN);
  gdal.warp(null, dst, [src], ['-r', 'bilinear', '-srcnodata', '0', '-dstnodata', 'nan']);
  expect(item.assets.B04.band).toBe(1);
  const reference = dst.bands.get(1).pixels.read(0, 0, 256, 256) as Float64Array;
  src.close();
  dst.close();

  let compared = 0;
  let worst = 0;
  let alphaMismatch = 0;
  for (let i = 0; i < 256 * 256; i++) {
    const v = reference[i];
    const ours = picture.planes[3][i] === 255;
    if ((v === v) !== ours) alphaMismatch++;
    if (v !== v || !ours) continue;
    const grey = Math.min(255, Math.max(0, Math.round((v / 3000) * 255)));
    worst = Math.max(worst, Math.abs(grey - picture.planes[0][i]));
    compared++;
  }
  expect(compared).toBeGreaterThan(0.9 * 256 * 256);
  expect(alphaMismatch).toBe(0);
  expect(worst).toBeLessThanOrEqual(1);
}, 60_000);

test('an RGB tile of B04, B03, B02 is a 256 × 256 PNG with four bands (RGBA)', async () => {
  const address = tileOf(CENTRE.lon, CENTRE.lat, 14);
  const svc = service({ load: { ...load(['B04', 'B03', 'B02'], { temporal_extent: ['2023-07-08', '2023-07-09'] }), result: true } });
  const picture = readPng((await renderer.render(svc, viewOf(address), never()))!);
  expect([picture.width, picture.height, picture.bands]).toEqual([256, 256, 4]);
  // The stretch from the data spreads the values: red, green and blue differ somewhere and are not all one level.
  expect(new Set(picture.planes[0]).size).toBeGreaterThan(20);
  expect(picture.planes[0].some((r, i) => r !== picture.planes[2][i])).toBe(true);
}, 60_000);

test('a tile outside the data is null, found without reading pixels', async () => {
  tiles.length = 0;
  const started = Date.now();
  const png = await renderer.render(service({ load: { ...load(['B04']), result: true } }, { rescale: [0, 3000] }), viewOf(tileOf(0, 0, 14)), never());
  expect(png).toBeNull();
  expect(Date.now() - started).toBeLessThan(2000);
  expect(tiles).toEqual([expect.objectContaining({ inputPixels: 0, empty: true })]);
}, 30_000);

test('a low-zoom tile over the whole demo area reads far fewer pixels than full resolution and still shows the data', async () => {
  tiles.length = 0;
  const svc = service({ load: { ...load(['B04'], { temporal_extent: ['2023-07-08', '2023-07-09'] }), result: true } }, { rescale: [0, 3000] });
  const picture = readPng((await renderer.render(svc, viewOf(tileOf(CENTRE.lon, CENTRE.lat, 8)), never()))!);
  const fullResolution = 600 * 600;
  expect(tiles).toHaveLength(1);
  expect(tiles[0].inputPixels).toBeGreaterThan(0);
  expect(tiles[0].inputPixels).toBeLessThan(fullResolution / 100);
  expect(picture.planes[3].filter((a) => a === 255).length).toBeGreaterThan(20);
}, 30_000);

test('NDVI, its maximum over time, renders with viridis and no-data (outside the data) transparent', async () => {
  const graph = {
    load: load(['B04', 'B08'], { temporal_extent: ['2023-06-01', '2023-09-01'] }),
    ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' } } },
    max: {
      process_id: 'reduce_dimension',
      arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
    },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'max' }, format: 'GTiff' }, result: true },
  };
  // The tile at the west edge of the demo area: part data, part nothing.
  const picture = readPng((await renderer.render(service(graph, { colormap: 'viridis' }), viewOf(tileOf(8.601, 47.556, 14)), never()))!);
  const alpha = picture.planes[3];
  const visible = alpha.filter((a) => a === 255).length;
  expect(visible).toBeGreaterThan(1000);
  expect(alpha.filter((a) => a === 0).length).toBeGreaterThan(1000);
  expect(alpha.every((a) => a === 0 || a === 255)).toBe(true);
  const lut = colormapTable('viridis');
  const colours = new Set(Array.from({ length: 256 }, (_, k) => `${lut[3 * k]},${lut[3 * k + 1]},${lut[3 * k + 2]}`));
  const shown = new Set<string>();
  for (let i = 0; i < alpha.length; i++) if (alpha[i] === 255) shown.add(`${picture.planes[0][i]},${picture.planes[1][i]},${picture.planes[2][i]}`);
  expect([...shown].every((c) => colours.has(c))).toBe(true);
  expect(shown.size).toBeGreaterThan(30);
}, 60_000);

test('dates() lists the result dates without a temporal reduction and none with one', async () => {
  const dates = await renderer.dates(service({ load: { ...load(['B04']), result: true } }), never());
  expect(dates).toHaveLength(14);
  expect(dates[0].startsWith('2023-01-14')).toBe(true);
  expect(dates[13].startsWith('2023-12-10')).toBe(true);
  const reduced = {
    load: load(['B04']),
    max: {
      process_id: 'reduce_dimension',
      arguments: { data: { from_node: 'load' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
      result: true,
    },
  };
  expect(await renderer.dates(service(reduced), never())).toEqual([]);
}, 30_000);

test('view.time picks a date of the result; a time it does not have gives no tile', async () => {
  const svc = service({ load: { ...load(['B04']), result: true } }, { rescale: [0, 3000], colormap: 'greys' });
  const address = tileOf(CENTRE.lon, CENTRE.lat, 14);
  const january = readPng((await renderer.render(svc, viewOf(address, '2023-01-14'), never()))!);
  const july = readPng((await renderer.render(svc, viewOf(address, '2023-07-08'), never()))!);
  expect(january.planes[0].some((v, i) => v !== july.planes[0][i])).toBe(true);
  expect(await renderer.render(svc, viewOf(address, '2023-01-15'), never())).toBeNull();
}, 60_000);

test('a fired signal rejects the tile and the dates with its reason', async () => {
  const svc = service({ load: { ...load(['B04']), result: true } }, { rescale: [0, 3000] });
  const address = tileOf(CENTRE.lon, CENTRE.lat, 14);
  const before = new AbortController();
  before.abort(new Error('client gone'));
  await expect(renderer.render(svc, viewOf(address), before.signal)).rejects.toThrow('client gone');
  await expect(renderer.dates(svc, before.signal)).rejects.toThrow('client gone');
  const during = new AbortController();
  const pending = renderer.render(svc, viewOf(address), during.signal);
  during.abort(new Error('timed out'));
  await expect(pending).rejects.toThrow('timed out');
}, 30_000);

test('errors of the graph come out as the openEO errors they are', async () => {
  const svc = service({ load: { process_id: 'load_collection', arguments: { id: 'NO_SUCH', spatial_extent: null, temporal_extent: null }, result: true } });
  await expect(renderer.render(svc, viewOf(tileOf(CENTRE.lon, CENTRE.lat, 14)), never())).rejects.toMatchObject({ code: 'CollectionNotFound' });
}, 30_000);

test('a view makes load_collection read blocks of native pixels averaged into a power-of-two coarser grid, only around the view', async () => {
  const item = server.ctx.catalog.items(DEMO_S2_ID, {}).find((i) => i.datetime?.startsWith('2023-07-08'))!;
  const native = { spatialExtent: null, temporalExtent: ['2023-07-08', '2023-07-09'], bands: ['B04'], properties: null, id: DEMO_S2_ID };
  // 25 m pixels wanted over a 2 km square in the collection's own CRS: factor 2 (20 m), never coarser than asked.
  const view = { bounds: [472000, 5266000, 474000, 5268000] as [number, number, number, number], crs: 'EPSG:32632', width: 80, height: 80 };
  const cube = await planLoad(server.ctx.catalog, { ...native, view });
  const grid = cube.grid!;
  expect(grid.transform[1]).toBe(20);
  expect(grid.width).toBe(100 + 2 * 3);
  expect(grid.transform[0]).toBe(472000 - 60);
  const stats = { inputPixels: 0 };
  const values = await cube.tile({ x: 0, y: 0, width: grid.width, height: grid.height }, { signal: never(), stats });
  expect(stats.inputPixels).toBe(grid.width * grid.height);
  // Each coarse pixel is the mean of its 2 × 2 native pixels (no-data 0 left out).
  const ds = gdal.open(item.assets.B04.href);
  const [x0, , , y0] = ds.geoTransform!;
  const col = (grid.transform[0] - x0) / 10;
  const row = (y0 - grid.transform[3]) / 10;
  const block = ds.bands.get(1).pixels.read(col, row, grid.width * 2, grid.height * 2, gdalBuffer(new Float64Array(grid.width * grid.height * 4))) as Float64Array;
  ds.close();
  let worst = 0;
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const cells = [block[2 * r * 2 * grid.width + 2 * c], block[2 * r * 2 * grid.width + 2 * c + 1], block[(2 * r + 1) * 2 * grid.width + 2 * c], block[(2 * r + 1) * 2 * grid.width + 2 * c + 1]].filter((v) => v !== 0);
      const mean = cells.reduce((a, b) => a + b, 0) / cells.length;
      worst = Math.max(worst, Math.abs(mean - values[r * grid.width + c]));
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
  // Without a view the same request is the native grid, as before.
  expect((await planLoad(server.ctx.catalog, native)).grid!.transform[1]).toBe(10);
}, 30_000);

test('a view beyond the graph\'s own spatial extent reads nothing: the tile is null', async () => {
  const graph = { load: { ...load(['B04'], { spatial_extent: { west: 8.66, south: 47.57, east: 8.68, north: 47.58 } }), result: true } };
  expect(await renderer.render(service(graph, { rescale: [0, 3000] }), viewOf(tileOf(8.605, 47.535, 15)), never())).toBeNull();
  expect(await renderer.render(service(graph, { rescale: [0, 3000] }), viewOf(tileOf(8.67, 47.575, 15)), never())).not.toBeNull();
}, 30_000);

test('the tile grid: bounds of z/x/y in EPSG:3857, which addresses exist, metres per pixel', () => {
  expect(tileBounds({ z: 0, x: 0, y: 0 })).toEqual([-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244]);
  expect(tileBounds({ z: 1, x: 1, y: 0 })).toEqual([0, 0, 20037508.342789244, 20037508.342789244]);
  expect(isValidTile({ z: 24, x: 2 ** 24 - 1, y: 0 })).toBe(true);
  expect(isValidTile({ z: 25, x: 0, y: 0 })).toBe(false);
  expect(isValidTile({ z: 3, x: 8, y: 0 })).toBe(false);
  expect(isValidTile({ z: 3, x: 0, y: -1 })).toBe(false);
  expect(isValidTile({ z: 1.5, x: 0, y: 0 })).toBe(false);
  expect(metresPerPixel(0)).toBeCloseTo(156543.03392804097, 6);
  expect(metresPerPixel(14)).toBeCloseTo(9.554628535647032, 9);
  expect(tileAt(1, 1, 1)).toEqual({ z: 1, x: 1, y: 0 });
});

test('the stretch from the data is computed once per service: a tile that gives up does not fail another waiting for it', async () => {
  const svc = service({ load: { ...load(['B04']), result: true } }, { colormap: 'greys' });
  const address = tileOf(CENTRE.lon, CENTRE.lat, 14);
  const quitter = new AbortController();
  const first = renderer.render(svc, viewOf(address), quitter.signal);
  const second = renderer.render(svc, viewOf(address), never());
  setTimeout(() => quitter.abort(new Error('gave up')), 5);
  await expect(first).rejects.toThrow('gave up');
  const picture = readPng((await second)!);
  // Stretched from the latest date's 2nd–98th percentile: the tile spans most grey levels.
  expect(new Set(picture.planes[0]).size).toBeGreaterThan(50);
  const again = readPng((await renderer.render(svc, viewOf(address), never()))!);
  expect(Buffer.from(again.planes[0]).equals(Buffer.from(picture.planes[0]))).toBe(true);
}, 60_000);

test('shared work goes on while one waiter remains and is abandoned when the last gives up', async () => {
  let release!: (v: string) => void;
  let workSignal!: AbortSignal;
  let abandoned = 0;
  const work = new SharedWork<string>((s) => {
    workSignal = s;
    return new Promise((resolve) => (release = resolve));
  }, () => abandoned++);
  const a = new AbortController();
  const b = new AbortController();
  const first = work.join(a.signal);
  const second = work.join(b.signal);
  a.abort(new Error('a left'));
  await expect(first).rejects.toThrow('a left');
  expect(workSignal.aborted).toBe(false);
  release('done');
  await expect(second).resolves.toBe('done');
  expect(abandoned).toBe(0);

  const lonely = new SharedWork<string>((s) => {
    workSignal = s;
    return new Promise(() => undefined);
  }, () => abandoned++);
  const c = new AbortController();
  const waiting = lonely.join(c.signal);
  c.abort(new Error('c left'));
  await expect(waiting).rejects.toThrow('c left');
  expect(workSignal.aborted).toBe(true);
  expect(abandoned).toBe(1);
  expect(lonely.usable).toBe(false);
});

test('the zoom 0 tile (the whole world) reads a handful of coarse pixels; the demo area, smaller than one of its pixels, leaves it empty', async () => {
  tiles.length = 0;
  const svc = service({ load: { ...load(['B04']), result: true } }, { rescale: [0, 3000], colormap: 'greys' });
  const png = await renderer.render(svc, viewOf({ z: 0, x: 0, y: 0 }), never());
  expect(png).toBeNull();
  expect(tiles[0].inputPixels).toBeGreaterThan(0);
  expect(tiles[0].inputPixels).toBeLessThan(100);
}, 30_000);

test('the run service with saveFiles false hands save_result\'s cube on and writes no file; without it the file is written', async () => {
  const graph = { load: load(['B04'], { temporal_extent: ['2023-07-08', '2023-07-09'] }), save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'GTiff' }, result: true } };
  const facts = (workDir: string) => ({ logger: server.ctx.logger, signal: never(), workDir, defaultOutput: false });
  const dir = fs.mkdtempSync(path.join(server.dataDir, 'run-'));
  const kept = await server.ctx.processing.runs.run({ process_graph: graph } as unknown as ProcessDocument, { ...facts(dir), saveFiles: false });
  expect(isDataCube(kept.value)).toBe(true);
  expect(kept.ctx.outputs).toEqual([]);
  expect(fs.readdirSync(dir)).toEqual([]);
  const saved = await server.ctx.processing.runs.run({ process_graph: graph } as unknown as ProcessDocument, facts(dir));
  expect(saved.ctx.outputs).toHaveLength(1);
}, 30_000);
