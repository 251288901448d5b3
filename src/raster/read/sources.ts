import gdal from 'gdal-async';
import { OpenEOError } from '../../errors/OpenEOError';

/**
 * Open GDAL datasets of one load_collection, shared by all its tiles. Datasets are opened
 * once (asynchronously) and only the most recently used stay open, so many files don't
 * exhaust file handles.
 */
export class DatasetCache {
  private readonly open = new Map<string, Promise<gdal.Dataset>>();

  constructor(private readonly maxOpen = 64) {}

  get(href: string): Promise<gdal.Dataset> {
    let ds = this.open.get(href);
    if (ds) {
      // Re-insert to mark as recently used.
      this.open.delete(href);
      this.open.set(href, ds);
      return ds;
    }
    ds = gdal.openAsync(href).catch((e: Error) => {
      this.open.delete(href);
      throw new OpenEOError('Internal', { message: `cannot read ${href}: ${e.message}` });
    });
    this.open.set(href, ds);
    if (this.open.size > this.maxOpen) {
      const oldest = this.open.keys().next().value as string;
      this.open.delete(oldest);
      // Datasets are closed by the garbage collector once no read uses them any more.
    }
    return ds;
  }
}
