import fs from 'node:fs';
import path from 'node:path';
import { defineProcess } from '../define';
import type { Callback, ProcessContext } from '../types';
import { ProcessException } from '../../errors/ProcessException';
import { parameterInvalid } from '../cube/common';
import { planLoad } from '../../raster/read/planLoad';
import { assertPixelBudget } from '../../raster/limits';
import { configureEngine } from '../../raster/engine';
import { parseSpatialExtent } from '../../raster/read/bbox';
import { transformBounds } from '../../gdal/srs';
import { buildRecord } from '../../catalog/record';
import { StacReader } from '../../stac/documents';
import { StacHarvester, StacQuery } from '../../stac/collect';
import { SingleCollectionCatalog } from '../../stac/catalog';

function propertyFilters(value: unknown): Record<string, Callback> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw parameterInvalid('load_stac', 'properties', 'expected an object of filters');
  const filters: Record<string, Callback> = {};
  for (const [name, filter] of Object.entries(value as Record<string, unknown>)) {
    if (!filter || typeof (filter as Callback).run !== 'function') throw parameterInvalid('load_stac', 'properties', `the filter for '${name}' must be a child process graph`);
    filters[name] = filter as Callback;
  }
  return filters;
}

/** Local folders whose files STAC documents may name as assets: the folders published as collections. */
function allowedRoots(ctx: ProcessContext): string[] {
  return ctx.config.collections.sources.map((s) => {
    const root = path.resolve(ctx.config.dataDir, s.path);
    try {
      return fs.realpathSync(root);
    } catch {
      return root;
    }
  });
}

function pushedDownQuery(args: Record<string, unknown>): StacQuery {
  const query: StacQuery = {};
  if (args.spatial_extent !== null && args.spatial_extent !== undefined) {
    const extent = parseSpatialExtent(args.spatial_extent, 'load_stac', 'spatial_extent');
    query.bbox = transformBounds(extent.bounds, extent.crs, 'EPSG:4326') ?? undefined;
  }
  const t = args.temporal_extent;
  if (Array.isArray(t) && t.length === 2) query.interval = [t[0] === null ? null : String(t[0]), t[1] === null ? null : String(t[1])];
  return query;
}

export const loadStac = defineProcess(
  'load_stac',
  {
    summary: 'Load data from STAC',
    description:
      'Loads a raster data cube from STAC at an http(s) URL: a static Catalog, Collection or Item, an ItemCollection, or a STAC API collection or landing page, ' +
      'which is searched with the spatial and temporal extents. Assets are read through GDAL (remote ones through /vsicurl/) onto the grid of the most ' +
      'common CRS and resolution, exactly as load_collection reads the collections of this back-end. Remote items need the projection extension ' +
      '(proj:epsg or proj:code, proj:transform, proj:shape).',
    parameters: {
      url: 'The http(s) URL of the STAC document or STAC API collection.',
      spatial_extent: 'Bounding box (with `crs`, by default WGS 84) or GeoJSON geometry to load; pixels whose centres lie inside are included. `null` loads everything.',
      temporal_extent: 'Half-open interval `[start, end)`; either end may be `null`. `null` loads all times.',
      bands: 'Band names (or common names) to load, in this order; `null` loads all bands.',
      properties: 'Filters on item properties: for each property name a child process that receives the value as `value` and returns true to keep the item.',
    },
    returns: 'A raster data cube with the dimensions x, y, bands and (for data with time) t.',
    exceptions: {
      NoDataAvailable: 'No STAC item matches the extents and filters.',
      TemporalExtentEmpty: 'The temporal extent is empty: its end is not after its start.',
      PropertiesUnsupported: 'The property filters cannot be applied to this STAC source.',
    },
  },
  async (args, ctx) => {
    configureEngine(ctx.config);
    if (typeof args.url !== 'string' || args.url.length === 0) throw parameterInvalid('load_stac', 'url', 'expected a URL or path');
    const reader = new StacReader(allowedRoots(ctx), ctx.signal);
    const harvest = await new StacHarvester(reader, pushedDownQuery(args)).harvest(args.url);
    if (harvest.items.length === 0) throw new ProcessException('NoDataAvailable', 'The STAC source has no items matching the extents.');
    const record = buildRecord(harvest.id, harvest.items, harvest.bands, { title: harvest.title, description: harvest.description }, args.url, []);
    const cube = await planLoad(new SingleCollectionCatalog(record), {
      id: record.info.id,
      spatialExtent: args.spatial_extent,
      temporalExtent: args.temporal_extent,
      bands: args.bands === null || args.bands === undefined ? null : (args.bands as string[]),
      properties: propertyFilters(args.properties),
      ...(ctx.view ? { view: ctx.view } : {}),
    });
    if (ctx.syncPixelLimit !== undefined) assertPixelBudget(cube.plannedPixels, ctx.syncPixelLimit, `load_stac of '${args.url}'`);
    return cube;
  },
);
