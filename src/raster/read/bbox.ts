/**
 * Spatial extents as openEO processes accept them (a bounding box with an optional `crs`,
 * or a GeoJSON geometry/feature), reduced to bounds plus CRS.
 */
import { OpenEOError } from '../../errors/OpenEOError';
import { Bounds, crsProblem } from '../../gdal/srs';
import { crsToString } from '../cube/crs';

export interface CrsBounds {
  bounds: Bounds;
  crs: string;
}

function collectCoordinates(value: unknown, out: number[][]): void {
  if (!Array.isArray(value)) return;
  if (value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
    out.push(value as number[]);
    return;
  }
  for (const v of value) collectCoordinates(v, out);
}

function geojsonBounds(obj: Record<string, unknown>): Bounds | null {
  const points: number[][] = [];
  const visit = (g: unknown): void => {
    if (!g || typeof g !== 'object') return;
    const o = g as Record<string, unknown>;
    if (o.type === 'FeatureCollection' && Array.isArray(o.features)) o.features.forEach(visit);
    else if (o.type === 'Feature') visit(o.geometry);
    else if (o.type === 'GeometryCollection' && Array.isArray(o.geometries)) o.geometries.forEach(visit);
    else collectCoordinates(o.coordinates, points);
  };
  visit(obj);
  if (points.length === 0) return null;
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of points) {
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return [w, s, e, n];
}

/** Parses a bounding box or GeoJSON extent; `process`/`parameter` name the argument in errors. */
export function parseSpatialExtent(value: unknown, process: string, parameter: string): CrsBounds {
  const invalid = (reason: string) => new OpenEOError('ProcessParameterInvalid', { process, parameter, reason });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid('expected a bounding box or GeoJSON object');
  const obj = value as Record<string, unknown>;
  if (typeof obj.type === 'string') {
    const bounds = geojsonBounds(obj);
    if (!bounds) throw invalid('the GeoJSON object has no coordinates');
    return { bounds, crs: 'EPSG:4326' };
  }
  const { west, south, east, north } = obj;
  for (const [k, v] of Object.entries({ west, south, east, north })) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`'${k}' must be a number`);
  }
  if ((west as number) > (east as number)) throw invalid('west is greater than east');
  if ((south as number) > (north as number)) throw invalid('south is greater than north');
  const { crs } = crsToString(obj.crs ?? 4326);
  const problem = crs ? crsProblem(crs) : 'missing CRS';
  if (problem) throw invalid(`unknown CRS: ${problem}`);
  return { bounds: [west, south, east, north] as Bounds, crs };
}
