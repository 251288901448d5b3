/**
 * The polygon pixel rule of mask_polygon, filter_spatial, aggregate_spatial and apply_polygon: a
 * pixel is covered when its centre intersects the polygon (OGC Simple Features, so the boundary
 * counts). Checked against a direct point-in-closed-polygon test on polygons whose vertices lie on
 * the half-pixel lattice (every centre test is exact there and many centres lie on edges), and on
 * a lon/lat climate grid with a polygon drawn along cell centres, as users draw them.
 */
import type { Callback } from '../../src/processes/types';
import { DataCube } from '../../src/raster/cube/DataCube';
import { MemoryCube } from '../../src/raster/cube/MemoryCube';
import { clipWindow } from '../../src/raster/cube/clip';
import { SpatialGrid, TileWindow, fullWindow } from '../../src/raster/cube/model';
import { pixelShape } from '../../src/vector/rasterize';
import type { GeoJsonGeometry, Position } from '../../src/geometry/types';
import { Random } from '../helpers/random';
import { callbackOf, one, P } from '../processes/fusedHelpers';
import { registry, runContext } from '../processes/helpers';

const SIZE = 24;
// North-up: column = x, row = SIZE - y, so lattice coordinates stay exact in pixel space.
const LATTICE: SpatialGrid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [0, 1, 0, SIZE, 0, -1], width: SIZE, height: SIZE };

function onSegment(px: number, py: number, a: Position, b: Position): boolean {
  const cross = (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0]);
  if (cross !== 0) return false;
  return px >= Math.min(a[0], b[0]) && px <= Math.max(a[0], b[0]) && py >= Math.min(a[1], b[1]) && py <= Math.max(a[1], b[1]);
}

/** Whether (px, py) lies in the closed even-odd region of the rings: on an edge, or inside by ray casting. */
function coveredPoint(px: number, py: number, rings: Position[][]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i], b = ring[i + 1];
      if (onSegment(px, py, a, b)) return true;
      if ((a[1] > py) !== (b[1] > py) && px < a[0] + ((py - a[1]) * (b[0] - a[0])) / (b[1] - a[1])) inside = !inside;
    }
  }
  return inside;
}

/** The covered pixels of `win` by testing every centre. */
function expectedPixels(rings: Position[][], win: TileWindow): number[] {
  const out: number[] = [];
  for (let r = 0; r < win.height; r++) {
    for (let c = 0; c < win.width; c++) {
      if (coveredPoint(win.x + c + 0.5, SIZE - (win.y + r + 0.5), rings)) out.push(r * win.width + c);
    }
  }
  return out;
}

/** A closed ring of `n` vertices on the half-pixel lattice around a centre, at random radii (star-shaped, so simple). */
function randomRing(rng: Random, cx: number, cy: number, radius: number, n: number): Position[] {
  const ring: Position[] = [];
  for (let k = 0; k < n; k++) {
    const angle = (2 * Math.PI * k) / n;
    const r = radius * (0.4 + 0.6 * rng.next());
    ring.push([Math.round((cx + r * Math.cos(angle)) * 2) / 2, Math.round((cy + r * Math.sin(angle)) * 2) / 2]);
  }
  ring.push(ring[0]);
  return ring;
}

const WINDOWS: TileWindow[] = [fullWindow(LATTICE), { x: 0, y: 0, width: 7, height: 24 }, { x: 5, y: 9, width: 11, height: 6 }, { x: 20, y: 20, width: 4, height: 4 }];

describe('pixelShape covers the pixels whose centre intersects the polygon', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random polygon %i (with a hole), every window', (seed) => {
    const rng = new Random(seed);
    const outer = randomRing(rng, 12, 12, 11, 5 + rng.int(0, 12));
    const hole = randomRing(rng, 12, 12, 3, 3 + rng.int(0, 5));
    const geometry: GeoJsonGeometry = { type: 'Polygon', coordinates: [outer, hole] };
    for (const win of WINDOWS) {
      expect([...pixelShape(geometry, LATTICE).pixelsIn(win)]).toEqual(expectedPixels([outer, hole], win));
    }
  });

  test('a rectangle along pixel centres keeps its east column and south row; a hole edge along centres counts as covered', () => {
    const rings: Position[][] = [
      [[2.5, 2.5], [9.5, 2.5], [9.5, 8.5], [2.5, 8.5], [2.5, 2.5]],
      [[4.5, 4.5], [6.5, 4.5], [6.5, 6.5], [4.5, 6.5], [4.5, 4.5]],
    ];
    const pixels = pixelShape({ type: 'Polygon', coordinates: rings }, LATTICE).pixelsIn(fullWindow(LATTICE));
    // 8 × 7 centres in the rectangle, minus the one centre strictly inside the hole.
    expect(pixels.length).toBe(8 * 7 - 1);
    expect([...pixels]).toEqual(expectedPixels(rings, fullWindow(LATTICE)));
  });

  test('a triangle touching the scanline with a vertex, and an edge through centres', () => {
    const rings: Position[][] = [[[3.5, 1.5], [10.5, 8.5], [17.5, 1.5], [3.5, 1.5]]];
    expect([...pixelShape({ type: 'Polygon', coordinates: rings }, LATTICE).pixelsIn(fullWindow(LATTICE))]).toEqual(expectedPixels(rings, fullWindow(LATTICE)));
  });
});

describe('processes on a climate grid with a polygon drawn along cell centres', () => {
  // 0.1° cells: the centres (e.g. 10.15) are not exact binary numbers.
  const GRID: SpatialGrid = { xName: 'x', yName: 'y', crs: 'EPSG:4326', epsg: 4326, transform: [10, 0.1, 0, 48, 0, -0.1], width: 9, height: 9 };
  const centre = (i: number, origin: number, step: number) => Number((origin + (i + 0.5) * step).toFixed(2));
  // The centres of columns 2…6 and rows 1…5: a 5 × 5 block of cells.
  const west = centre(2, 10, 0.1), east = centre(6, 10, 0.1), north = centre(1, 48, -0.1), south = centre(5, 48, -0.1);
  const POLYGON = { type: 'Polygon', coordinates: [[[west, north], [east, north], [east, south], [west, south], [west, north]]] };
  const inBlock = (p: number) => {
    const row = Math.floor(p / GRID.width), col = p % GRID.width;
    return row >= 1 && row <= 5 && col >= 2 && col <= 6;
  };

  const cube = () => {
    const values = new Float64Array(GRID.width * GRID.height).map((_, i) => i + 1);
    return new MemoryCube({ dims: [], grid: GRID }, values);
  };

  async function execute(id: string, args: Record<string, unknown>): Promise<unknown> {
    const definition = registry.get(id)!;
    const full: Record<string, unknown> = { ...args };
    for (const p of definition.spec.parameters) if (full[p.name] === undefined && 'default' in p) full[p.name] = p.default;
    return definition.execute(full, runContext());
  }

  test('mask_polygon keeps all 25 cells', async () => {
    const masked = (await execute('mask_polygon', { data: cube(), mask: POLYGON })) as DataCube;
    const values = await masked.tile(fullWindow(GRID), runContext());
    values.forEach((v, p) => expect([p, Number.isNaN(v)]).toEqual([p, !inBlock(p)]));
  });

  test('filter_spatial crops to the 5 × 5 cells and keeps them all', async () => {
    const filtered = (await execute('filter_spatial', { data: cube(), geometries: POLYGON })) as DataCube;
    expect([filtered.grid!.width, filtered.grid!.height]).toEqual([5, 5]);
    // The window load_collection clips to for the same extent.
    expect(clipWindow(GRID, [west, south, east, north])).toEqual({ x: 2, y: 1, width: 5, height: 5 });
    expect(filtered.grid!.transform[0]).toBeCloseTo(10.2, 9);
    expect(filtered.grid!.transform[3]).toBeCloseTo(47.9, 9);
    const values = await filtered.tile(fullWindow(filtered.grid), runContext());
    expect(values.every((v) => !Number.isNaN(v))).toBe(true);
  });

  test('aggregate_spatial counts all 25 cells', async () => {
    const count: Callback = callbackOf(one('count', { data: P('data') }));
    const aggregated = (await execute('aggregate_spatial', { data: cube(), geometries: POLYGON, reducer: count })) as DataCube;
    expect(Array.from(await aggregated.tile(fullWindow(aggregated.grid), runContext()))).toEqual([25]);
  });
});
