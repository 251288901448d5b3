import { defineProcess } from '../define';
import { DataCube } from '../../raster/cube/DataCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { WindowCube } from '../../raster/cube/WindowCube';
import { forEachTile } from '../../raster/tiles';
import { requireCube } from './common';

/** Indices to keep: for ordered dimensions the run between the first and last used label, else every used label. */
function keptIndices(used: Uint8Array, ordered: boolean): number[] {
  const all = [...used.keys()].filter((k) => used[k]);
  if (!ordered || all.length === 0) return all;
  return Array.from({ length: all[all.length - 1] - all[0] + 1 }, (_, i) => all[0] + i);
}

export const trimCube = defineProcess(
  'trim_cube',
  {
    summary: 'Drop labels that only hold no-data',
    description:
      'Reads the cube once, tile by tile, and removes the labels whose slices hold nothing but no-data. On x, y and temporal ' +
      'dimensions only the outer rows, columns and dates are removed, so the remaining labels stay regular; on bands and other ' +
      'dimensions any label without data is removed.',
    parameters: { data: 'A raster data cube.' },
    returns: 'The trimmed data cube (same dimensions, possibly fewer labels).',
  },
  async (args, ctx) => {
    let cube: DataCube = requireCube(args.data, 'trim_cube');
    const source = cube;
    if (source.isEmpty) return source;
    const used = source.dims.map((d) => new Uint8Array(d.labels.length));
    const sizes = source.dims.map((d) => d.labels.length);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    await forEachTile(source, ctx, ctx.config.processing.tileSize, (tile, win) => {
      const pixels = win.width * win.height;
      const cells = tile.length / pixels;
      const labelOf = new Int32Array(sizes.length);
      for (let c = 0; c < cells; c++) {
        // Decode the cell index into one label index per dimension.
        let rest = c;
        for (let i = sizes.length - 1; i >= 0; i--) {
          labelOf[i] = rest % sizes[i];
          rest = Math.floor(rest / sizes[i]);
        }
        const base = c * pixels;
        let any = false;
        for (let p = 0; p < pixels; p++) {
          if (Number.isNaN(tile[base + p])) continue;
          any = true;
          const col = win.x + (p % win.width);
          const row = win.y + Math.floor(p / win.width);
          if (col < minX) minX = col;
          if (col > maxX) maxX = col;
          if (row < minY) minY = row;
          if (row > maxY) maxY = row;
        }
        if (any) for (let i = 0; i < sizes.length; i++) used[i][labelOf[i]] = 1;
      }
    });
    // A cube without any value keeps its shape: there is nothing sensible to trim it to.
    if (maxX < 0) return source;
    for (let i = 0; i < source.dims.length; i++) {
      // Geometries stay: their labels are tied to the geometry list of the vector cube.
      if (source.dims[i].type === 'geometry') continue;
      cube = SubsetCube.select(cube, i, keptIndices(used[i], source.dims[i].type === 'temporal'));
    }
    const grid = source.grid;
    if (grid && (minX > 0 || minY > 0 || maxX < grid.width - 1 || maxY < grid.height - 1)) {
      cube = new WindowCube(cube, { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 });
    }
    return cube;
  },
);
