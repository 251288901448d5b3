import gdal from 'gdal-async';

export type Bounds = [number, number, number, number];

const srsCache = new Map<string, gdal.SpatialReference>();
const xyCache = new Map<string, gdal.SpatialReference>();

/** The spatial reference of a CRS string (`EPSG:n`, WKT, PROJJSON, PROJ); throws on unknown input. */
export function spatialReference(crs: string): gdal.SpatialReference {
  let srs = srsCache.get(crs);
  if (!srs) {
    srs = /^EPSG:\d+$/i.test(crs) ? gdal.SpatialReference.fromEPSG(Number(crs.slice(5))) : gdal.SpatialReference.fromUserInput(crs);
    srsCache.set(crs, srs);
  }
  return srs;
}

/**
 * The same CRS with easting/northing (lon/lat) axis order. Coordinate transformations
 * use these, since openEO bounding boxes are always x/y even for EPSG:4326.
 */
function xyReference(crs: string): gdal.SpatialReference {
  let srs = xyCache.get(crs);
  if (!srs) {
    srs = gdal.SpatialReference.fromProj4(spatialReference(crs).toProj4());
    xyCache.set(crs, srs);
  }
  return srs;
}

export function sameCrs(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return spatialReference(a).isSame(spatialReference(b));
  } catch {
    return false;
  }
}

/** Building a transformation consults the PROJ database (milliseconds); catalogues reuse a few CRS pairs. */
const transformCache = new Map<string, gdal.CoordinateTransformation>();

/** A (cached) transformation between two CRSs, both with x/y (easting first) axis order. */
export function transformation(from: string, to: string): gdal.CoordinateTransformation {
  const key = `${from}\n${to}`;
  let ct = transformCache.get(key);
  if (!ct) {
    ct = new gdal.CoordinateTransformation(xyReference(from), xyReference(to));
    if (transformCache.size > 100) transformCache.clear();
    transformCache.set(key, ct);
  }
  return ct;
}

/**
 * Transforms bounds between CRSs, following the edges (21 points each) so that curved
 * borders stay inside the result. Returns null when nothing could be transformed.
 */
export function transformBounds(bounds: Bounds, from: string, to: string): Bounds | null {
  if (sameCrs(from, to)) return [...bounds];
  const ct = transformation(from, to);
  const [x0, y0, x1, y1] = bounds;
  const steps = 20;
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (let i = 0; i <= steps; i++) {
    const fx = x0 + ((x1 - x0) * i) / steps;
    const fy = y0 + ((y1 - y0) * i) / steps;
    for (const [x, y] of [[fx, y0], [fx, y1], [x0, fy], [x1, fy]]) {
      let p: { x: number; y: number };
      try {
        p = ct.transformPoint(x, y);
      } catch {
        continue;
      }
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      w = Math.min(w, p.x); e = Math.max(e, p.x); s = Math.min(s, p.y); n = Math.max(n, p.y);
    }
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

/** Checks that GDAL understands a CRS; returns an explanation when not. */
export function crsProblem(crs: string): string | null {
  try {
    spatialReference(crs);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
