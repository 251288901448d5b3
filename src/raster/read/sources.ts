import gdal from 'gdal-async';
import { OpenEOError } from '../../errors/OpenEOError';

interface Handle {
  href: string;
  dataset: Promise<gdal.Dataset>;
  /** Band objects of this handle, fetched once: every asynchronous gdal-async call costs the main thread a fraction of a millisecond. */
  bands: Map<number, Promise<gdal.RasterBand>>;
  users: number;
  /** Evicted while in use: close when the last user is done. */
  evicted: boolean;
}

/** Handles one file may have open at once: one per tile being read concurrently. */
const HANDLES_PER_FILE = 4;

/**
 * Open GDAL datasets of one load_collection, shared by all its tiles. gdal-async serialises
 * everything done with one dataset handle, and even the main thread waits for a handle that a
 * background read holds; so a file read by several tiles at once gets up to HANDLES_PER_FILE
 * handles, each used by one read at a time where possible. Only the most recently used handles
 * stay open, so collections with many files don't exhaust file descriptors, and a handle is
 * closed only when no read is using it.
 */
export class DatasetCache {
  /** Handles in least-recently-used order (Map iteration order), keyed by a unique key per handle. */
  private readonly handles = new Map<string, Handle>();
  private readonly byHref = new Map<string, Set<string>>();
  private nextKey = 0;

  constructor(private readonly maxOpen = 256) {}

  /** Runs `use` with an open dataset of `href`. */
  with<T>(href: string, use: (ds: gdal.Dataset) => Promise<T>): Promise<T> {
    return this.using(href, async (handle) => use(await handle.dataset));
  }

  /** Runs `use` with band `bandNumber` of an open dataset of `href`. */
  withBand<T>(href: string, bandNumber: number, use: (band: gdal.RasterBand) => Promise<T>): Promise<T> {
    return this.using(href, async (handle) => {
      let band = handle.bands.get(bandNumber);
      if (!band) {
        band = handle.dataset.then((ds) => ds.bands.getAsync(bandNumber));
        handle.bands.set(bandNumber, band);
      }
      return use(await band);
    });
  }

  private async using<T>(href: string, use: (handle: Handle) => Promise<T>): Promise<T> {
    const handle = this.acquire(href);
    try {
      return await use(handle);
    } finally {
      handle.users--;
      if (handle.evicted && handle.users === 0) await close(handle);
    }
  }

  private acquire(href: string): Handle {
    const keys = this.byHref.get(href) ?? new Set<string>();
    this.byHref.set(href, keys);
    let best: [string, Handle] | undefined;
    for (const key of keys) {
      const h = this.handles.get(key)!;
      if (!best || h.users < best[1].users) best = [key, h];
    }
    if (!best || (best[1].users > 0 && keys.size < HANDLES_PER_FILE)) {
      const key = String(this.nextKey++);
      best = [key, { href, dataset: this.open(href, key), bands: new Map(), users: 0, evicted: false }];
      keys.add(key);
    }
    const [key, handle] = best;
    // Re-insert to mark as recently used.
    this.handles.delete(key);
    this.handles.set(key, handle);
    handle.users++;
    this.evictOldest();
    return handle;
  }

  private open(href: string, key: string): Promise<gdal.Dataset> {
    return gdal.openAsync(href).catch(() => {
      this.forget(key, href);
      // No path in the message: clients should not learn the server's file layout.
      throw new OpenEOError('Internal', { message: 'a data file of the collection cannot be read (it may have been moved or deleted)' });
    });
  }

  private forget(key: string, href: string): void {
    this.handles.delete(key);
    const keys = this.byHref.get(href);
    keys?.delete(key);
    if (keys?.size === 0) this.byHref.delete(href);
  }

  private evictOldest(): void {
    while (this.handles.size > this.maxOpen) {
      const [key, oldest] = this.handles.entries().next().value as [string, Handle];
      this.forget(key, oldest.href);
      oldest.evicted = true;
      if (oldest.users === 0) void close(oldest);
    }
  }
}

async function close(handle: Handle): Promise<void> {
  try {
    (await handle.dataset).close();
  } catch {
    // A dataset that failed to open has nothing to close.
  }
}
