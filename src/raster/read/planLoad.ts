import type { BandInfo, Catalog, CatalogItem, CollectionInfo } from '../../catalog/types';
import type { Callback } from '../../run/callback';
import { OpenEOError } from '../../errors/OpenEOError';
import { ProcessException } from '../../errors/ProcessException';
import { SpatialGrid } from '../cube/model';
import { clipWindow } from '../cube/clip';
import { subGrid } from '../cube/model';
import { Interval, inInterval, isEmptyInterval, parseInterval } from '../cube/time';
import { transformBounds } from '../../gdal/srs';
import { parseSpatialExtent } from './bbox';
import { CollectionCube, DateGroup } from './CollectionCube';
import { DatasetCache } from './sources';
import type { LoadView } from '../../run/context';
import { viewGrid } from './viewGrid';

export interface LoadRequest {
  id: string;
  spatialExtent: unknown;
  temporalExtent: unknown;
  bands: string[] | null;
  properties: Record<string, Callback> | null;
  /** Internal (map tiles): read only this view's area at about its resolution; see viewGrid. */
  view?: LoadView;
}

const PROCESS = 'load_collection';

function invalid(parameter: string, reason: string): OpenEOError {
  return new OpenEOError('ProcessParameterInvalid', { process: PROCESS, parameter, reason });
}

/** The collection's native grid over its whole extent, anchored at its north-west corner. */
export function nativeGrid(collection: CollectionInfo): SpatialGrid {
  const [west, south, east, north] = collection.nativeBbox;
  const [rx, ry] = collection.resolution;
  return {
    xName: 'x',
    yName: 'y',
    crs: collection.crs,
    epsg: collection.epsg,
    transform: [west, rx, 0, north, 0, -ry],
    width: Math.max(0, Math.round((east - west) / rx)),
    height: Math.max(0, Math.round((north - south) / ry)),
  };
}

/** Bands by name first, then by unique common name, in the requested order. */
function selectBands(collection: CollectionInfo, names: string[] | null): BandInfo[] {
  if (names === null) return [...collection.bands];
  return names.map((name) => {
    const byName = collection.bands.find((b) => b.name === name);
    if (byName) return byName;
    const byCommon = collection.bands.filter((b) => b.commonName === name);
    if (byCommon.length === 1) return byCommon[0];
    const reason = byCommon.length > 1 ? `band '${name}' is ambiguous` : `collection '${collection.id}' has no band '${name}'`;
    throw invalid('bands', reason);
  });
}

async function passesFilters(item: CatalogItem, filters: Record<string, Callback>): Promise<boolean> {
  for (const [property, callback] of Object.entries(filters)) {
    const value = Object.prototype.hasOwnProperty.call(item.properties, property) ? item.properties[property] : null;
    const keep = await callback.run({ value });
    if (keep !== true && keep !== 1) return false;
  }
  return true;
}

function groupByDate(items: CatalogItem[], hasTime: boolean): DateGroup[] {
  if (!hasTime) return items.length ? [{ label: null, items }] : [];
  const groups = new Map<string, CatalogItem[]>();
  for (const item of items) {
    if (item.datetime === null) continue;
    const list = groups.get(item.datetime) ?? [];
    list.push(item);
    groups.set(item.datetime, list);
  }
  return [...groups.entries()]
    .sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]))
    .map(([label, list]) => ({ label, items: list }));
}

/**
 * Turns load_collection arguments into a lazy cube: chooses the target grid (native CRS and
 * resolution, clipped to the extent by pixel centres), the items and the bands. Reads nothing.
 */
export async function planLoad(catalog: Catalog, request: LoadRequest): Promise<CollectionCube> {
  const collection = catalog.get(request.id);
  if (!collection) throw new OpenEOError('CollectionNotFound', { identifier: request.id });

  let grid = nativeGrid(collection);
  let wgs84 = collection.bbox;
  if (request.spatialExtent !== null && request.spatialExtent !== undefined) {
    const extent = parseSpatialExtent(request.spatialExtent, PROCESS, 'spatial_extent');
    const native = transformBounds(extent.bounds, extent.crs, collection.crs);
    const window = native ? clipWindow(grid, native) : null;
    if (!window) throw new ProcessException('NoDataAvailable', 'The collection has no data inside the spatial extent.');
    grid = subGrid(grid, window);
    wgs84 = transformBounds(extent.bounds, extent.crs, 'EPSG:4326') ?? collection.bbox;
  }

  let reduction = 1;
  if (request.view) ({ grid, factor: reduction } = viewGrid(grid, request.view));

  let interval: Interval | null = null;
  if (request.temporalExtent !== null && request.temporalExtent !== undefined) {
    const parsed = parseInterval(request.temporalExtent);
    if ('error' in parsed) throw invalid('temporal_extent', parsed.error);
    if (isEmptyInterval(parsed)) throw new ProcessException('TemporalExtentEmpty', 'The temporal extent is empty: its end is not after its start.');
    interval = parsed;
  }
  const extent = request.temporalExtent as [string | null, string | null] | null | undefined;
  const bands = selectBands(collection, request.bands);

  let items = catalog.items(collection.id, { bbox: wgs84, ...(extent ? { interval: extent } : {}) });
  const hasTime = collection.temporalExtent !== null && items.some((i) => i.datetime !== null);
  if (interval && hasTime) {
    const range = interval;
    items = items.filter((i) => i.datetime !== null && inInterval(i.datetime, range));
  }
  if (request.properties) {
    const kept: CatalogItem[] = [];
    for (const item of items) if (await passesFilters(item, request.properties)) kept.push(item);
    items = kept;
  }
  const dates = groupByDate(items, hasTime);
  if (dates.length === 0) throw new ProcessException('NoDataAvailable', 'No items of the collection match the extents and filters.');

  const plan = { grid, dates, bands, hasTime, timeName: 't', bandsName: 'bands' };
  return new CollectionCube(reduction > 1 ? { ...plan, reduced: true } : plan, new DatasetCache());
}
