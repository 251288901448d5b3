import type { DataCube } from '../raster/cube/DataCube';
import type { LabelDimension, TileContext } from '../raster/cube/model';
import { cellsAround } from '../raster/cube/model';
import { readAll } from '../raster/tiles';
import { cubeGeometries, findGeometryDimension } from './cube';
import type { VectorFeature } from '../geometry/types';

/** A vector cube read into memory: per geometry, the values of every combination of the other labels. */
export interface VectorTable {
  crs: string;
  features: VectorFeature[];
  /** The non-geometry dimensions; combinations are numbered row-major in this order. */
  dims: LabelDimension[];
  /** `rows[g][k]`: value of geometry g for combination k (NaN = no-data). */
  rows: Float64Array[];
}

export async function readVectorTable(cube: DataCube, ctx: TileContext): Promise<VectorTable> {
  const geometryDim = findGeometryDimension(cube)!;
  const set = cubeGeometries(cube);
  const values = await readAll(cube, ctx);
  const gi = cube.dims.indexOf(geometryDim);
  const { outer, inner, size: n } = cellsAround(cube.dims, gi);
  const rows = geometryDim.labels.map((_, g) => {
    const row = new Float64Array(outer * inner);
    for (let a = 0; a < outer; a++) row.set(values.subarray((a * n + g) * inner, (a * n + g + 1) * inner), a * inner);
    return row;
  });
  return { crs: set.crs, features: set.features, dims: cube.dims.filter((d) => d !== geometryDim), rows };
}

/** The labels of combination `k` of `dims` (row-major), one per dimension. */
export function combinationLabels(dims: LabelDimension[], k: number): Array<string | number> {
  const out = new Array<string | number>(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    const size = dims[i].labels.length;
    out[i] = dims[i].labels[k % size];
    k = Math.floor(k / size);
  }
  return out;
}

export function combinationCount(dims: LabelDimension[]): number {
  return dims.reduce((n, d) => n * d.labels.length, 1);
}
