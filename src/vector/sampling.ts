/** Points sampled from geometries (vector_to_regular_points, vector_to_random_points), in the geometries' CRS. */
import gdal from 'gdal-async';
import type { GeoJsonGeometry, Position } from '../geometry/types';

type XY = [number, number];

function polygonParts(g: GeoJsonGeometry): Position[][][] {
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

function lineParts(g: GeoJsonGeometry): Position[][] {
  if (g.type === 'LineString') return [g.coordinates];
  if (g.type === 'MultiLineString') return g.coordinates;
  return [];
}

function pointParts(g: GeoJsonGeometry): Position[] {
  if (g.type === 'Point') return [g.coordinates];
  if (g.type === 'MultiPoint') return g.coordinates;
  return [];
}

function firstPosition(g: GeoJsonGeometry): XY | null {
  const p = pointParts(g)[0] ?? lineParts(g)[0]?.[0] ?? polygonParts(g)[0]?.[0]?.[0];
  return p ? [p[0], p[1]] : null;
}

function boundsOf(ring: Position[]): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const p of ring) {
    w = Math.min(w, p[0]); e = Math.max(e, p[0]); s = Math.min(s, p[1]); n = Math.max(n, p[1]);
  }
  return [w, s, e, n];
}

function inside(polygon: gdal.Geometry, [x, y]: XY): boolean {
  return polygon.contains(new gdal.Point(x, y));
}

/** The position `distance` along a line, or null past its end. */
function lineLength(line: Position[]): number {
  let total = 0;
  for (let i = 0; i + 1 < line.length; i++) total += Math.hypot(line[i + 1][0] - line[i][0], line[i + 1][1] - line[i][1]);
  return total;
}

function pointAlong(line: Position[], distance: number): XY {
  let rest = distance;
  for (let i = 0; i + 1 < line.length; i++) {
    const [ax, ay] = line[i];
    const [bx, by] = line[i + 1];
    const step = Math.hypot(bx - ax, by - ay);
    if (rest <= step && step > 0) return [ax + ((bx - ax) * rest) / step, ay + ((by - ay) * rest) / step];
    rest -= step;
  }
  const last = line[line.length - 1];
  return [last[0], last[1]];
}

/**
 * Regular samples: for polygons the centres of a `distance` grid anchored at the part's upper-left
 * corner that lie inside; for lines a point at the start and then every `distance` along the line;
 * points as they are. A geometry without any sample yields its first coordinate.
 */
export function regularPoints(g: GeoJsonGeometry, distance: number): XY[] {
  const out: XY[] = [];
  for (const polygon of polygonParts(g)) {
    const ogr = gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: polygon });
    const [w, s, e, n] = boundsOf(polygon[0]);
    for (let y = n - distance / 2; y > s; y -= distance) {
      for (let x = w + distance / 2; x < e; x += distance) if (inside(ogr, [x, y])) out.push([x, y]);
    }
  }
  for (const line of lineParts(g)) {
    const length = lineLength(line);
    for (let d = 0; d <= length; d += distance) out.push(pointAlong(line, d));
  }
  for (const p of pointParts(g)) out.push([p[0], p[1]]);
  if (out.length === 0 && g.type !== 'GeometryCollection') {
    const first = firstPosition(g);
    if (first) out.push(first);
  }
  return out;
}

/** A small seeded generator (mulberry32), so a seed gives the same points every time. */
export function randomSource(seed: number | null): () => number {
  if (seed === null) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` random samples: uniform inside polygons (by rejection in the bounds), uniform along
 * lines, and distinct members of point sets (never more than there are).
 */
export function randomPoints(g: GeoJsonGeometry, count: number, random: () => number): XY[] {
  const out: XY[] = [];
  const points = pointParts(g);
  if (points.length > 0) {
    const pool = points.map((p): XY => [p[0], p[1]]);
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    return out;
  }
  const lines = lineParts(g);
  if (lines.length > 0) {
    const lengths = lines.map(lineLength);
    const total = lengths.reduce((a, b) => a + b, 0);
    for (let k = 0; k < count; k++) {
      let d = random() * total;
      let i = 0;
      while (i < lines.length - 1 && d > lengths[i]) d -= lengths[i++];
      out.push(pointAlong(lines[i], d));
    }
    return out;
  }
  const polygons = polygonParts(g);
  if (polygons.length === 0) return out;
  const ogr = gdal.Geometry.fromGeoJson(g as unknown as object);
  const [w, s, e, n] = boundsOf(polygons.flatMap((p) => p[0]));
  for (let attempts = 0; out.length < count && attempts < count * 10_000; attempts++) {
    const p: XY = [w + random() * (e - w), s + random() * (n - s)];
    if (inside(ogr, p)) out.push(p);
  }
  return out;
}
