/**
 * The default picture of a collection, offered as an XYZ preview in its STAC links: true colour
 * when the bands have the common names red, green and blue, else the first band with a colour
 * map; the stretch comes from the data. Of a time series it shows the clearest date (lowest
 * `eo:cloud_cover`, the latest of equals), else the latest.
 */
import type { CatalogItem, CollectionInfo } from '../catalog/types';
import { DEFAULT_COLORMAP } from './colormapNames';
import { defaultPictureBands } from './render/select';
import type { RenderableService } from './types';

/** The bands the renderer would show by default, by name, so that only they are loaded. */
function previewBands(collection: CollectionInfo): string[] {
  if (collection.bands.length === 0) return [];
  return defaultPictureBands(collection.bands).map((k) => collection.bands[k].name);
}

/** The date the preview shows: the item with the least cloud cover, the latest among equals; null without dates. */
export function previewDate(items: CatalogItem[]): string | null {
  let best: { datetime: string; cloud: number } | null = null;
  for (const item of items) {
    if (item.datetime === null) continue;
    const cover = item.properties['eo:cloud_cover'];
    const cloud = typeof cover === 'number' && Number.isFinite(cover) ? cover : Infinity;
    if (!best || cloud < best.cloud || (cloud === best.cloud && item.datetime > best.datetime)) best = { datetime: item.datetime, cloud };
  }
  return best?.datetime ?? null;
}

/** The collection's preview as a service the tile renderer can draw (it runs as nobody in particular). */
export function previewService(collection: CollectionInfo, items: CatalogItem[]): RenderableService {
  const bands = previewBands(collection);
  const date = previewDate(items);
  // One instant: a closed interval ending a millisecond later holds just that date.
  const temporalExtent = date === null ? null : [date, new Date(Date.parse(date) + 1).toISOString()];
  return {
    id: `collection-preview/${collection.id}`,
    userId: '',
    process: {
      process_graph: {
        load: {
          process_id: 'load_collection',
          arguments: { id: collection.id, spatial_extent: null, temporal_extent: temporalExtent, ...(bands.length > 0 ? { bands } : {}) },
          result: true,
        },
      },
    },
    configuration: bands.length === 3 ? { bands } : { ...(bands.length > 0 ? { bands } : {}), colormap: DEFAULT_COLORMAP },
  };
}
