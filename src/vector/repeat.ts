import { DataCube } from '../raster/cube/DataCube';
import { LabelDimension, TileContext, TileWindow, cellsAround } from '../raster/cube/model';
import { findGeometryDimension } from './cube';

/**
 * A vector cube whose geometry dimension is replaced by new geometries, each taking the values of
 * one source geometry (`sourceOf[k]` for new label k), e.g. one point per sample of a polygon.
 */
export class RepeatGeometriesCube extends DataCube {
  private readonly geometryIndex: number;

  constructor(
    private readonly parent: DataCube,
    replacement: LabelDimension,
    private readonly sourceOf: number[],
  ) {
    const old = findGeometryDimension(parent)!;
    super({ dims: parent.dims.map((d) => (d === old ? replacement : d)), grid: null, order: parent.order });
    this.geometryIndex = parent.dims.indexOf(old);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const values = await this.parent.tile(win, ctx);
    const gi = this.geometryIndex;
    const { outer, inner } = cellsAround(this.dims, gi);
    const n = this.parent.dims[gi].labels.length;
    const m = this.sourceOf.length;
    const out = new Float64Array(outer * m * inner);
    for (let a = 0; a < outer; a++) {
      for (let k = 0; k < m; k++) {
        const from = (a * n + this.sourceOf[k]) * inner;
        out.set(values.subarray(from, from + inner), (a * m + k) * inner);
      }
    }
    return out;
  }
}
