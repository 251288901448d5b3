import type { DataCube } from './DataCube';
import { TileContext, TileWindow, windowPixels } from './model';
import { copyOverlap } from './windows';

/** Edge of the aligned parent tiles (the usual block size of the files underneath). */
const EDGE = 512;
/** Memory the cached tiles of one cube may hold. */
const BUDGET_BYTES = 192 * 1024 * 1024;

/**
 * Serves arbitrary windows of a cube from tiles on a fixed 512-pixel lattice, computing each
 * lattice tile once while it is in use. Consumers whose windows overlap and straddle tile
 * borders (a warp's source windows, say) then read and decode every block of the files once
 * instead of up to four times. Keeps the most recently used tiles within a memory budget.
 */
export class AlignedTileCache {
  private readonly tiles = new Map<string, Promise<Float64Array>>();
  private readonly capacity: number;

  /** Tiles worth keeping: four rows of the lattice and a few more (a warp's row of target tiles can slant across several rows of source tiles). */
  private readonly needed: number;

  constructor(private readonly cube: DataCube) {
    const tileBytes = Math.max(1, cube.cellsPerPixel) * EDGE * EDGE * 8;
    this.needed = cube.grid ? 4 * Math.ceil(cube.grid.width / EDGE) + 4 : 0;
    this.capacity = Math.min(this.needed, Math.floor(BUDGET_BYTES / tileBytes));
  }

  /** Whether the tiles worth keeping fit in the memory budget. */
  get useful(): boolean {
    return this.needed > 0 && this.capacity >= this.needed;
  }

  /** The values of `win` in the cube's tile layout, assembled from lattice tiles. */
  async window(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const grid = this.cube.grid!;
    const cells = this.cube.cellsPerPixel;
    const out = new Float64Array(cells * windowPixels(win));
    const parts: Array<Promise<void>> = [];
    for (let ty = Math.floor(win.y / EDGE) * EDGE; ty < win.y + win.height; ty += EDGE) {
      for (let tx = Math.floor(win.x / EDGE) * EDGE; tx < win.x + win.width; tx += EDGE) {
        const lattice = { x: tx, y: ty, width: Math.min(EDGE, grid.width - tx), height: Math.min(EDGE, grid.height - ty) };
        parts.push(this.tile(lattice, ctx).then((values) => copyOverlap(values, lattice, out, win, cells)));
      }
    }
    await Promise.all(parts);
    return out;
  }

  private tile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const key = `${win.x},${win.y}`;
    let tile = this.tiles.get(key);
    if (tile) {
      this.tiles.delete(key);
    } else {
      tile = this.cube.tile(win, ctx);
      // A failed tile is not kept: the next request computes it again.
      tile.catch(() => this.tiles.delete(key));
    }
    this.tiles.set(key, tile);
    while (this.tiles.size > this.capacity) this.tiles.delete(this.tiles.keys().next().value as string);
    return tile;
  }
}
