/**
 * A cube whose tiles are what a Python UDF makes of the same window of its parent: one call per
 * tile, in the run's interpreter. The result's dimensions are learnt from a first call on one
 * pixel and must then be the same for every tile.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import { DataCube } from '../raster/cube/DataCube';
import { LabelDimension, TileContext, TileWindow } from '../raster/cube/model';
import { sessionFor } from './sessions';
import { udfError } from './session';
import { UdfCode, callOnTile, describeDimensions, sameDimensions } from './tiles';

export interface UdfRun {
  config: Config;
  logger: Logger;
  signal: AbortSignal;
}

export interface UdfCubeRules {
  /** Dimension names (with y, x) the result is transposed to when it has exactly these. */
  expectedNames?: string[];
  /** Why a result with these non-spatial dimensions does not fit the calling process, or null when it does. */
  check(dims: LabelDimension[]): string | null;
  /** The presentation order of the result cube. */
  order(dims: LabelDimension[]): string[];
  /** The cube's dimensions for what the UDF returned (e.g. a dimension renamed to the target), when they differ. */
  dimensions?(dims: LabelDimension[]): LabelDimension[];
}

export class UdfCube extends DataCube {
  private constructor(
    private readonly parent: DataCube,
    dims: LabelDimension[],
    order: string[],
    private readonly run: UdfRun,
    private readonly udf: UdfCode,
    private readonly rules: UdfCubeRules,
  ) {
    super({ dims, grid: parent.grid, order });
  }

  static async create(parent: DataCube, run: UdfRun, udf: UdfCode, rules: UdfCubeRules, ctx: TileContext): Promise<UdfCube> {
    if (!parent.grid) throw udfError('run_udf needs a raster data cube with x and y dimensions.');
    const probe = await call(parent, run, udf, rules, { x: 0, y: 0, width: 1, height: 1 }, ctx);
    const problem = rules.check(probe.dims);
    if (problem) throw udfError(`The UDF returned the dimensions ${describeDimensions(probe.dims)}: ${problem}`);
    const dims = rules.dimensions?.(probe.dims) ?? probe.dims;
    return new UdfCube(parent, dims, rules.order(dims), run, udf, rules);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const result = await call(this.parent, this.run, this.udf, this.rules, win, ctx);
    const dims = this.rules.dimensions?.(result.dims) ?? result.dims;
    if (!sameDimensions(dims, this.dims)) {
      throw udfError(`The UDF returned the dimensions ${describeDimensions(dims)} here but ${describeDimensions(this.dims)} for the first pixel; they must be the same for every tile.`);
    }
    return result.values;
  }
}

async function call(parent: DataCube, run: UdfRun, udf: UdfCode, rules: UdfCubeRules, win: TileWindow, ctx: TileContext) {
  const tile = await parent.tile(win, ctx);
  const { session, release } = sessionFor(run);
  try {
    return await callOnTile(session, udf, parent.dims, parent.grid!, win, tile, rules.expectedNames);
  } finally {
    release();
  }
}
