/**
 * Shared set-up for the vector tests: the real app over the demo Sentinel-2 collection, GeoJSON
 * built from UTM coordinates, and independent reference computations with GDAL's command-line tools.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { startTestServer, TestServer } from '../helpers/testServer';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { ensureDemoData } from '../../src/catalog/demo/generate';
import { gdalBuffer } from '../../src/raster/gdal/typedArrays';
import { postResult } from '../helpers/result';

export const S2_GRID = { west: 470000, north: 5270000, size: 10, width: 600, height: 600, epsg: 32632 };

export async function demoServer(): Promise<{ server: TestServer; auth: string }> {
  const server = await startTestServer({ collections: DEFAULT_CONFIG.collections });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  const auth = await server.login();
  return { server, auth };
}

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

/** The values of one demo file, with its no-data as NaN. */
export function demoBand(dataDir: string, date: string, band: string): Float64Array {
  const ds = gdal.open(path.join(dataDir, 'demo', 'sentinel2', `S2_${date.replace(/-/g, '')}_${band}.tif`));
  const b = ds.bands.get(1);
  const values = new Float64Array(S2_GRID.width * S2_GRID.height);
  b.pixels.read(0, 0, S2_GRID.width, S2_GRID.height, gdalBuffer(values));
  const nodata = b.noDataValue;
  const scale = b.scale ?? 1;
  const offset = b.offset ?? 0;
  for (let i = 0; i < values.length; i++) values[i] = values[i] === nodata ? NaN : values[i] * scale + offset;
  ds.close();
  return values;
}
