import { ProcessException } from '../../errors/ProcessException';
import { PixelArray } from '../types';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { MapCube } from '../../raster/cube/MapCube';
import { LabelDimension, cellsAround, windowPixels } from '../../raster/cube/model';
import { LabelGroup, splitAlong } from '../../raster/cube/alongDimension';
import { toTileVector } from './common';
import { fusedGroups } from './fusion';

/**
 * Finds the temporal dimension a temporal aggregation works on: the named one, or the only
 * temporal dimension when no name is given.
 */
export function temporalDimensionIndex(cube: DataCube, name: unknown): number {
  if (name === null || name === undefined) {
    const temporal = cube.dims.map((d, i) => (d.type === 'temporal' ? i : -1)).filter((i) => i >= 0);
    if (temporal.length === 0) throw new ProcessException('DimensionNotAvailable', 'The data cube has no temporal dimension.');
    if (temporal.length > 1) {
      throw new ProcessException('TooManyDimensions', 'The data cube has several temporal dimensions; name one with `dimension`.');
    }
    return temporal[0];
  }
  const index = cube.dims.findIndex((d) => d.name === String(name) && d.type === 'temporal');
  if (index < 0) throw new ProcessException('DimensionNotAvailable', `The data cube has no temporal dimension '${String(name)}'.`);
  return index;
}

/**
 * A cube whose temporal dimension `index` is replaced by `groups`: for every tile, the reducer
 * receives, per group, the values of the group's source labels for all pixels at once. Memory per
 * tile is the parent's tile plus one vector per group.
 */
export function groupAlongDimension(
  cube: DataCube,
  index: number,
  groups: LabelGroup[],
  reducer: Callback,
  context: unknown,
  process: string,
): DataCube {
  const source = cube.dims[index];
  const target: LabelDimension = { name: source.name, type: source.type, labels: groups.map((g) => g.label) };
  const starts = groups.filter((g) => g.start !== undefined && Number.isFinite(g.start));
  if (starts.length > 0) target.labelInstants = Object.fromEntries(starts.map((g) => [g.label, g.start as number]));
  const dims = cube.dims.map((d, i) => (i === index ? target : d));
  const fused = fusedGroups(cube, index, groups, reducer, context, { dims, grid: cube.grid, order: cube.order });
  if (fused) return fused;
  return new MapCube(cube, { dims, grid: cube.grid, order: cube.order }, async (tile, win) => {
    const pixels = windowPixels(win);
    const vectors = splitAlong(tile, cube, index, pixels);
    const around = cellsAround(cube.dims, index);
    const outer = around.outer;
    const inner = around.inner * pixels;
    const length = outer * inner;
    const out = new Float64Array(outer * groups.length * inner);
    for (let g = 0; g < groups.length; g++) {
      const members = groups[g].members;
      const data = new PixelArray(
        members.map((k) => vectors[k]),
        members.map((k) => source.labels[k]),
        length,
      );
      const result = toTileVector(await reducer.run({ data, context }), length, process, 'reducer');
      for (let a = 0; a < outer; a++) out.set(result.subarray(a * inner, (a + 1) * inner), (a * groups.length + g) * inner);
    }
    return out;
  });
}
