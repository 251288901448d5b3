import { defineProcess } from '../define';
import { DataCube } from '../../raster/cube/DataCube';
import { Align, WARP_METHODS, WarpCube, warpTargetGrid } from '../../raster/cube/WarpCube';
import { crsToString } from '../../raster/cube/crs';
import { sameGrid } from '../../raster/cube/cellMapping';
import { crsProblem } from '../../gdal/srs';
import { parameterInvalid, requireCube } from './common';

/** Target grids above this many pixels are refused before anything is computed. */
const MAX_TARGET_PIXELS = 4_000_000_000;

function requireGrid(cube: DataCube, process: string, parameter: string): void {
  if (!cube.grid) throw parameterInvalid(process, parameter, 'the data cube has no x/y dimensions');
}

function method(value: unknown, process: string): string {
  const name = String(value ?? 'near');
  if (!WARP_METHODS.has(name)) throw parameterInvalid(process, 'method', `unknown resampling method '${name}'`);
  return name;
}

const METHOD_TEXT =
  'Resampling method, named as in gdalwarp: near, bilinear, cubic, cubicspline, lanczos, average, mode, min, max, med, q1, q3, sum or rms.';

export const resampleSpatial = defineProcess(
  'resample_spatial',
  {
    summary: 'Change the resolution or projection of x/y',
    description:
      'Warps the x/y grid of the cube with GDAL to a new resolution and/or CRS. The target grid is the one gdalwarp would choose ' +
      '(its suggested output for a new CRS; with a resolution the extent is fitted to whole pixels from the `align` corner, as ' +
      '`gdalwarp -tr` does from the upper-left corner). Tiles are warped one by one from the source window they cover plus a ' +
      'margin for the resampling kernel, so values agree with a gdalwarp of the whole grid. No-data stays no-data.',
    parameters: {
      data: 'A raster data cube.',
      resolution: 'Target pixel size in units of the target CRS: one number for both axes or `[x, y]`; 0 keeps the resolution.',
      projection: 'Target CRS as EPSG code or WKT2; `null` keeps the CRS.',
      method: METHOD_TEXT,
      align: 'The corner of the extent the new grid starts from when the resolution changes.',
    },
    returns: 'The data cube on the new grid, with the other dimensions unchanged.',
  },
  (args) => {
    const cube = requireCube(args.data, 'resample_spatial');
    requireGrid(cube, 'resample_spatial', 'data');
    const grid = cube.grid!;
    const resampling = method(args.method, 'resample_spatial');
    const raw = args.resolution ?? 0;
    const pair = Array.isArray(raw) ? raw.map(Number) : [Number(raw), Number(raw)];
    if (pair.length !== 2 || pair.some((v) => !Number.isFinite(v) || v < 0)) {
      throw parameterInvalid('resample_spatial', 'resolution', 'expected a non-negative number or two of them');
    }
    if ((pair[0] === 0) !== (pair[1] === 0)) throw parameterInvalid('resample_spatial', 'resolution', 'give both resolutions or neither');
    const resolution = pair[0] > 0 ? (pair as [number, number]) : null;
    let crs = grid.crs;
    let epsg = grid.epsg;
    if (args.projection !== null && args.projection !== undefined) {
      ({ crs, epsg } = crsToString(args.projection));
      const problem = crs ? crsProblem(crs) : 'not a CRS';
      if (problem) throw parameterInvalid('resample_spatial', 'projection', `unknown CRS: ${problem}`);
    }
    const align = String(args.align ?? 'upper-left') as Align;
    if (!['upper-left', 'lower-left', 'upper-right', 'lower-right'].includes(align)) {
      throw parameterInvalid('resample_spatial', 'align', `unknown corner '${align}'`);
    }
    let target;
    try {
      target = warpTargetGrid(grid, crs, epsg, resolution, align);
    } catch (e) {
      throw parameterInvalid('resample_spatial', 'projection', `the cube cannot be warped to that CRS (${(e as Error).message})`);
    }
    if (sameGrid(grid, target)) return cube;
    if (target.width * target.height > MAX_TARGET_PIXELS) {
      throw parameterInvalid('resample_spatial', 'resolution', `the target grid would have ${target.width} × ${target.height} pixels`);
    }
    return new WarpCube(cube, target, resampling);
  },
);

export const resampleCubeSpatial = defineProcess(
  'resample_cube_spatial',
  {
    summary: 'Warp a cube onto the x/y grid of another',
    description:
      'Warps the x/y grid of `data` with GDAL onto exactly the grid (CRS, resolution, extent) of `target`, e.g. before merging or ' +
      'masking with it. Other dimensions of `data` stay as they are; only the spatial grid of `target` is used. Tiles are warped ' +
      'one by one from the source window they cover plus a margin for the resampling kernel.',
    parameters: {
      data: 'The raster data cube to resample.',
      target: 'A raster data cube whose x/y grid the result takes.',
      method: METHOD_TEXT,
    },
    returns: 'The data cube on the grid of `target`.',
  },
  (args) => {
    const cube = requireCube(args.data, 'resample_cube_spatial');
    const target = requireCube(args.target, 'resample_cube_spatial', 'target');
    requireGrid(cube, 'resample_cube_spatial', 'data');
    requireGrid(target, 'resample_cube_spatial', 'target');
    const resampling = method(args.method, 'resample_cube_spatial');
    if (sameGrid(cube.grid, target.grid)) return cube;
    return new WarpCube(cube, target.grid!, resampling);
  },
);
