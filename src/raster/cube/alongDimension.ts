/** Working along one non-spatial dimension of a tile: its label groups and its planes. */
import { CubeShape, cellsAround } from './model';

/** One output label and the positions of the source labels that fall into it. */
export interface LabelGroup {
  label: string;
  members: number[];
  /** The instant (epoch ms) the group starts at, when its label names a period rather than an instant. */
  start?: number;
}

/**
 * Splits a tile along the non-spatial dimension `index` into one vector per label, each in the
 * tile layout of the reduced cube (so the reducer's output vector is directly the result tile).
 */
export function splitAlong(tile: Float64Array, cube: Pick<CubeShape, 'dims'>, index: number, pixels: number): Float64Array[] {
  const around = cellsAround(cube.dims, index);
  const outer = around.outer;
  const inner = around.inner * pixels;
  const n = around.size;
  const vectors: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    if (outer === 1) {
      // The planes are contiguous: no copy needed.
      vectors.push(tile.subarray(k * inner, (k + 1) * inner));
      continue;
    }
    const v = new Float64Array(outer * inner);
    for (let a = 0; a < outer; a++) v.set(tile.subarray((a * n + k) * inner, (a * n + k + 1) * inner), a * inner);
    vectors.push(v);
  }
  return vectors;
}
