import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { Border, readWithHalo } from '../../raster/cube/halo';
import { TileContext, TileWindow } from '../../raster/cube/model';
import { parameterInvalid, requireCube } from './common';

/** A focal convolution of every x/y plane, computed per tile from the tile plus a halo of half the kernel. */
class KernelCube extends DataCube {
  constructor(
    private readonly parent: DataCube,
    private readonly kernel: Float64Array,
    private readonly kw: number,
    private readonly kh: number,
    private readonly border: Border,
    private readonly replaceInvalid: number,
  ) {
    super({ dims: parent.dims, grid: parent.grid, order: parent.order });
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const hx = (this.kw - 1) / 2;
    const hy = (this.kh - 1) / 2;
    const src = await readWithHalo(this.parent, win, hx, hy, this.border, ctx);
    const sw = win.width + 2 * hx;
    const sh = win.height + 2 * hy;
    for (let i = 0; i < src.length; i++) if (!Number.isFinite(src[i])) src[i] = this.replaceInvalid;
    const cells = this.cellsPerPixel;
    const out = new Float64Array(cells * win.width * win.height);
    const { kernel, kw, kh } = this;
    for (let c = 0; c < cells; c++) {
      const plane = c * sw * sh;
      const target = c * win.width * win.height;
      for (let row = 0; row < win.height; row++) {
        for (let col = 0; col < win.width; col++) {
          // Convolution: the kernel is flipped, so kernel[0][0] weighs the pixel below right.
          let sum = 0;
          for (let j = 0; j < kh; j++) {
            const line = plane + (row + kh - 1 - j) * sw + col + kw - 1;
            const krow = j * kw;
            for (let i = 0; i < kw; i++) sum += kernel[krow + i] * src[line - i];
          }
          out[target + row * win.width + col] = sum;
        }
      }
    }
    return out;
  }
}

export const applyKernel = defineProcess(
  'apply_kernel',
  {
    summary: 'Convolve the x/y planes with a kernel',
    description:
      'Convolves every x/y plane of the cube with a 2-D kernel (rows along y, columns along x, both of odd size) and multiplies ' +
      'the sums by `factor`. Values beyond the grid edge come from `border` (a constant or replicate / reflect / reflect_pixel / ' +
      'wrap); no-data and infinite values enter the sums as `replace_invalid`. Each tile is computed from the tile plus a border ' +
      'of half the kernel size read from the source.',
    parameters: {
      data: 'A raster data cube.',
      kernel: 'The kernel: an array of rows (y), each an array of weights (x); both sizes must be odd.',
      factor: 'Multiplier for the weighted sums, e.g. 1/9 for a 3×3 mean.',
      border: 'How values beyond the edge are made up: a constant number, or `replicate`, `reflect`, `reflect_pixel` or `wrap`.',
      replace_invalid: 'The value used in place of no-data and infinite values.',
    },
    returns: 'The convolved data cube, with the same dimensions.',
    exceptions: { KernelDimensionsUneven: 'Each dimension of the kernel must have an odd number of elements.' },
  },
  (args) => {
    const cube = requireCube(args.data, 'apply_kernel');
    if (!cube.grid) throw parameterInvalid('apply_kernel', 'data', 'the data cube has no x/y dimensions');
    const rows = args.kernel;
    if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === (rows[0] as unknown[]).length)) {
      throw parameterInvalid('apply_kernel', 'kernel', 'expected a non-empty array of rows of equal length');
    }
    const kh = rows.length;
    const kw = (rows[0] as unknown[]).length;
    if (kh % 2 === 0 || kw % 2 === 0) throw new ProcessException('KernelDimensionsUneven', `The kernel is ${kw}×${kh}; both sizes must be odd.`);
    if (kw > 1001 || kh > 1001) throw parameterInvalid('apply_kernel', 'kernel', 'kernels larger than 1001×1001 are not supported');
    const factor = Number(args.factor ?? 1);
    const kernel = new Float64Array(kw * kh);
    (rows as unknown[][]).forEach((r, j) => r.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw parameterInvalid('apply_kernel', 'kernel', 'kernel weights must be finite numbers');
      kernel[j * kw + i] = v * factor;
    }));
    const border = (args.border ?? 0) as Border;
    if (typeof border !== 'number' && !['replicate', 'reflect', 'reflect_pixel', 'wrap'].includes(border)) {
      throw parameterInvalid('apply_kernel', 'border', `unknown border mode '${String(border)}'`);
    }
    return new KernelCube(cube, kernel, kw, kh, border, Number(args.replace_invalid ?? 0));
  },
);
