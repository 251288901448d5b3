import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import gdal from 'gdal-async';
import { planLoad } from '../../src/raster/read/planLoad';
import { CollectionCube } from '../../src/raster/read/CollectionCube';
import { DatasetCache } from '../../src/raster/read/sources';
import { forEachTile, readAll } from '../../src/raster/tiles';
import { createProcessRegistry } from '../../src/processes';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { DATES, Harness, gdalRead, harness, pattern, tempDir, writeTiff, writeTimeSeries } from './fixtures';

let h: Harness;
let seriesDir: string;

beforeAll(async () => {
  const root = tempDir('raster-load-');
  seriesDir = path.join(root, 's2');
  await writeTimeSeries(seriesDir);
  h = await harness([{ path: seriesDir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], 32);
});

afterAll(() => h.cleanup());

function fileOf(date: string, band: string): string {
  return path.join(seriesDir, `S2_${date.replace(/-/g, '')}_${band}.tif`);
}

/** Expects cube plane (t, b) of a tile layout [t][b][y][x] to equal `expected`. */
function plane(values: Float64Array, t: number, b: number, nBands: number, pixels: number): Float64Array {
  return values.subarray((t * nBands + b) * pixels, (t * nBands + b + 1) * pixels);
}

describe('load_collection planning and windowed reads', () => {
  test('a UTM bounding box selects the pixels whose centres are inside, and values equal direct GDAL reads', async () => {
    const ctx = h.context();
    // Centres at 500000 + 10 i + 5: x 500103 … 500597 keeps columns 10 … 59; y 5299400 … 5299895 keeps rows 10 … 59.
    const cube = await planLoad(h.catalog, {
      id: 'S2',
      spatialExtent: { west: 500103, east: 500597, south: 5299400, north: 5299895, crs: 32632 },
      temporalExtent: null,
      bands: null,
      properties: null,
    });
    expect(cube.grid).toMatchObject({ crs: 'EPSG:32632', width: 50, height: 50, transform: [500100, 10, 0, 5299900, 0, -10] });
    expect(cube.dims.map((d) => [d.name, d.labels])).toEqual([
      ['t', DATES.map((d) => `${d}T00:00:00Z`)],
      ['bands', ['B04', 'B08']],
    ]);
    const all = await readAll(cube, ctx);
    const pixels = 50 * 50;
    for (let t = 0; t < 3; t++) {
      for (const [b, band] of ['B04', 'B08'].entries()) {
        const expected = await gdalRead(fileOf(DATES[t], band), 10, 10, 50, 50);
        expect(Array.from(plane(all, t, b, 2, pixels))).toEqual(Array.from(expected));
      }
    }
    // No-data stripes arrive as NaN.
    expect(all.some(Number.isNaN)).toBe(true);
    expect(ctx.stats.inputPixels).toBe(3 * 2 * pixels);
  });

  test('tiles smaller than the extent join without seams', async () => {
    const ctx = h.context();
    const cube = await planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent: null, bands: ['nir'], properties: null });
    expect(cube.grid).toMatchObject({ width: 120, height: 90 });
    const mosaic = new Float64Array(3 * 120 * 90).fill(-1);
    let tiles = 0;
    await forEachTile(cube, ctx, 32, (tile, win) => {
      tiles++;
      const pixels = win.width * win.height;
      for (let t = 0; t < 3; t++) {
        for (let r = 0; r < win.height; r++) {
          for (let c = 0; c < win.width; c++) mosaic[t * 120 * 90 + (win.y + r) * 120 + win.x + c] = tile[t * pixels + r * win.width + c];
        }
      }
    });
    expect(tiles).toBe(4 * 3);
    for (let t = 0; t < 3; t++) {
      const expected = await gdalRead(fileOf(DATES[t], 'B08'), 0, 0, 120, 90);
      expect(Array.from(mosaic.subarray(t * 10800, (t + 1) * 10800))).toEqual(Array.from(expected));
    }
  });

  test('a WGS 84 bounding box is transformed to the native CRS and snapped to the native grid', async () => {
    const lonlat = gdal.SpatialReference.fromProj4('+proj=longlat +datum=WGS84 +no_defs');
    const utm = gdal.SpatialReference.fromProj4('+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs');
    const toLonLat = new gdal.CoordinateTransformation(utm, lonlat);
    const a = toLonLat.transformPoint(500200, 5299500);
    const b = toLonLat.transformPoint(500600, 5299800);
    const cube = await planLoad(h.catalog, {
      id: 'S2',
      spatialExtent: { west: a.x, south: a.y, east: b.x, north: b.y },
      temporalExtent: ['2023-02-01', '2023-03-01'],
      bands: ['B04'],
      properties: null,
    });
    const [x0, dx, , y0, , dy] = cube.grid!.transform;
    expect(Number.isInteger((x0 - 500000) / dx)).toBe(true);
    expect(Number.isInteger((y0 - 5300000) / dy)).toBe(true);
    // The UTM box maps to a slightly rotated lon/lat box: its envelope covers at least the original rectangle.
    expect(x0).toBeLessThanOrEqual(500200);
    expect(x0 + dx * cube.grid!.width).toBeGreaterThanOrEqual(500600);
    expect(cube.dims[0].labels).toEqual(['2023-02-10T00:00:00Z']);
    const col = (x0 - 500000) / 10;
    const row = (5300000 - y0) / 10;
    const values = await readAll(cube, h.context());
    expect(Array.from(values)).toEqual(Array.from(await gdalRead(fileOf('2023-02-10', 'B04'), col, row, cube.grid!.width, cube.grid!.height)));
  });

  test('a GeoJSON polygon selects the same pixels as its bounding box', async () => {
    const [w, s, e, n] = [9.0015, 47.8445, 9.0095, 47.8495];
    const polygon = { type: 'Polygon', coordinates: [[[w, s], [e, s + 0.001], [e, n], [w + 0.002, n], [w, s]]] };
    const fromPolygon = await planLoad(h.catalog, { id: 'S2', spatialExtent: polygon, temporalExtent: null, bands: null, properties: null });
    const fromBox = await planLoad(h.catalog, { id: 'S2', spatialExtent: { west: w, south: s, east: e, north: n }, temporalExtent: null, bands: null, properties: null });
    expect(fromPolygon.grid).toEqual(fromBox.grid);
    expect(fromPolygon.grid!.width).toBeGreaterThan(10);
  });

  test('temporal extents are half-open and null ends are open', async () => {
    const labels = async (temporalExtent: unknown) =>
      (await planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent, bands: null, properties: null })).dims[0].labels;
    expect(await labels(['2023-01-05', '2023-03-15'])).toEqual(['2023-01-05T00:00:00Z', '2023-02-10T00:00:00Z']);
    expect(await labels([null, '2023-02-10T00:00:01Z'])).toEqual(['2023-01-05T00:00:00Z', '2023-02-10T00:00:00Z']);
    expect(await labels(['2023-02-11', null])).toEqual(['2023-03-15T00:00:00Z']);
  });

  test('problems become openEO errors with the process codes', async () => {
    const load = (overrides: Record<string, unknown>) =>
      planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent: null, bands: null, properties: null, ...overrides });
    await expect(load({ id: 'NOPE' })).rejects.toMatchObject({ code: 'CollectionNotFound' });
    await expect(load({ temporalExtent: ['2023-03-01', '2023-01-01'] })).rejects.toMatchObject({ code: 'TemporalExtentEmpty' });
    await expect(load({ temporalExtent: ['2024-01-01', null] })).rejects.toMatchObject({ code: 'NoDataAvailable' });
    await expect(load({ spatialExtent: { west: 0, east: 1, south: 0, north: 1 } })).rejects.toMatchObject({ code: 'NoDataAvailable' });
    await expect(load({ spatialExtent: { west: 2, east: 1, south: 0, north: 1 } })).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
    await expect(load({ spatialExtent: { west: 0, east: 1, south: 0, north: 1, crs: 999999 } })).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
    await expect(load({ bands: ['B99'] })).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
    await expect(load({ temporalExtent: ['yesterday', null] })).rejects.toMatchObject({ code: 'ProcessParameterInvalid' });
  });

  test('the cube describes itself as STAC cube:dimensions', async () => {
    const cube = await planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent: null, bands: ['red'], properties: null });
    expect(cube.describe()).toEqual({
      t: { type: 'temporal', extent: ['2023-01-05T00:00:00Z', '2023-03-15T00:00:00Z'], values: DATES.map((d) => `${d}T00:00:00Z`), step: null },
      bands: { type: 'bands', values: ['B04'] },
      y: { type: 'spatial', axis: 'y', extent: [5299100, 5300000], step: 10, reference_system: 32632 },
      x: { type: 'spatial', axis: 'x', extent: [500000, 501200], step: 10, reference_system: 32632 },
    });
  });
});

describe('load_collection as a process', () => {
  const registry = createProcessRegistry();

  test('property filters run as child processes on item properties', async () => {
    const graph = {
      load: {
        process_id: 'load_collection',
        arguments: {
          id: 'S2',
          spatial_extent: null,
          temporal_extent: null,
          bands: ['B04'],
          properties: {
            'eo:cloud_cover': {
              process_graph: { lte: { process_id: 'lte', arguments: { x: { from_parameter: 'value' }, y: 50 }, result: true } },
            },
          },
        },
        result: true,
      },
    } as unknown as ProcessGraph;
    const cube = (await evaluateGraph(graph, {}, registry, h.context())) as CollectionCube;
    expect(cube.dims[0].labels).toEqual(['2023-01-05T00:00:00Z', '2023-03-15T00:00:00Z']);
  });

  test('a synchronous pixel budget refuses large loads before reading', async () => {
    const ctx = h.context({ syncPixelLimit: 1000 });
    const graph = {
      load: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: null }, result: true },
    } as unknown as ProcessGraph;
    await expect(evaluateGraph(graph, {}, registry, ctx)).rejects.toMatchObject({ code: 'ProcessGraphComplexity' });
    expect(ctx.stats.inputPixels).toBe(0);
  });

  test('an aborted run stops between tiles', async () => {
    const controller = new AbortController();
    const ctx = h.context({ signal: controller.signal });
    const cube = await planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent: null, bands: null, properties: null });
    let tiles = 0;
    const reason = new Error('stop');
    await expect(
      forEachTile(cube, ctx, 32, () => {
        tiles++;
        controller.abort(reason);
      }),
    ).rejects.toBe(reason);
    expect(tiles).toBe(1);
  });
});

describe('items on other grids', () => {
  test('items in another CRS are warped onto the cube grid like gdalwarp does', async () => {
    const dir = tempDir('raster-warp-');
    // Source in UTM 33N, cube grid in UTM 32N near the zone border.
    const src = path.join(dir, 'src.tif');
    await writeTiff(src, { width: 200, height: 150, epsg: 32633, geoTransform: [250000, 20, 0, 5400000, 0, -20], nodata: 0, value: (x, y) => pattern(x, y, 0, 0) });
    const ds = await gdal.openAsync(src);
    const item = {
      id: 'src',
      datetime: '2023-01-01T00:00:00Z',
      bbox: [0, 0, 0, 0] as [number, number, number, number],
      grid: { crs: 'EPSG:32633', epsg: 32633, geoTransform: ds.geoTransform as [number, number, number, number, number, number], width: 200, height: 150 },
      assets: { B1: { href: src, band: 1 } },
      properties: {},
    };
    ds.close();
    const grid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [692400, 15, 0, 5397500, 0, -15] as [number, number, number, number, number, number], width: 160, height: 120 };
    const cube = new CollectionCube({
      grid,
      dates: [{ label: '2023-01-01T00:00:00Z', items: [item] }],
      bands: [{ name: 'B1', nodata: 0 }],
      hasTime: true,
      timeName: 't',
      bandsName: 'bands',
    });
    const ctx = { signal: new AbortController().signal, stats: { inputPixels: 0 } };
    const tiled = new Float64Array(160 * 120);
    await forEachTile(cube, ctx, 48, (tile, win) => {
      for (let r = 0; r < win.height; r++) tiled.set(tile.subarray(r * win.width, (r + 1) * win.width), (win.y + r) * 160 + win.x);
    });
    const out = path.join(dir, 'warped.tif');
    execFileSync('gdalwarp', ['-q', '-t_srs', 'EPSG:32632', '-te', '692400', '5395700', '694800', '5397500', '-tr', '15', '15', '-r', 'near', '-dstnodata', '0', src, out]);
    const expected = await gdalRead(out, 0, 0, 160, 120);
    let valid = 0, mismatches = 0;
    for (let i = 0; i < expected.length; i++) {
      const a = tiled[i], e = expected[i];
      if (!Number.isNaN(e)) valid++;
      if (!(a === e || (Number.isNaN(a) && Number.isNaN(e)))) mismatches++;
    }
    expect(valid).toBeGreaterThan(1000);
    // Tiled warping uses the same nearest-neighbour rule; only pixels whose source is ambiguous at
    // the approximation tolerance may differ.
    expect(mismatches / expected.length).toBeLessThan(0.01);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('warping onto a WGS 84 grid keeps the longitude/latitude axis order', async () => {
    const dir = tempDir('raster-warp84-');
    const src = path.join(dir, 'utm.tif');
    await writeTiff(src, { width: 150, height: 100, nodata: 0, value: (x, y) => pattern(x, y, 1, 0) });
    const item = {
      id: 'utm',
      datetime: null,
      bbox: [0, 0, 0, 0] as [number, number, number, number],
      grid: { crs: 'EPSG:32632', epsg: 32632, geoTransform: [500000, 10, 0, 5300000, 0, -10] as [number, number, number, number, number, number], width: 150, height: 100 },
      assets: { B1: { href: src, band: 1 } },
      properties: {},
    };
    // 9.0005–9.0185 E, 47.8450–47.8530 N: inside the UTM raster.
    const transform: [number, number, number, number, number, number] = [9.0005, 0.0001, 0, 47.853, 0, -0.0001];
    const cube = new CollectionCube({
      grid: { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform, width: 180, height: 80 },
      dates: [{ label: null, items: [item] }],
      bands: [{ name: 'B1', nodata: 0 }],
      hasTime: false,
      timeName: 't',
      bandsName: 'bands',
    });
    expect(cube.dims.map((d) => d.name)).toEqual(['bands']);
    const values = await readAll(cube, { signal: new AbortController().signal, stats: { inputPixels: 0 } });
    const out = path.join(dir, 'warped.tif');
    execFileSync('gdalwarp', ['-q', '-t_srs', 'EPSG:4326', '-te', '9.0005', '47.845', '9.0185', '47.853', '-ts', '180', '80', '-r', 'near', '-dstnodata', '0', src, out]);
    const expected = await gdalRead(out, 0, 0, 180, 80);
    let valid = 0, mismatches = 0;
    for (let i = 0; i < expected.length; i++) {
      if (!Number.isNaN(expected[i])) valid++;
      if (!(values[i] === expected[i] || (Number.isNaN(values[i]) && Number.isNaN(expected[i])))) mismatches++;
    }
    expect(valid).toBeGreaterThan(0.9 * expected.length);
    expect(mismatches / expected.length).toBeLessThan(0.01);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('scale and offset are applied only to bands marked for it', async () => {
    const dir = tempDir('raster-scale-');
    const file = path.join(dir, 'a.tif');
    await writeTiff(file, { width: 4, height: 2, nodata: 0, value: (x, y) => (x === 0 && y === 0 ? 0 : 100 * (y * 4 + x)) });
    const item = {
      id: 'a',
      datetime: null,
      bbox: [0, 0, 0, 0] as [number, number, number, number],
      grid: { crs: 'EPSG:32632', epsg: 32632, geoTransform: [500000, 10, 0, 5300000, 0, -10] as [number, number, number, number, number, number], width: 4, height: 2 },
      assets: { raw: { href: file, band: 1 }, physical: { href: file, band: 1 } },
      properties: {},
    };
    const cube = new CollectionCube({
      grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: item.grid.geoTransform, width: 4, height: 2 },
      dates: [{ label: null, items: [item] }],
      bands: [
        { name: 'raw', scale: 0.01, offset: -1 },
        { name: 'physical', scale: 0.01, offset: -1, applyScale: true },
      ],
      hasTime: false,
      timeName: 't',
      bandsName: 'bands',
    });
    const values = Array.from(await readAll(cube, { signal: new AbortController().signal, stats: { inputPixels: 0 } }));
    expect(values).toEqual([NaN, 100, 200, 300, 400, 500, 600, 700, NaN, 0, 1, 2, 3, 4, 5, 6]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a file that disappeared is an Internal error that does not reveal the path', async () => {
    const missing = path.join(tempDir('raster-missing-'), 'gone.tif');
    const item = {
      id: 'gone',
      datetime: null,
      bbox: [0, 0, 0, 0] as [number, number, number, number],
      grid: { crs: 'EPSG:32632', epsg: 32632, geoTransform: [500000, 10, 0, 5300000, 0, -10] as [number, number, number, number, number, number], width: 4, height: 2 },
      assets: { B1: { href: missing, band: 1 } },
      properties: {},
    };
    const cube = new CollectionCube({
      grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: item.grid.geoTransform, width: 4, height: 2 },
      dates: [{ label: null, items: [item] }],
      bands: [{ name: 'B1' }],
      hasTime: false,
      timeName: 't',
      bandsName: 'bands',
    });
    const failure = readAll(cube, { signal: new AbortController().signal, stats: { inputPixels: 0 } });
    await expect(failure).rejects.toMatchObject({ code: 'Internal' });
    await expect(failure).rejects.not.toHaveProperty('message', expect.stringContaining('gone.tif'));
  });

  test('items of the same date are mosaicked: the first valid value wins', async () => {
    const dir = tempDir('raster-mosaic-');
    const a = path.join(dir, 'a.tif');
    const b = path.join(dir, 'b.tif');
    // a covers columns 0-59 with a no-data hole; b covers columns 40-99 (offset by 400 m).
    await writeTiff(a, { width: 60, height: 30, nodata: 0, value: (x, y) => (x > 50 && y < 10 ? 0 : 1000 + x) });
    await writeTiff(b, { width: 60, height: 30, nodata: 0, geoTransform: [500400, 10, 0, 5300000, 0, -10], value: (x) => 2000 + x });
    const itemOf = (id: string, href: string, x0: number) => ({
      id,
      datetime: '2023-01-01T00:00:00Z',
      bbox: [0, 0, 0, 0] as [number, number, number, number],
      grid: { crs: 'EPSG:32632', epsg: 32632, geoTransform: [x0, 10, 0, 5300000, 0, -10] as [number, number, number, number, number, number], width: 60, height: 30 },
      assets: { B1: { href, band: 1 } },
      properties: {},
    });
    const grid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [500000, 10, 0, 5300000, 0, -10] as [number, number, number, number, number, number], width: 100, height: 30 };
    const cube = new CollectionCube({
      grid,
      dates: [{ label: '2023-01-01T00:00:00Z', items: [itemOf('a', a, 500000), itemOf('b', b, 500400)] }],
      bands: [{ name: 'B1' }],
      hasTime: true,
      timeName: 't',
      bandsName: 'bands',
      // At most one open file: b's opening closes a, and a is reopened for the next tile.
    }, new DatasetCache(1));
    const values = new Float64Array(100 * 30);
    await forEachTile(cube, { signal: new AbortController().signal, stats: { inputPixels: 0 } }, 16, (tile, win) => {
      for (let r = 0; r < win.height; r++) values.set(tile.subarray(r * win.width, (r + 1) * win.width), (win.y + r) * 100 + win.x);
    });
    const at = (x: number, y: number) => values[y * 100 + x];
    expect(at(10, 5)).toBe(1010); // only a
    expect(at(45, 20)).toBe(1045); // both valid: a first
    expect(at(55, 5)).toBe(2015); // a is no-data: b fills in
    expect(at(80, 5)).toBe(2040); // only b
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
