/**
 * Shared set-up for the vector tests: the real app over the demo Sentinel-2 collection, GeoJSON
 * built from UTM coordinates, and independent reference computations with GDAL's command-line tools.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import type { TestServer } from '../helpers/testServer';
import { S2, demoBand, demoServer as cubeDemoServer } from '../processes/cube/helpers';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { gdalBuffer } from '../../src/gdal/typedArrays';
import { postResult } from '../helpers/result';

export const S2_GRID = { ...S2, epsg: 32632 };

/** The demo server of the cube tests, with the default tile size. */
export function demoServer(): Promise<{ server: TestServer; auth: string }> {
  return cubeDemoServer(DEFAULT_CONFIG.processing.tileSize);
}

export { demoBand };

export function tempDir(prefix = 'vector-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const toLonLat = new gdal.CoordinateTransformation(
  gdal.SpatialReference.fromProj4(gdal.SpatialReference.fromEPSG(32632).toProj4()),
  gdal.SpatialReference.fromProj4(gdal.SpatialReference.fromEPSG(4326).toProj4()),
);

/** Converts nested UTM 32N coordinate arrays to lon/lat. */
export function lonLat(coords: unknown): any {
  if (Array.isArray(coords) && typeof coords[0] === 'number') {
    const p = toLonLat.transformPoint(coords[0] as number, coords[1] as number);
    return [p.x, p.y];
  }
  return (coords as unknown[]).map(lonLat);
}

/** Posts a graph to /result and returns the response with its body as text. */
export async function runGraph(server: TestServer, auth: string, graph: Record<string, unknown>) {
  const res = await postResult(server, auth, graph);
  res.body = (res.body as Buffer).toString('utf8');
  return res;
}

/**
 * Burns feature number + 1 of a lon/lat FeatureCollection into a grid like the demo rasters with
 * `ogr2ogr` + `gdal_rasterize` (pixel-centre rule) and returns the zone of every pixel (0 = none).
 */
export function gdalZones(featureCollection: object, dir: string): Int32Array {
  const lonlatFile = path.join(dir, 'zones-lonlat.geojson');
  const utmFile = path.join(dir, 'zones-utm.geojson');
  const raster = path.join(dir, 'zones.tif');
  const fc = featureCollection as { features: Array<{ properties: Record<string, unknown> | null }> };
  const numbered = { ...fc, features: fc.features.map((f, i) => ({ ...f, properties: { ...(f.properties ?? {}), zone: i + 1 } })) };
  fs.writeFileSync(lonlatFile, JSON.stringify(numbered));
  for (const f of [utmFile, raster]) fs.rmSync(f, { force: true });
  execFileSync('ogr2ogr', ['-t_srs', 'EPSG:32632', '-f', 'GeoJSON', utmFile, lonlatFile]);
  const g = S2_GRID;
  execFileSync('gdal_rasterize', [
    '-a', 'zone', '-ot', 'Int32', '-init', '0', '-a_srs', 'EPSG:32632',
    '-te', String(g.west), String(g.north - g.height * g.size), String(g.west + g.width * g.size), String(g.north),
    '-tr', String(g.size), String(g.size), utmFile, raster,
  ]);
  const ds = gdal.open(raster);
  const zones = new Int32Array(g.width * g.height);
  ds.bands.get(1).pixels.read(0, 0, g.width, g.height, gdalBuffer(zones));
  ds.close();
  return zones;
}

