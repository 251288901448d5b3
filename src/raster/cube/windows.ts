import { TileWindow, windowPixels } from './model';

/** The two halves of a window, split across its longer side (for bounding what one step reads). */
export function halves(win: TileWindow): [TileWindow, TileWindow] {
  return win.width >= win.height
    ? [{ ...win, width: Math.ceil(win.width / 2) }, { ...win, x: win.x + Math.ceil(win.width / 2), width: Math.floor(win.width / 2) }]
    : [{ ...win, height: Math.ceil(win.height / 2) }, { ...win, y: win.y + Math.ceil(win.height / 2), height: Math.floor(win.height / 2) }];
}

/**
 * Copies the part of `from` (values of window `a`, `cells` per pixel in the tile layout) that lies
 * in window `b` into `to` (values of window `b`).
 */
export function copyOverlap(from: Float64Array, a: TileWindow, to: Float64Array, b: TileWindow, cells: number): void {
  const x0 = Math.max(a.x, b.x), x1 = Math.min(a.x + a.width, b.x + b.width);
  const y0 = Math.max(a.y, b.y), y1 = Math.min(a.y + a.height, b.y + b.height);
  if (x1 <= x0 || y1 <= y0) return;
  const pa = windowPixels(a), pb = windowPixels(b);
  for (let c = 0; c < cells; c++) {
    for (let y = y0; y < y1; y++) {
      const src = c * pa + (y - a.y) * a.width + (x0 - a.x);
      to.set(from.subarray(src, src + (x1 - x0)), c * pb + (y - b.y) * b.width + (x0 - b.x));
    }
  }
}
