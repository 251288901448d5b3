import path from 'node:path';
import { planLoad } from '../../src/raster/read/planLoad';
import { CollectionCube } from '../../src/raster/read/CollectionCube';
import { readAll, forEachTile, setTilesInFlight, tileWindows } from '../../src/raster/tiles';
import { FusedKernel, MASKED, runKernel } from '../../src/raster/fused/kernel';
import { KernelPool } from '../../src/raster/fused/pool';
import { takeBuffer } from '../../src/raster/fused/planeBuffers';
import { computeFusedTile } from '../../src/raster/fused/execute';
import { DataCube } from '../../src/raster/cube/DataCube';
import type { TileContext, TileWindow } from '../../src/raster/cube/model';
import { Harness, harness, tempDir, writeTimeSeries } from './fixtures';

/** A hand-written kernel (what the compiler would emit for (in1 - in0) / (in1 + in0)). */
const DIFF_RATIO: FusedKernel = {
  source: [
    'const a = ins[0], b = ins[1], nda = nd[0], ndb = nd[1], sa = sc[0], sb = sc[1], oa = of[0], ob = of[1];',
    'for (let p = 0; p < n; p++) {',
    '  let x = a[p]; x = x === nda ? NaN : x * sa + oa;',
    '  let y = b[p]; y = y === ndb ? NaN : y * sb + ob;',
    '  out[p] = (y - x) / (y + x);',
    '}',
  ].join('\n'),
  inputCells: [0, 1],
  outputCells: 1,
};

let h: Harness;

beforeAll(async () => {
  const dir = path.join(tempDir('fused-exec-'), 's2');
  await writeTimeSeries(dir, 120, 90);
  h = await harness([{ path: dir, pattern: 'S2_{date}_{band}.tif', id: 'S2' }], 32);
});

afterAll(() => h.cleanup());

function mismatches(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) bad++;
  return bad;
}

function decodeInto(plane: ArrayLike<number>, d: { nodata: number; scale: number; offset: number }): Float64Array {
  return Float64Array.from(plane, (v) => (v === d.nodata ? NaN : v * d.scale + d.offset));
}

async function loadS2(): Promise<CollectionCube> {
  const cube = await planLoad(h.catalog, { id: 'S2', spatialExtent: null, temporalExtent: null, bands: null, properties: null });
  return cube as CollectionCube;
}

describe('raw planes from the files', () => {
  test('decoded planes equal the Float64 tile for every cell, inside and at the edges of the grid', async () => {
    const cube = await loadS2();
    const ctx = h.context();
    const all = await readAll(cube, ctx);
    const cells = [0, 1, 2, 3, 4, 5];
    const full = 120 * 90;
    let rawPlanes = 0;
    for (const win of tileWindows(cube.grid, 50)) {
      const { planes, decoding } = await cube.readPlanes(win, cells, h.context());
      for (const [j, cell] of cells.entries()) {
        if (planes[j] instanceof Uint16Array) rawPlanes++;
        const got = decodeInto(planes[j], decoding[j]);
        for (let r = 0; r < win.height; r++) {
          for (let c = 0; c < win.width; c++) {
            const expected = all[cell * full + (win.y + r) * 120 + win.x + c];
            expect(Object.is(got[r * win.width + c], expected)).toBe(true);
          }
        }
      }
    }
    // The files are single UInt16 GeoTIFFs on the cube grid: every plane comes raw.
    expect(rawPlanes).toBe(6 * 6);
  });

  test('a cube narrowed to one date still reads its planes raw, with the file\'s no-data value', async () => {
    const cube = await loadS2();
    const narrowed = cube.narrowLabels(0, [1]) as CollectionCube;
    const { planes, decoding } = await narrowed.readPlanes({ x: 100, y: 80, width: 20, height: 10 }, [1], h.context());
    expect(planes[0]).toBeInstanceOf(Uint16Array);
    expect(decoding[0]).toEqual({ nodata: 0, scale: 1, offset: 0 });
  });
});

describe('kernel pool', () => {
  const pool = new KernelPool(2);
  afterAll(() => pool.close());

  test('results equal the inline kernel, and the planes are transferred rather than copied', async () => {
    const n = 50_000;
    const red = Uint16Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0 : 200 + (i % 300)));
    const nir = Uint16Array.from({ length: n }, (_, i) => 1000 + (i % 777));
    const decoding = [{ nodata: 0, scale: 1, offset: 0 }, { nodata: 0, scale: 1, offset: 0 }];
    const expected = runKernel(DIFF_RATIO, [red, nir], decoding, n);
    const got = await pool.run(DIFF_RATIO, [red, nir], decoding, n);
    expect(got.length).toBe(n);
    expect(mismatches(got, expected)).toBe(0);
    expect(Number.isNaN(got[0])).toBe(true);
    expect(red.buffer.byteLength).toBe(0);
    expect(nir.buffer.byteLength).toBe(0);
  });

  test('many tasks at once all complete with their own results', async () => {
    const n = 10_000;
    const runs = Array.from({ length: 20 }, (_, k) => {
      const a = new Float64Array(n).fill(k);
      const b = new Float64Array(n).fill(k + 1);
      return pool.run(DIFF_RATIO, [a, b], [MASKED, MASKED], n).then((out) => out[n - 1]);
    });
    const results = await Promise.all(runs);
    results.forEach((v, k) => expect(v).toBeCloseTo(1 / (2 * k + 1), 12));
  });

  test('input planes come back from the workers and their buffers are reused for the next reads', async () => {
    const n = 12_345;
    const a = new Float64Array(n).fill(7);
    const b = new Float64Array(n).fill(9);
    await pool.run(DIFF_RATIO, [a, b], [MASKED, MASKED], n);
    // A fresh buffer would be zero-filled; a recycled one still holds the old plane.
    const reused = new Float64Array(takeBuffer(8 * n));
    expect([7, 9]).toContain(reused[n - 1]);
  });

  test('a pool replaced while tasks run lets them finish before its workers stop', async () => {
    const old = new KernelPool(1);
    const n = 20_000;
    const running = old.run(DIFF_RATIO, [new Float64Array(n).fill(1), new Float64Array(n).fill(3)], [MASKED, MASKED], n);
    old.retire();
    expect((await running)[0]).toBe(0.5);
    // Retired and idle: a new task would need a worker the pool no longer keeps alive.
    await new Promise((r) => setTimeout(r, 50));
    expect((old as unknown as { slots: unknown[] }).slots).toHaveLength(0);
  });

  test('a failing kernel rejects its task and the pool goes on working', async () => {
    const broken: FusedKernel = { source: 'throw new Error("kernel failed on purpose");', inputCells: [0], outputCells: 1 };
    const n = 10_000;
    await expect(pool.run(broken, [new Float64Array(n)], [MASKED], n)).rejects.toThrow('kernel failed on purpose');
    const out = await pool.run(DIFF_RATIO, [new Float64Array(n).fill(1), new Float64Array(n).fill(3)], [MASKED, MASKED], n);
    expect(out[5]).toBe(0.5);
  });
});

describe('fused tiles and the tile scheduler', () => {
  test('computeFusedTile over a collection equals the kernel applied to the Float64 tile', async () => {
    const cube = await loadS2();
    const win = { x: 10, y: 20, width: 64, height: 40 };
    const tile = await cube.tile(win, h.context());
    const n = win.width * win.height;
    const expected = runKernel(DIFF_RATIO, [tile.subarray(0, n), tile.subarray(n, 2 * n)], [MASKED, MASKED], n);
    const got = await computeFusedTile(cube, DIFF_RATIO, win, h.context());
    expect(mismatches(got, expected)).toBe(0);
  });

  /** A cube whose tiles finish in reverse order and whose tile at (x, y) = (32, 32) fails. */
  class SlowCube extends DataCube {
    running = 0;
    mostRunning = 0;
    constructor(private readonly failAt: boolean) {
      super({ dims: [], grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [0, 1, 0, 0, 0, -1], width: 96, height: 64 } });
    }
    get parallelTiles(): boolean {
      return true;
    }
    protected async computeTile(win: TileWindow, _ctx: TileContext): Promise<Float64Array> {
      this.running++;
      this.mostRunning = Math.max(this.mostRunning, this.running);
      await new Promise((r) => setTimeout(r, 30 - (win.x + win.y) / 8));
      this.running--;
      if (this.failAt && win.x === 32 && win.y === 32) throw new Error('tile failed');
      return new Float64Array(win.width * win.height).fill(win.x * 1000 + win.y);
    }
  }

  test('tiles computed concurrently reach the consumer in row-major order', async () => {
    const seen: string[] = [];
    const cube = new SlowCube(false);
    setTilesInFlight(3);
    await forEachTile(cube, h.context(), 32, (tile, win) => {
      expect(tile[0]).toBe(win.x * 1000 + win.y);
      seen.push(`${win.x},${win.y}`);
    });
    expect(seen).toEqual(['0,0', '32,0', '64,0', '0,32', '32,32', '64,32']);
    expect(cube.mostRunning).toBe(3);
  });

  test('a failing tile stops the loop with its error after the tiles before it were consumed', async () => {
    const seen: string[] = [];
    await expect(forEachTile(new SlowCube(true), h.context(), 32, (_t, win) => void seen.push(`${win.x},${win.y}`))).rejects.toThrow('tile failed');
    expect(seen).toEqual(['0,0', '32,0', '64,0', '0,32']);
  });
});
