/**
 * Which pixels of a grid a geometry covers, computed one tile window at a time.
 *
 * The rules follow the process definitions (aggregate_spatial, mask_polygon, filter_spatial): a
 * polygon covers the pixels whose centre intersects it, i.e. lies inside it (even-odd over all
 * rings, so holes are excluded) or on its boundary, so neighbouring polygons share the centres on
 * their common edge, as load_collection keeps the centres on the border of its extent; a point
 * covers the pixel whose centre is closest (the pixel it lies in); a line covers every pixel it
 * passes through.
 */
import type { SpatialGrid, TileWindow } from '../raster/cube/model';
import type { GeoJsonGeometry, Position } from '../geometry/types';

/** A geometry in pixel coordinates of one grid (column = x, row = y, pixel (c, r) spans [c, c+1) × [r, r+1)). */
export interface PixelShape {
  /** Pixel-coordinate bounds [minCol, minRow, maxCol, maxRow] (fractional); empty shapes have none. */
  bounds: [number, number, number, number] | null;
  /** Indices `row * win.width + col` (relative to the window) of the covered pixels, ascending and unique. */
  pixelsIn(win: TileWindow): Int32Array;
}

type ToPixel = (p: Position) => [number, number];

function pixelMapper(grid: SpatialGrid): ToPixel {
  const [x0, dx, , y0, , dy] = grid.transform;
  return (p) => [(p[0] - x0) / dx, (p[1] - y0) / dy];
}

function boundsOf(coords: number[]): [number, number, number, number] | null {
  if (coords.length === 0) return null;
  let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
  for (let i = 0; i < coords.length; i += 2) {
    a = Math.min(a, coords[i]); c = Math.max(c, coords[i]);
    b = Math.min(b, coords[i + 1]); d = Math.max(d, coords[i + 1]);
  }
  return [a, b, c, d];
}

/** Rows/columns of `win` that `bounds` may touch, clipped to the window; null when disjoint. */
function windowRange(bounds: [number, number, number, number], win: TileWindow, grow: number): [number, number, number, number] | null {
  const c0 = Math.max(win.x, Math.floor(bounds[0] - grow));
  const r0 = Math.max(win.y, Math.floor(bounds[1] - grow));
  const c1 = Math.min(win.x + win.width - 1, Math.ceil(bounds[2] + grow));
  const r1 = Math.min(win.y + win.height - 1, Math.ceil(bounds[3] + grow));
  return c0 <= c1 && r0 <= r1 ? [c0, r0, c1, r1] : null;
}

/**
 * Pixel coordinates this close to a pixel centre count as the centre, as load_collection's extent
 * clip does: a polygon drawn along the centres of a grid must not lose them to rounding.
 */
const CENTRE_TOLERANCE = 1e-9;

function snapToCentre(v: number): number {
  const centre = Math.round(v - 0.5) + 0.5;
  return Math.abs(v - centre) < CENTRE_TOLERANCE ? centre : v;
}

/** An Int32Array that grows as pixel indices are appended. */
class IndexList {
  private data = new Int32Array(256);
  length = 0;

  pushRange(first: number, last: number): void {
    const needed = this.length + last - first + 1;
    if (needed > this.data.length) {
      const grown = new Int32Array(Math.max(needed, this.data.length * 2));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    for (let i = first; i <= last; i++) this.data[this.length++] = i;
  }

  result(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Polygon areas: edges as flat [x1, y1, x2, y2, …] in pixel coordinates, filled by scanlines through
 * pixel centres. A centre is covered when it lies in the closed polygon (its boundary included, as
 * "intersects" means in OGC Simple Features): inside by even-odd crossings, or on an edge.
 */
function areaShape(edges: Float64Array): PixelShape {
  const corners: number[] = [];
  for (let i = 0; i < edges.length; i += 4) corners.push(edges[i], edges[i + 1]);
  const bounds = boundsOf(corners);
  const edgeCount = edges.length / 4;
  // Per scanline: crossings of the edges, then closed spans [left, right] of covered x (at most one per edge each).
  const crossings = new Float64Array(edgeCount);
  const spans = new Float64Array(4 * edgeCount);
  return {
    bounds,
    pixelsIn(win) {
      const range = bounds && windowRange(bounds, win, 0);
      if (!range) return new Int32Array(0);
      const [c0, r0, c1, r1] = range;
      const out = new IndexList();
      for (let r = r0; r <= r1; r++) {
        const yc = r + 0.5;
        let nCrossings = 0;
        let nSpans = 0;
        let onBoundary = false;
        for (let i = 0; i < edges.length; i += 4) {
          const xa = edges[i], ya = edges[i + 1], xb = edges[i + 2], yb = edges[i + 3];
          // Half-open in y so a vertex on the scanline is crossed once (or, at a peak, twice or not at all).
          if ((ya <= yc) !== (yb <= yc)) crossings[nCrossings++] = xa + ((yc - ya) * (xb - xa)) / (yb - ya);
          // What the crossings miss of the boundary on the scanline: edges along it and vertices on it.
          if (ya === yc || yb === yc) {
            const from = ya === yc ? xa : xb;
            const to = ya === yc && yb === yc ? xb : from;
            spans[nSpans++] = Math.min(from, to);
            spans[nSpans++] = Math.max(from, to);
            onBoundary = true;
          }
        }
        const sorted = crossings.subarray(0, nCrossings).sort();
        for (let k = 0; k + 1 < nCrossings; k += 2) {
          spans[nSpans++] = sorted[k];
          spans[nSpans++] = sorted[k + 1];
        }
        if (nSpans === 0) continue;
        addRow(out, spans, nSpans, onBoundary, (r - win.y) * win.width - win.x, c0, c1);
      }
      return out.result();
    },
  };
}

/**
 * Appends the pixels of one row whose centres c + 0.5 lie in any of the closed spans (pairs in
 * `spans`), ascending and once each; `unordered` when spans other than the sorted interior ones are there.
 */
function addRow(out: IndexList, spans: Float64Array, n: number, unordered: boolean, rowOffset: number, c0: number, c1: number): void {
  if (unordered) sortPairs(spans, n);
  let next = c0;
  for (let k = 0; k < n; k += 2) {
    const first = Math.max(next, Math.ceil(spans[k] - 0.5 - CENTRE_TOLERANCE));
    const last = Math.min(c1, Math.floor(spans[k + 1] - 0.5 + CENTRE_TOLERANCE));
    if (first <= last) {
      out.pushRange(rowOffset + first, rowOffset + last);
      next = last + 1;
    }
  }
}

/** Sorts the first `n` values of `pairs`, taken as (left, right) pairs, by left (insertion sort: a row has few). */
function sortPairs(pairs: Float64Array, n: number): void {
  for (let k = 2; k < n; k += 2) {
    const left = pairs[k], right = pairs[k + 1];
    let j = k - 2;
    for (; j >= 0 && pairs[j] > left; j -= 2) {
      pairs[j + 2] = pairs[j];
      pairs[j + 3] = pairs[j + 1];
    }
    pairs[j + 2] = left;
    pairs[j + 3] = right;
  }
}

function sortedUnique(values: number[]): Int32Array {
  const sorted = Int32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i];
  return sorted.slice(0, n);
}

/** Points and lines: the pixels they fall in, precomputed as global (col, row) pairs. */
function cellShape(cells: number[]): PixelShape {
  const bounds = boundsOf(cells);
  return {
    bounds: bounds && [bounds[0], bounds[1], bounds[2] + 1, bounds[3] + 1],
    pixelsIn(win) {
      const out: number[] = [];
      for (let i = 0; i < cells.length; i += 2) {
        const c = cells[i] - win.x;
        const r = cells[i + 1] - win.y;
        if (c >= 0 && r >= 0 && c < win.width && r < win.height) out.push(r * win.width + c);
      }
      return sortedUnique(out);
    },
  };
}

/** Pixels a segment passes through, by sampling it densely (a tenth of a pixel apart). */
function segmentCells(a: [number, number], b: [number, number], out: number[]): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) * 10));
  let lastC = NaN, lastR = NaN;
  for (let s = 0; s <= steps; s++) {
    const c = Math.floor(a[0] + ((b[0] - a[0]) * s) / steps);
    const r = Math.floor(a[1] + ((b[1] - a[1]) * s) / steps);
    if (c !== lastC || r !== lastR) out.push(c, r);
    lastC = c; lastR = r;
  }
}

function collect(geometry: GeoJsonGeometry, toPixel: ToPixel, edges: number[], cells: number[]): void {
  const addRing = (ring: Position[]) => {
    const corners = ring.map((p) => toPixel(p).map(snapToCentre));
    for (let i = 0; i + 1 < corners.length; i++) edges.push(corners[i][0], corners[i][1], corners[i + 1][0], corners[i + 1][1]);
  };
  const addLine = (line: Position[]) => {
    for (let i = 0; i + 1 < line.length; i++) segmentCells(toPixel(line[i]), toPixel(line[i + 1]), cells);
  };
  const addPoint = (p: Position) => {
    const [c, r] = toPixel(p);
    cells.push(Math.floor(c), Math.floor(r));
  };
  switch (geometry.type) {
    case 'Point': return addPoint(geometry.coordinates);
    case 'MultiPoint': return geometry.coordinates.forEach(addPoint);
    case 'LineString': return addLine(geometry.coordinates);
    case 'MultiLineString': return geometry.coordinates.forEach(addLine);
    case 'Polygon': return geometry.coordinates.forEach(addRing);
    // Parts of a valid MultiPolygon do not overlap, so even-odd over all their rings is their union.
    case 'MultiPolygon': return geometry.coordinates.forEach((poly) => poly.forEach(addRing));
    case 'GeometryCollection':
      throw new Error('GeometryCollection is handled by pixelShape');
  }
}

function unionShape(parts: PixelShape[]): PixelShape {
  const boxes = parts.map((p) => p.bounds).filter((b): b is [number, number, number, number] => b !== null);
  const bounds: PixelShape['bounds'] = boxes.length
    ? [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]
    : null;
  return {
    bounds,
    pixelsIn(win) {
      const all: number[] = [];
      for (const p of parts) for (const i of p.pixelsIn(win)) all.push(i);
      return sortedUnique(all);
    },
  };
}

/** A geometry (already in the grid's CRS) as a pixel shape of `grid`; null geometries cover nothing. */
export function pixelShape(geometry: GeoJsonGeometry | null, grid: SpatialGrid): PixelShape {
  if (!geometry) return { bounds: null, pixelsIn: () => new Int32Array(0) };
  const toPixel = pixelMapper(grid);
  if (geometry.type === 'GeometryCollection') return unionShape(geometry.geometries.map((g) => pixelShape(g, grid)));
  const edges: number[] = [];
  const cells: number[] = [];
  collect(geometry, toPixel, edges, cells);
  return edges.length > 0 ? areaShape(Float64Array.from(edges)) : cellShape(cells);
}

/** Columns and rows [c0, r0, c1, r1) of the pixels whose centres lie within `bounds`, borders included. */
export function centreRange(bounds: [number, number, number, number]): [number, number, number, number] {
  const from = (v: number) => Math.ceil(v - 0.5 - CENTRE_TOLERANCE);
  const to = (v: number) => Math.floor(v - 0.5 + CENTRE_TOLERANCE) + 1;
  return [from(bounds[0]), from(bounds[1]), to(bounds[2]), to(bounds[3])];
}

/** The tile windows (indices into `windows`) a shape's bounds touch. */
export function touchedWindows(shape: PixelShape, windows: TileWindow[]): number[] {
  const b = shape.bounds;
  if (!b) return [];
  const out: number[] = [];
  windows.forEach((w, i) => {
    if (b[2] >= w.x && b[0] <= w.x + w.width && b[3] >= w.y && b[1] <= w.y + w.height) out.push(i);
  });
  return out;
}
