import gdal from 'gdal-async';
import type { GridInfo } from './types';
import { transformBounds } from '../gdal/srs';

export type Bbox = [number, number, number, number];

/** EPSG code and GDAL-usable CRS string of a spatial reference. */
export function describeCrs(srs: gdal.SpatialReference | null): { crs: string; epsg: number | null } {
  if (!srs) return { crs: '', epsg: null };
  let code = srs.getAuthorityName(null) === 'EPSG' ? Number(srs.getAuthorityCode(null)) : NaN;
  if (!Number.isInteger(code)) {
    try {
      const probe = srs.clone();
      probe.autoIdentifyEPSG();
      if (probe.getAuthorityName(null) === 'EPSG') code = Number(probe.getAuthorityCode(null));
    } catch {
      // Not every CRS has an EPSG equivalent; the WKT describes it then.
    }
  }
  return Number.isInteger(code) ? { crs: `EPSG:${code}`, epsg: code } : { crs: srs.toWKT(), epsg: null };
}

/** The grid's extent in its own CRS: [minX, minY, maxX, maxY]. */
export function nativeBbox(grid: GridInfo): Bbox {
  const [ox, px, rx, oy, ry, py] = grid.geoTransform;
  const xs = [ox, ox + px * grid.width, ox + rx * grid.height, ox + px * grid.width + rx * grid.height];
  const ys = [oy, oy + py * grid.height, oy + ry * grid.width, oy + ry * grid.width + py * grid.height];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Reprojects a native bbox to WGS84 longitude/latitude, following its edges so curved borders are covered. */
export function bboxToWgs84(bbox: Bbox, crs: string): Bbox {
  if (!crs) throw new Error('the raster has no coordinate reference system');
  const lonLat = transformBounds(bbox, crs, 'EPSG:4326');
  if (!lonLat) throw new Error('the extent cannot be transformed to WGS84');
  let [w, s, e, n] = lonLat;
  // Grids in 0..360° longitudes (common in climate data) reach across the antimeridian: say so plainly.
  if (w < -180 || e > 180) [w, e] = [-180, 180];
  return [round(w), round(Math.max(s, -90)), round(e), round(Math.min(n, 90))];
}

/** Seven decimals of a degree are about a centimetre: enough, and keeps the JSON short. */
function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

export function bboxUnion(boxes: Bbox[]): Bbox {
  return boxes.reduce<Bbox>(
    (u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
}

export function bboxesIntersect(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}
