import { defineProcess } from '../define';
import type { Callback } from '../types';
import { planLoad } from '../../raster/read/planLoad';
import { assertPixelBudget } from '../../raster/limits';
import { configureEngine } from '../../raster/engine';
// Lists the formats collections can be read from in GET /file_formats.
import '../../raster/read/inputFormats';
import { parameterInvalid } from './common';

function propertyFilters(value: unknown): Record<string, Callback> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw parameterInvalid('load_collection', 'properties', 'expected an object of filters');
  const filters: Record<string, Callback> = {};
  for (const [name, filter] of Object.entries(value as Record<string, unknown>)) {
    if (!filter || typeof (filter as Callback).run !== 'function') {
      throw parameterInvalid('load_collection', 'properties', `the filter for '${name}' must be a child process graph`);
    }
    filters[name] = filter as Callback;
  }
  return filters;
}

export const loadCollection = defineProcess(
  'load_collection',
  {
    summary: 'Load a collection',
    description:
      'Loads a collection of this back-end as a data cube, limited to a spatial extent, a temporal extent, bands and item properties. ' +
      'The cube uses the native CRS and resolution of the collection, aligned to its native grid; pixels whose centres lie in the spatial extent are included. ' +
      'Files in another CRS or resolution are resampled onto that grid (nearest neighbour). No-data in the files becomes no-data in the cube; ' +
      'values are kept as stored (scale and offset are applied only to bands the catalogue marks for it). Items with the same timestamp are mosaicked: the first valid value wins. ' +
      'Nothing is read until the data is needed, and then tile by tile.',
    parameters: {
      id: 'The id of the collection.',
      spatial_extent:
        'Bounding box (with `crs`, by default WGS 84) or GeoJSON geometry to load; pixels whose centres lie inside are included. `null` loads the whole extent.',
      temporal_extent:
        'Half-open interval `[start, end)` of date-times or dates; either end may be `null` for an open interval. `null` loads all times.',
      bands: 'Band names or common names to load, in this order; `null` loads all bands.',
      properties:
        'Filters on item metadata: for each property name a child process that receives the property value as `value` and returns true to keep the item.',
    },
    returns: 'A data cube with the dimensions x, y, bands and (for collections with time) t.',
    exceptions: {
      NoDataAvailable: 'The collection has no data for the given extents and filters.',
      TemporalExtentEmpty: 'The temporal extent is empty: its end is not after its start.',
    },
  },
  async (args, ctx) => {
    configureEngine(ctx.config);
    const bands = args.bands === null || args.bands === undefined ? null : (args.bands as string[]);
    const cube = await planLoad(ctx.catalog, {
      id: String(args.id),
      spatialExtent: args.spatial_extent,
      temporalExtent: args.temporal_extent,
      bands,
      properties: propertyFilters(args.properties),
      ...(ctx.view ? { view: ctx.view } : {}),
    });
    if (ctx.syncPixelLimit !== undefined) assertPixelBudget(cube.plannedPixels, ctx.syncPixelLimit, `load_collection of '${String(args.id)}'`);
    return cube;
  },
);
