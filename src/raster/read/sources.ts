import gdal from 'gdal-async';
import { OpenEOError } from '../../errors/OpenEOError';

interface Entry {
  dataset: Promise<gdal.Dataset>;
  users: number;
  /** Evicted while in use: close when the last user is done. */
  evicted: boolean;
}

/**
 * Open GDAL datasets of one load_collection, shared by all its tiles. Each file is opened once
 * (asynchronously); only the most recently used stay open, so collections with many files don't
 * exhaust file handles, and a dataset is closed only when no read is using it.
 */
export class DatasetCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxOpen = 64) {}

  /** Runs `use` with the open dataset of `href`. */
  async with<T>(href: string, use: (ds: gdal.Dataset) => Promise<T>): Promise<T> {
    const entry = this.acquire(href);
    try {
      return await use(await entry.dataset);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) await close(entry);
    }
  }

  private acquire(href: string): Entry {
    let entry = this.entries.get(href);
    if (entry) {
      // Re-insert to mark as recently used.
      this.entries.delete(href);
    } else {
      entry = {
        dataset: gdal.openAsync(href).catch(() => {
          this.entries.delete(href);
          // No path in the message: clients should not learn the server's file layout.
          throw new OpenEOError('Internal', { message: 'a data file of the collection cannot be read (it may have been moved or deleted)' });
        }),
        users: 0,
        evicted: false,
      };
    }
    entry.users++;
    this.entries.set(href, entry);
    this.evictOldest();
    return entry;
  }

  private evictOldest(): void {
    while (this.entries.size > this.maxOpen) {
      const [href, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(href);
      oldest.evicted = true;
      if (oldest.users === 0) void close(oldest);
    }
  }
}

async function close(entry: Entry): Promise<void> {
  try {
    (await entry.dataset).close();
  } catch {
    // A dataset that failed to open has nothing to close.
  }
}
