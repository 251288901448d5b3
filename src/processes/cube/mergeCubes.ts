import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { mapCells, sameGrid } from '../../raster/cube/cellMapping';
import { LabelDimension, TileContext, TileWindow, windowPixels } from '../../raster/cube/model';
import { parseInstant } from '../../raster/cube/time';
import { parameterInvalid, requireCallback, requireCube, toTileVector } from './common';

/** Labels of both cubes: time sorted, other dimensions in cube1's order followed by cube2's new labels. */
function unionLabels(a: LabelDimension, b: LabelDimension): Array<string | number> {
  const seen = new Set(a.labels.map(String));
  const labels = [...a.labels, ...b.labels.filter((l) => !seen.has(String(l)))];
  if (a.type === 'temporal') labels.sort((x, y) => parseInstant(String(x)) - parseInstant(String(y)));
  return labels;
}

class MergedCube extends DataCube {
  private readonly from1: Int32Array;
  private readonly from2: Int32Array;

  constructor(
    private readonly cube1: DataCube,
    private readonly cube2: DataCube,
    dims: LabelDimension[],
    private readonly resolver: Callback | null,
    private readonly context: unknown,
  ) {
    super({ dims, grid: cube1.grid, order: cube1.order });
    this.from1 = mapCells(dims, cube1.dims);
    this.from2 = mapCells(dims, cube2.dims);
  }

  /** Cells that both cubes have, which the resolver combines. */
  get overlapCells(): number {
    let n = 0;
    for (let c = 0; c < this.from1.length; c++) if (this.from1[c] >= 0 && this.from2[c] >= 0) n++;
    return n;
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const [a, b] = await Promise.all([this.cube1.tile(win, ctx), this.cube2.tile(win, ctx)]);
    const pixels = windowPixels(win);
    const out = new Float64Array(this.from1.length * pixels).fill(NaN);
    const overlap: number[] = [];
    for (let c = 0; c < this.from1.length; c++) {
      const i = this.from1[c], j = this.from2[c];
      if (i >= 0 && j >= 0) overlap.push(c);
      else if (i >= 0) out.set(a.subarray(i * pixels, (i + 1) * pixels), c * pixels);
      else if (j >= 0) out.set(b.subarray(j * pixels, (j + 1) * pixels), c * pixels);
    }
    if (overlap.length > 0) {
      // One resolver call for all overlapping cells of the tile.
      const x = new Float64Array(overlap.length * pixels);
      const y = new Float64Array(overlap.length * pixels);
      overlap.forEach((c, k) => {
        x.set(a.subarray(this.from1[c] * pixels, (this.from1[c] + 1) * pixels), k * pixels);
        y.set(b.subarray(this.from2[c] * pixels, (this.from2[c] + 1) * pixels), k * pixels);
      });
      const result = toTileVector(await this.resolver!.run({ x, y, context: this.context }), x.length, 'merge_cubes', 'overlap_resolver');
      overlap.forEach((c, k) => out.set(result.subarray(k * pixels, (k + 1) * pixels), c * pixels));
    }
    return out;
  }
}

export const mergeCubes = defineProcess(
  'merge_cubes',
  {
    summary: 'Merge two data cubes',
    description:
      'Combines two data cubes on the same x/y grid with the same dimensions into one whose labels are the union of both. ' +
      'Time labels are sorted; other labels keep the order of `cube1` followed by the new labels of `cube2`. ' +
      'Where both cubes have a value for the same labels, `overlap_resolver` combines them (`x` from `cube1`, `y` from `cube2`).',
    parameters: {
      cube1: 'The first data cube.',
      cube2: 'The second data cube, on the same grid and with the same dimensions.',
      overlap_resolver: 'Child process that combines `x` (cube1) and `y` (cube2) where both have values; needed only when labels overlap.',
      context: 'Extra data handed unchanged to the overlap resolver.',
    },
    returns: 'The merged data cube.',
    exceptions: {
      OverlapResolverMissing: 'The cubes share labels, so an overlap resolver is needed.',
      IncompatibleGeometryTypes: 'Vector data cubes with different geometry types cannot be merged.',
    },
  },
  (args) => {
    const cube1 = requireCube(args.cube1, 'merge_cubes', 'cube1');
    const cube2 = requireCube(args.cube2, 'merge_cubes', 'cube2');
    if (!sameGrid(cube1.grid, cube2.grid)) throw parameterInvalid('merge_cubes', 'cube2', 'the cubes must share the same x/y grid');
    const names2 = new Set(cube2.dims.map((d) => d.name));
    if (cube1.dims.length !== cube2.dims.length || cube1.dims.some((d) => !names2.has(d.name))) {
      throw parameterInvalid('merge_cubes', 'cube2', 'the cubes must have the same dimensions');
    }
    const dims = cube1.dims.map((d) => {
      const other = cube2.dims.find((o) => o.name === d.name)!;
      const labels = unionLabels(d, other);
      const bandInfo = d.bands || other.bands ? labels.map((l) => d.bands?.[d.labels.indexOf(l)] ?? other.bands?.[other.labels.indexOf(l)]) : undefined;
      const merged: LabelDimension = { ...d, labels, bands: bandInfo };
      // Period labels of either cube keep the instants they stand for.
      if (d.labelInstants || other.labelInstants) merged.labelInstants = { ...other.labelInstants, ...d.labelInstants };
      return merged;
    });
    const resolver = args.overlap_resolver ? requireCallback(args.overlap_resolver, 'merge_cubes', 'overlap_resolver') : null;
    const merged = new MergedCube(cube1, cube2, dims, resolver, args.context ?? null);
    if (!resolver && merged.overlapCells > 0) {
      throw new ProcessException('OverlapResolverMissing', 'The cubes have values for the same labels; give an overlap_resolver to combine them.');
    }
    return merged;
  },
);
