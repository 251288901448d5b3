import type { DataCube } from './DataCube';
import { TileContext, TileWindow } from './model';

/**
 * How values beyond the grid edge are made up when a tile is read with a halo:
 * a constant, or one of the mirror/repeat rules (for a row `abcd`):
 * replicate `aa|abcd|dd`, reflect `ba|abcd|dc`, reflect_pixel `cb|abcd|cb`, wrap `cd|abcd|ab`.
 */
export type Border = number | 'replicate' | 'reflect' | 'reflect_pixel' | 'wrap';

/** The grid index (0…n-1) a padded index stands for, or -1 for a constant border. */
function sourceIndex(i: number, n: number, border: Border): number {
  if (i >= 0 && i < n) return i;
  if (typeof border === 'number') return -1;
  if (border === 'replicate') return i < 0 ? 0 : n - 1;
  if (border === 'wrap') return ((i % n) + n) % n;
  // Mirrors, folded until inside (kernels larger than the grid fold more than once).
  if (border === 'reflect_pixel' && n === 1) return 0;
  const period = border === 'reflect' ? 2 * n : 2 * n - 2;
  let k = ((i % period) + period) % period;
  if (border === 'reflect') return k < n ? k : period - 1 - k;
  return k < n ? k : period - k;
}

/** Maximal runs of consecutive grid indices in `indices` (ignoring -1), as [start, length, positions]. */
function runs(indices: Int32Array): Array<{ start: number; length: number }> {
  const sorted = [...new Set([...indices].filter((i) => i >= 0))].sort((a, b) => a - b);
  const out: Array<{ start: number; length: number }> = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && last.start + last.length === i) last.length++;
    else out.push({ start: i, length: 1 });
  }
  return out;
}

/**
 * Reads `win` of `cube` enlarged by `hx` columns and `hy` rows on each side, in the tile layout
 * (cells × (height + 2hy) × (width + 2hx)). Parts outside the grid follow `border`. Only the
 * windows actually needed are read from the parent (one for inner tiles).
 */
export async function readWithHalo(
  cube: DataCube,
  win: TileWindow,
  hx: number,
  hy: number,
  border: Border,
  ctx: TileContext,
): Promise<Float64Array> {
  const grid = cube.grid!;
  const width = win.width + 2 * hx;
  const height = win.height + 2 * hy;
  const cols = new Int32Array(width);
  const rows = new Int32Array(height);
  for (let c = 0; c < width; c++) cols[c] = sourceIndex(win.x - hx + c, grid.width, border);
  for (let r = 0; r < height; r++) rows[r] = sourceIndex(win.y - hy + r, grid.height, border);
  const cells = cube.cellsPerPixel;
  const out = new Float64Array(cells * width * height).fill(typeof border === 'number' ? border : NaN);
  for (const rr of runs(rows)) {
    for (const cr of runs(cols)) {
      const part = await cube.tile({ x: cr.start, y: rr.start, width: cr.length, height: rr.length }, ctx);
      const partPixels = cr.length * rr.length;
      for (let r = 0; r < height; r++) {
        const sr = rows[r] - rr.start;
        if (sr < 0 || sr >= rr.length) continue;
        for (let c = 0; c < width; c++) {
          const sc = cols[c] - cr.start;
          if (sc < 0 || sc >= cr.length) continue;
          const from = sr * cr.length + sc;
          const to = r * width + c;
          for (let k = 0; k < cells; k++) out[k * width * height + to] = part[k * partPixels + from];
        }
      }
    }
  }
  return out;
}
