/** A finished tile and its strong entity tag. */
export interface CachedTile {
  png: Buffer;
  etag: string;
}

/** Finished tiles in memory, least recently used dropped first once their bytes exceed the budget. */
export class TileCache {
  private readonly entries = new Map<string, CachedTile>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): CachedTile | undefined {
    const png = this.entries.get(key);
    if (png) {
      // Re-inserting moves the entry to the end: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, png);
    }
    return png;
  }

  set(key: string, tile: CachedTile): void {
    if (tile.png.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.png.length;
    }
    this.entries.set(key, tile);
    this.bytes += tile.png.length;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.png.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
