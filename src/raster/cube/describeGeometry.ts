import type { LabelDimension } from './model';
import { referenceSystem } from './crs';
import { epsgOf } from './crs';
import { geometryTypes } from '../../geometry/geojson';
import { setBounds } from '../../geometry/reproject';

/** The STAC `cube:dimensions` entry of a geometry dimension (API 1.2: axes, bbox, geometry types, CRS). */
export function describeGeometryDimension(dim: LabelDimension): Record<string, unknown> {
  const set = dim.geometries;
  if (!set) return { type: 'geometry', axes: ['x', 'y'], bbox: [0, 0, 0, 0], values: dim.labels.map(String) };
  const features = dim.labels.map((l) => set.features[Number(l)]).filter((f) => f !== undefined);
  const subset = { crs: set.crs, features };
  return {
    type: 'geometry',
    axes: ['x', 'y'],
    bbox: setBounds(subset) ?? [0, 0, 0, 0],
    geometry_types: geometryTypes(subset),
    reference_system: referenceSystem(set.crs, epsgOf(set.crs)),
    values: dim.labels.map(String),
  };
}
