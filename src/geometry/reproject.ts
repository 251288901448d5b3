import gdal from 'gdal-async';
import { sameCrs, transformation } from '../gdal/srs';
import type { GeoJsonGeometry, GeometrySet } from './types';

/** One geometry in another CRS (through OGR, so every geometry type is handled alike). */
export function reprojectGeometry(geometry: GeoJsonGeometry, ct: gdal.CoordinateTransformation): GeoJsonGeometry {
  const ogr = gdal.Geometry.fromGeoJson(geometry as unknown as object);
  ogr.transform(ct);
  return JSON.parse(ogr.toJSON()) as GeoJsonGeometry;
}

/** The set in `crs`; properties and ids are kept. Returns the same set when the CRS already matches. */
export function reprojectSet(set: GeometrySet, crs: string): GeometrySet {
  if (sameCrs(set.crs, crs)) return set;
  const ct = transformation(set.crs, crs);
  return {
    crs,
    features: set.features.map((f) => ({ ...f, geometry: f.geometry && reprojectGeometry(f.geometry, ct) })),
  };
}

/** Calls `visit` for every position of a geometry. */
export function forEachPosition(geometry: GeoJsonGeometry, visit: (x: number, y: number) => void): void {
  switch (geometry.type) {
    case 'Point':
      visit(geometry.coordinates[0], geometry.coordinates[1]);
      return;
    case 'MultiPoint':
    case 'LineString':
      for (const p of geometry.coordinates) visit(p[0], p[1]);
      return;
    case 'MultiLineString':
    case 'Polygon':
      for (const line of geometry.coordinates) for (const p of line) visit(p[0], p[1]);
      return;
    case 'MultiPolygon':
      for (const poly of geometry.coordinates) for (const ring of poly) for (const p of ring) visit(p[0], p[1]);
      return;
    case 'GeometryCollection':
      for (const g of geometry.geometries) forEachPosition(g, visit);
  }
}

/** [west, south, east, north] of all geometries, or null when there are none. */
export function setBounds(set: GeometrySet): [number, number, number, number] | null {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const f of set.features) {
    if (!f.geometry) continue;
    forEachPosition(f.geometry, (x, y) => {
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    });
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}
