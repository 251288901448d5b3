import type { BlockRows } from './protocol';

/**
 * Horizontal blocks of an output grid `height` rows high: each a whole number of evaluation
 * tiles (about `blockRows` rows), so every block computes exactly the image's own tiles.
 * The layout depends only on the grid and the settings, never on how many workers there are.
 */
export function planBlocks(height: number, tileSize: number, blockRows: number): BlockRows[] {
  const rows = Math.max(1, Math.round(blockRows / tileSize)) * tileSize;
  const blocks: BlockRows[] = [];
  for (let y = 0; y < height; y += rows) blocks.push({ index: blocks.length, y, height: Math.min(rows, height - y) });
  return blocks;
}
