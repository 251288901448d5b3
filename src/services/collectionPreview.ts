/**
 * The default picture of a collection, offered as an XYZ preview in its STAC links: true colour
 * when the bands have the common names red, green and blue, else the first band with a colour
 * map; the stretch comes from the data, the latest date is shown.
 */
import type { CollectionInfo } from '../catalog/types';
import { DEFAULT_COLORMAP } from './colormapNames';
import type { RenderableService } from './types';

/** Bands by common name, in picture order, or the first band alone. */
export function previewBands(collection: CollectionInfo): string[] {
  const byCommonName = (name: string) => collection.bands.find((b) => b.commonName === name)?.name;
  const rgb = ['red', 'green', 'blue'].map(byCommonName);
  if (rgb.every((b): b is string => b !== undefined)) return rgb;
  return collection.bands.length > 0 ? [collection.bands[0].name] : [];
}

/** The collection's preview as a service the tile renderer can draw (it runs as nobody in particular). */
export function previewService(collection: CollectionInfo): RenderableService {
  const bands = previewBands(collection);
  return {
    id: `collection-preview/${collection.id}`,
    userId: '',
    process: {
      process_graph: {
        load: {
          process_id: 'load_collection',
          arguments: { id: collection.id, spatial_extent: null, temporal_extent: null, ...(bands.length > 0 ? { bands } : {}) },
          result: true,
        },
      },
    },
    configuration: bands.length === 3 ? { bands } : { ...(bands.length > 0 ? { bands } : {}), colormap: DEFAULT_COLORMAP },
  };
}
