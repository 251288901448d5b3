import { DataCube, isDataCube } from '../raster/cube/DataCube';
import { MemoryCube } from '../raster/cube/MemoryCube';
import type { LabelDimension } from '../raster/cube/model';
import { Origin, invalidGeoJson, parseGeoJson } from '../geometry/geojson';
import type { GeometrySet } from '../geometry/types';

/** The name the geometry dimension of our vector cubes gets. */
export const GEOMETRY_DIMENSION = 'geometry';

/** A geometry dimension labelled 0 … n-1, carrying its geometries. */
export function geometryDimension(set: GeometrySet, name = GEOMETRY_DIMENSION): LabelDimension {
  return { name, type: 'geometry', labels: set.features.map((_, i) => i), geometries: set };
}

/** The geometry dimension of a cube, if it is a vector cube. */
export function findGeometryDimension(cube: DataCube): LabelDimension | undefined {
  return cube.grid ? undefined : cube.dims.find((d) => d.type === 'geometry' && d.geometries);
}

export function isVectorCube(value: unknown): value is DataCube {
  return isDataCube(value) && findGeometryDimension(value) !== undefined;
}

/**
 * The geometries of a vector cube, with its labels (a subset cube may hold fewer features
 * than its set).
 */
export function cubeGeometries(cube: DataCube): GeometrySet {
  const dim = findGeometryDimension(cube);
  if (!dim?.geometries) throw new Error('not a vector cube');
  const set = dim.geometries;
  if (set.features.length === dim.labels.length) return set;
  return { crs: set.crs, features: dim.labels.map((l) => set.features[Number(l)]) };
}

/** A vector cube with only a geometry dimension (no values yet, all no-data). */
export function geometryOnlyCube(set: GeometrySet): DataCube {
  return new MemoryCube({ dims: [geometryDimension(set)], grid: null }, new Float64Array(set.features.length).fill(NaN));
}

/** Geometries given to a process either as a vector cube or (deprecated but common) as GeoJSON. */
export function geometriesArgument(value: unknown, origin: Origin): GeometrySet {
  if (isDataCube(value)) {
    if (!findGeometryDimension(value)) throw invalidGeoJson(origin, 'the data cube has no geometry dimension');
    return cubeGeometries(value);
  }
  return parseGeoJson(value, origin);
}
