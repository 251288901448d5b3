/** The geometry model of vector data cubes: GeoJSON geometries with their properties, in one CRS. */

export type Position = number[];

export type GeoJsonGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] };

export type GeometryType = GeoJsonGeometry['type'];

/** One label of a geometry dimension. A null geometry is an empty one (kept, but never matches a pixel). */
export interface VectorFeature {
  geometry: GeoJsonGeometry | null;
  properties: Record<string, unknown> | null;
  id?: string | number;
}

/** All geometries of a geometry dimension, in one coordinate reference system. */
export interface GeometrySet {
  /** CRS as GDAL accepts it, e.g. `EPSG:4326` (GeoJSON input is always lon/lat WGS 84 unless it names another CRS). */
  crs: string;
  features: VectorFeature[];
}
