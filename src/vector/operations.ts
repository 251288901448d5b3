/** Geometry operations on geometry sets through OGR (GEOS): buffers and spatial predicates. */
import gdal from 'gdal-async';
import { spatialReference } from '../gdal/srs';
import type { GeoJsonGeometry, GeometrySet } from '../geometry/types';
import { reprojectSet } from '../geometry/reproject';

export type SpatialRelation = 'intersects' | 'disjoint' | 'equals' | 'touches' | 'crosses' | 'overlaps' | 'contains' | 'within';

function toOgr(geometry: GeoJsonGeometry): gdal.Geometry {
  return gdal.Geometry.fromGeoJson(geometry as unknown as object);
}

/** True when the CRS is projected with metres as its linear unit (what vector_buffer's distance needs). */
export function usesMetres(crs: string): boolean {
  const srs = spatialReference(crs);
  if (!srs.isProjected()) return false;
  const units = srs.getLinearUnits();
  return Math.abs(units.value - 1) < 1e-9;
}

/** Each geometry grown (or, negative, shrunk) by `distance` CRS units; geometries that vanish become empty (null). */
export function bufferSet(set: GeometrySet, distance: number): GeometrySet {
  return {
    crs: set.crs,
    features: set.features.map((f) => {
      if (!f.geometry) return f;
      const buffered = toOgr(f.geometry).buffer(distance, 16);
      const geometry = buffered.isEmpty() ? null : (JSON.parse(buffered.toJSON()) as GeoJsonGeometry);
      return { ...f, geometry };
    }),
  };
}

/**
 * Indices of the candidate geometries that stand in `relation` to the union of the base
 * geometries (transformed to the candidates' CRS). Empty candidates never match.
 */
export function matchingIndices(candidates: GeometrySet, base: GeometrySet, relation: SpatialRelation): number[] {
  const projected = reprojectSet(base, candidates.crs);
  let union: gdal.Geometry | null = null;
  for (const f of projected.features) {
    if (!f.geometry) continue;
    const g = toOgr(f.geometry);
    union = union ? union.union(g) : g;
  }
  const out: number[] = [];
  candidates.features.forEach((f, i) => {
    if (!f.geometry) return;
    const g = toOgr(f.geometry);
    if (g.isEmpty()) return;
    // Without base geometries only `disjoint` can hold.
    const holds = union ? g[relation](union) : relation === 'disjoint';
    if (holds) out.push(i);
  });
  return out;
}
