import gdal from 'gdal-async';
import { OpenEOError } from '../errors/OpenEOError';
import type { GeoJsonGeometry, GeometrySet, GeometryType, Position, VectorFeature } from './types';

/** Where a GeoJSON value came from, so errors name the process and parameter. */
export interface Origin {
  process: string;
  parameter: string;
}

export function invalidGeoJson(origin: Origin, reason: string): OpenEOError {
  return new OpenEOError('ProcessParameterInvalid', { ...origin, reason: `invalid GeoJSON: ${reason}` });
}

const GEOMETRY_TYPES = new Set<string>(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function checkPosition(value: unknown, origin: Origin): Position {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3 || !value.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw invalidGeoJson(origin, `a position must be 2 or 3 finite numbers, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value as Position;
}

function checkPositions(value: unknown, origin: Origin, minimum: number, what: string): Position[] {
  if (!Array.isArray(value)) throw invalidGeoJson(origin, `${what} must be an array of positions`);
  const positions = value.map((p) => checkPosition(p, origin));
  if (positions.length < minimum) throw invalidGeoJson(origin, `${what} needs at least ${minimum} positions`);
  return positions;
}

function checkRing(value: unknown, origin: Origin): Position[] {
  const ring = checkPositions(value, origin, 4, 'a linear ring');
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) throw invalidGeoJson(origin, 'a linear ring must end at its first position');
  return ring;
}

function checkList<T>(value: unknown, origin: Origin, what: string, item: (v: unknown) => T): T[] {
  if (!Array.isArray(value)) throw invalidGeoJson(origin, `${what} must be an array`);
  return value.map(item);
}

/** Checks the structure of a GeoJSON geometry (types, positions, closed rings). */
function checkGeometry(value: unknown, origin: Origin): GeoJsonGeometry {
  if (!isObject(value) || typeof value.type !== 'string') throw invalidGeoJson(origin, 'a geometry must be an object with a type');
  const c = value.coordinates;
  switch (value.type) {
    case 'Point':
      return { type: 'Point', coordinates: checkPosition(c, origin) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: checkPositions(c, origin, 0, 'a MultiPoint') };
    case 'LineString':
      return { type: 'LineString', coordinates: checkPositions(c, origin, 2, 'a LineString') };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: checkList(c, origin, 'a MultiLineString', (l) => checkPositions(l, origin, 2, 'a LineString')) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: checkList(c, origin, 'a Polygon', (r) => checkRing(r, origin)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: checkList(c, origin, 'a MultiPolygon', (p) => checkList(p, origin, 'a Polygon', (r) => checkRing(r, origin))),
      };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: checkList(value.geometries, origin, 'geometries', (g) => checkGeometry(g, origin)) };
    default:
      throw invalidGeoJson(origin, `'${value.type}' is not a GeoJSON geometry type`);
  }
}

/** Polygons must be valid in the Simple Features sense (no self-intersections), else pixel tests are meaningless. */
function checkTopology(geometry: GeoJsonGeometry, origin: Origin, index: number): void {
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon' && geometry.type !== 'GeometryCollection') return;
  let ogr: gdal.Geometry;
  try {
    ogr = gdal.Geometry.fromGeoJson(geometry as unknown as object);
  } catch (e) {
    throw invalidGeoJson(origin, `geometry ${index} cannot be read (${(e as Error).message})`);
  }
  if (!ogr.isValid()) throw invalidGeoJson(origin, `geometry ${index} (${geometry.type}) is not valid, e.g. its boundary intersects itself`);
}

/** The CRS named by a (pre-RFC 7946) `crs` member, e.g. `urn:ogc:def:crs:EPSG::32632`; WGS 84 otherwise. */
function crsOf(document: Record<string, unknown>, origin: Origin): string {
  const crs = document.crs;
  if (crs === undefined || crs === null) return 'EPSG:4326';
  const name = isObject(crs) && isObject(crs.properties) ? crs.properties.name : undefined;
  if (typeof name !== 'string') throw invalidGeoJson(origin, 'the crs member must name a CRS');
  if (/CRS84$/i.test(name)) return 'EPSG:4326';
  const epsg = /EPSG:{1,2}(?:[\d.]*:)?(\d+)$/i.exec(name);
  if (!epsg) throw invalidGeoJson(origin, `unsupported crs '${name}'`);
  return `EPSG:${epsg[1]}`;
}

function toFeature(value: unknown, origin: Origin): VectorFeature {
  if (!isObject(value) || value.type !== 'Feature') throw invalidGeoJson(origin, 'a FeatureCollection may only contain Features');
  const geometry = value.geometry === null ? null : checkGeometry(value.geometry, origin);
  const properties = value.properties === undefined || value.properties === null ? null : value.properties;
  if (properties !== null && !isObject(properties)) throw invalidGeoJson(origin, 'Feature properties must be an object or null');
  const feature: VectorFeature = { geometry, properties: properties as Record<string, unknown> | null };
  if (typeof value.id === 'string' || typeof value.id === 'number') feature.id = value.id;
  return feature;
}

export function isGeoJson(value: unknown): boolean {
  return isObject(value) && typeof value.type === 'string' && (GEOMETRY_TYPES.has(value.type) || value.type === 'Feature' || value.type === 'FeatureCollection');
}

/**
 * Reads a GeoJSON Geometry, Feature or FeatureCollection into a geometry set: one label per
 * geometry or feature. Structure and polygon validity are checked; problems are ProcessParameterInvalid.
 */
export function parseGeoJson(value: unknown, origin: Origin): GeometrySet {
  if (!isObject(value) || typeof value.type !== 'string') throw invalidGeoJson(origin, 'expected a GeoJSON object with a type');
  let features: VectorFeature[];
  if (value.type === 'FeatureCollection') {
    features = checkList(value.features, origin, 'features', (f) => toFeature(f, origin));
  } else if (value.type === 'Feature') {
    features = [toFeature(value, origin)];
  } else {
    features = [{ geometry: checkGeometry(value, origin), properties: null }];
  }
  features.forEach((f, i) => f.geometry && checkTopology(f.geometry, origin, i));
  return { crs: crsOf(value, origin), features };
}

/** The geometry types present in a set (for `cube:dimensions` and type checks). */
export function geometryTypes(set: GeometrySet): GeometryType[] {
  const types = new Set<GeometryType>();
  for (const f of set.features) if (f.geometry) types.add(f.geometry.type);
  return [...types];
}
