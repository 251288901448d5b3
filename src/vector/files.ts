/** Data cubes from files named by the user (uploaded files, URLs): GeoJSON as vector cubes, rasters through GDAL. */
import type { BandInfo, CatalogItem } from '../catalog/types';
import { describeRaster } from '../catalog/describe';
import { buildRecord } from '../catalog/record';
import { planLoad } from '../raster/read/planLoad';
import type { DataCube } from '../raster/cube/DataCube';
import { ProcessException } from '../errors/ProcessException';
import { SingleCollectionCatalog } from '../stac/catalog';
import { Origin, parseGeoJson } from '../geometry/geojson';
import { reprojectSet } from '../geometry/reproject';
import type { GeometrySet } from '../geometry/types';

/** All features of several GeoJSON documents in one set, in the CRS of the first. */
export function mergeGeoJson(texts: Array<{ name: string; text: string }>, origin: Origin): GeometrySet {
  const sets = texts.map(({ name, text }) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProcessException('FormatUnsuitable', `${name} is not GeoJSON (not even JSON).`);
    }
    return parseGeoJson(json, origin);
  });
  const crs = sets[0]?.crs ?? 'EPSG:4326';
  return { crs, features: sets.flatMap((s) => reprojectSet(s, crs).features) };
}

/**
 * A raster cube over GDAL datasets (local paths or /vsicurl/ URLs): each file (and each time step
 * a file describes) is an item, bands are matched by name, and the cube is planned exactly like
 * load_collection plans a collection (grid of the most common CRS and resolution).
 */
export async function rasterFilesCube(datasets: Array<{ name: string; href: string }>, id: string): Promise<DataCube> {
  const items: CatalogItem[] = [];
  const bands = new Map<string, BandInfo>();
  for (const { name, href } of datasets) {
    let description;
    try {
      description = await describeRaster(href);
    } catch (e) {
      throw new ProcessException('FormatUnsuitable', `${name} cannot be read as a raster (${(e as Error).message}).`);
    }
    const byTime = new Map<string, CatalogItem>();
    for (const slot of description.slots) {
      const key = slot.time ?? '';
      let item = byTime.get(key);
      if (!item) {
        item = { id: `${name}${slot.time ? `@${slot.time}` : ''}`, datetime: slot.time, bbox: slot.bbox, grid: slot.grid, assets: {}, properties: {} };
        byTime.set(key, item);
      }
      item.assets[slot.name] = { href: slot.href, band: slot.band };
      if (!bands.has(slot.name)) bands.set(slot.name, { name: slot.name, nodata: slot.nodata, dataType: slot.dataType });
    }
    items.push(...byTime.values());
  }
  if (items.length === 0) throw new ProcessException('FormatUnsuitable', 'The files hold no raster bands.');
  const record = buildRecord(id, items, [...bands.values()], {}, id, []);
  return planLoad(new SingleCollectionCatalog(record), { id, spatialExtent: null, temporalExtent: null, bands: null, properties: null });
}
