import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { mapCells, sameGrid } from '../../raster/cube/cellMapping';
import { TileContext, TileWindow, windowPixels } from '../../raster/cube/model';
import { parameterInvalid, requireCube } from './common';

/** Replaces data where the mask is non-zero; the mask is read over the same window. */
class MaskedCube extends DataCube {
  private readonly maskCellOf: Int32Array;

  constructor(
    private readonly data: DataCube,
    private readonly mask: DataCube,
    private readonly replacement: number,
  ) {
    super({ dims: data.dims, grid: data.grid, order: data.order });
    this.maskCellOf = mapCells(data.dims, mask.dims);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const [values, mask] = await Promise.all([this.data.tile(win, ctx), this.mask.tile(win, ctx)]);
    const pixels = windowPixels(win);
    for (let c = 0; c < this.maskCellOf.length; c++) {
      const m0 = this.maskCellOf[c] * pixels;
      const v0 = c * pixels;
      for (let p = 0; p < pixels; p++) {
        const m = mask[m0 + p];
        // Non-zero (true) masks; no-data in the mask leaves the value as it is.
        if (m !== 0 && m === m) values[v0 + p] = this.replacement;
      }
    }
    return values;
  }
}

export const mask = defineProcess(
  'mask',
  {
    summary: 'Apply a raster mask',
    description:
      'Replaces the values of `data` where the mask is non-zero (true) with `replacement`; no-data in the mask masks nothing. The mask must have the same x/y grid; ' +
      'its other dimensions must also exist in `data` with the same labels, and dimensions it lacks are masked alike for every label.',
    parameters: {
      data: 'A raster data cube.',
      mask: 'The mask, a data cube on the same grid.',
      replacement: 'The value for masked pixels; `null` makes them no-data.',
    },
    returns: 'The data cube with masked values replaced.',
    exceptions: { IncompatibleDataCubes: 'The mask does not fit the data: other grid, other dimensions or other labels.' },
  },
  (args) => {
    const data = requireCube(args.data, 'mask');
    const maskCube = requireCube(args.mask, 'mask', 'mask');
    const r = args.replacement ?? null;
    if (r !== null && typeof r !== 'number' && typeof r !== 'boolean') throw parameterInvalid('mask', 'replacement', 'a data cube holds numbers only');
    const replacement = r === null ? NaN : Number(r);
    const incompatible = (why: string) => new ProcessException('IncompatibleDataCubes', `The mask does not fit the data: ${why}.`);
    if (!sameGrid(data.grid, maskCube.grid)) throw incompatible('the x/y grids differ');
    for (const dim of maskCube.dims) {
      const own = data.dims.find((d) => d.name === dim.name);
      if (!own) throw incompatible(`the data has no dimension '${dim.name}'`);
      if (own.labels.length !== dim.labels.length || own.labels.some((l, i) => String(l) !== String(dim.labels[i]))) {
        throw incompatible(`the labels of '${dim.name}' differ`);
      }
    }
    return new MaskedCube(data, maskCube, replacement);
  },
);
