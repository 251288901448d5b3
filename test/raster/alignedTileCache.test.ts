import { AlignedTileCache } from '../../src/raster/cube/AlignedTileCache';
import { DataCube } from '../../src/raster/cube/DataCube';
import type { TileContext, TileWindow } from '../../src/raster/cube/model';

/** A 2-band cube whose value encodes band, row and column, counting the tiles it computes. */
class CountingCube extends DataCube {
  readonly computed: string[] = [];
  constructor(width: number, height: number) {
    super({
      dims: [{ name: 'bands', type: 'bands', labels: ['a', 'b'] }],
      grid: { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [0, 10, 0, 0, 0, -10], width, height },
    });
  }
  protected async computeTile(win: TileWindow, _ctx: TileContext): Promise<Float64Array> {
    this.computed.push(`${win.x},${win.y},${win.width},${win.height}`);
    const n = win.width * win.height;
    const out = new Float64Array(2 * n);
    for (let b = 0; b < 2; b++) {
      for (let r = 0; r < win.height; r++) {
        for (let c = 0; c < win.width; c++) out[b * n + r * win.width + c] = b * 1e8 + (win.y + r) * 1e4 + win.x + c;
      }
    }
    return out;
  }
}

const ctx: TileContext = { signal: new AbortController().signal, stats: { inputPixels: 0 } };

test('windows straddling tile borders equal direct reads, and each lattice tile is computed once', async () => {
  const cube = new CountingCube(1300, 1100);
  const cache = new AlignedTileCache(cube);
  expect(cache.useful).toBe(true);
  const windows: TileWindow[] = [];
  // Overlapping windows in row-major order, as a warp asks for them.
  for (let y = 0; y < 1100; y += 400) for (let x = 0; x < 1300; x += 400) windows.push({ x: Math.max(0, x - 30), y: Math.max(0, y - 30), width: Math.min(470, 1300 - Math.max(0, x - 30)), height: Math.min(470, 1100 - Math.max(0, y - 30)) });
  for (const win of windows) {
    const got = await cache.window(win, ctx);
    const expected = await new CountingCube(1300, 1100).tile(win, ctx);
    expect(got).toEqual(expected);
  }
  // 3 × 3 lattice tiles of 512 (the last row and column shorter), none computed twice.
  expect(cube.computed.length).toBe(9);
  expect(new Set(cube.computed).size).toBe(9);
  expect(cube.computed).toContain('1024,1024,276,76');
});

test('concurrent requests for the same tile share one computation', async () => {
  const cube = new CountingCube(600, 600);
  const cache = new AlignedTileCache(cube);
  await Promise.all([cache.window({ x: 0, y: 0, width: 100, height: 100 }, ctx), cache.window({ x: 50, y: 50, width: 100, height: 100 }, ctx)]);
  expect(cube.computed).toEqual(['0,0,512,512']);
});

test('cubes with too many values per pixel are not worth caching', () => {
  // Two bands: 4 MiB a tile, four rows of a 4096-wide lattice fit.
  expect(new AlignedTileCache(new CountingCube(4096, 4096)).useful).toBe(true);
  // The same bands over a grid so wide that two rows of tiles exceed the budget.
  expect(new AlignedTileCache(new CountingCube(40000, 1000)).useful).toBe(false);
  const many = new (class extends DataCube {
    constructor() {
      super({ dims: [{ name: 't', type: 'temporal', labels: Array.from({ length: 400 }, (_, i) => `2020-01-${i}`) }], grid: { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform: [0, 1, 0, 0, 0, -1], width: 4000, height: 4000 } });
    }
    protected async computeTile(): Promise<Float64Array> {
      return new Float64Array(0);
    }
  })();
  expect(new AlignedTileCache(many).useful).toBe(false);
});
