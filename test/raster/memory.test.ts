import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { createProcessRegistry } from '../../src/processes';
import { evaluateGraph } from '../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { DataCube } from '../../src/raster/cube/DataCube';
import { forEachTile } from '../../src/raster/tiles';
import { Harness, harness, tempDir } from './fixtures';

const SIZE = 6000;
const BLOCK = 256;
let h: Harness;

/**
 * A 6000 × 6000 GeoTIFF that costs almost no disk: sparse (unwritten blocks read as 0), with
 * real values in the first row of blocks only.
 */
async function writeSparse(file: string, value: number): Promise<void> {
  const ds = await gdal.openAsync(file, 'w', 'GTiff', SIZE, SIZE, 1, gdal.GDT_UInt16, ['TILED=YES', `BLOCKXSIZE=${BLOCK}`, `BLOCKYSIZE=${BLOCK}`, 'SPARSE_OK=TRUE', 'COMPRESS=DEFLATE']);
  ds.srs = gdal.SpatialReference.fromEPSG(32632);
  ds.geoTransform = [400000, 10, 0, 5400000, 0, -10];
  await ds.bands.get(1).pixels.writeAsync(0, 0, SIZE, BLOCK, gdalBuffer(new Uint16Array(SIZE * BLOCK).fill(value)));
  ds.close();
}

function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

beforeAll(async () => {
  const dir = path.join(tempDir('raster-mem-'), 'big');
  fs.mkdirSync(dir);
  await writeSparse(path.join(dir, 'BIG_20230101_B1.tif'), 3);
  await writeSparse(path.join(dir, 'BIG_20230201_B1.tif'), 5);
  h = await harness([{ path: dir, pattern: 'BIG_{date}_{band}.tif', id: 'BIG' }], 512);
});

afterAll(() => h.cleanup());

test('a large extent is processed tile by tile in bounded memory', async () => {
  const graph = {
    load: { process_id: 'load_collection', arguments: { id: 'BIG', spatial_extent: null, temporal_extent: null } },
    apply: {
      process_id: 'apply',
      arguments: {
        data: { from_node: 'load' },
        process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } },
      },
    },
    reduce: {
      process_id: 'reduce_dimension',
      arguments: {
        data: { from_node: 'apply' },
        dimension: 't',
        reducer: { process_graph: { s: { process_id: 'sum', arguments: { data: { from_parameter: 'data' } }, result: true } } },
      },
      result: true,
    },
  } as unknown as ProcessGraph;
  const ctx = h.context();
  const cube = (await evaluateGraph(graph, {}, createProcessRegistry(), ctx)) as DataCube;
  // What holding the loaded cube (2 dates × 1 band, float64) in memory would take.
  const fullCubeBytes = SIZE * SIZE * 2 * 8;

  const baseline = memoryInUse();
  let peak = 0;
  let total = 0;
  await forEachTile(cube, ctx, ctx.config.processing.tileSize, (tile) => {
    for (let i = 0; i < tile.length; i++) total += tile[i];
    peak = Math.max(peak, memoryInUse() - baseline);
  });

  // (3 + 5) × 2 in the first 256 rows, 0 elsewhere.
  expect(total).toBe(16 * SIZE * BLOCK);
  expect(ctx.stats.inputPixels).toBe(2 * SIZE * SIZE);
  expect(peak).toBeLessThan(fullCubeBytes / 10);
}, 120000);
