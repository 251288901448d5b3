import type { Catalog, CatalogItem, CollectionInfo, ItemQuery } from '../catalog/types';
import type { CollectionRecord } from '../catalog/record';
import { bboxesIntersect } from '../catalog/geo';

/**
 * A catalogue holding just the collection load_stac found, so that load_stac plans and reads its
 * cube exactly like load_collection does for the back-end's own collections.
 */
export class SingleCollectionCatalog implements Catalog {
  constructor(private readonly record: CollectionRecord) {}

  list(): CollectionInfo[] {
    return [this.record.info];
  }

  get(id: string): CollectionInfo | undefined {
    return id === this.record.info.id ? this.record.info : undefined;
  }

  items(id: string, query: ItemQuery = {}): CatalogItem[] {
    if (id !== this.record.info.id) return [];
    const [start, end] = query.interval ?? [null, null];
    const from = start === null ? -Infinity : Date.parse(start);
    const to = end === null ? Infinity : Date.parse(end);
    return this.record.items.filter((item) => {
      if (query.bbox && !bboxesIntersect(item.bbox, query.bbox)) return false;
      if (item.datetime === null) return true;
      const t = Date.parse(item.datetime);
      return t >= from && t < to;
    });
  }

  stacCollection(): Record<string, unknown> | undefined {
    return undefined;
  }
}
