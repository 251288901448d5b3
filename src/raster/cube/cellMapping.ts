import type { LabelDimension } from './model';

/** Row-major strides of a list of dimension sizes. */
function strides(sizes: number[]): number[] {
  const out = new Array<number>(sizes.length).fill(1);
  for (let i = sizes.length - 2; i >= 0; i--) out[i] = out[i + 1] * sizes[i + 1];
  return out;
}

/**
 * For every non-spatial cell of a cube with dimensions `target` (tile-layout order), the index
 * of the cell with the same labels in a cube with dimensions `source`, or -1 when `source`
 * lacks one of those labels. Dimensions missing from `source` match every label (broadcast).
 */
export function mapCells(target: LabelDimension[], source: LabelDimension[]): Int32Array {
  const sizes = target.map((d) => d.labels.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const sourceStrides = strides(source.map((d) => d.labels.length));
  // Per target dimension and label: the offset contributed in the source, or -1.
  const offsets = target.map((dim) => {
    const k = source.findIndex((s) => s.name === dim.name);
    if (k < 0) return dim.labels.map(() => 0);
    const keyed = new Map(source[k].labels.map((l, i) => [String(l), i]));
    return dim.labels.map((l) => {
      const at = keyed.get(String(l));
      return at === undefined ? -1 : at * sourceStrides[k];
    });
  });
  const out = new Int32Array(total);
  const counter = new Array<number>(sizes.length).fill(0);
  for (let c = 0; c < total; c++) {
    let index = 0;
    for (let d = 0; d < sizes.length && index >= 0; d++) {
      const o = offsets[d][counter[d]];
      index = o < 0 ? -1 : index + o;
    }
    out[c] = index;
    for (let d = sizes.length - 1; d >= 0; d--) {
      if (++counter[d] < sizes[d]) break;
      counter[d] = 0;
    }
  }
  return out;
}

/** Whether two grids are the same pixels (same CRS, transform and size). */
export function sameGrid(
  a: { crs: string; transform: number[]; width: number; height: number } | null,
  b: { crs: string; transform: number[]; width: number; height: number } | null,
): boolean {
  if (a === null || b === null) return a === b;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  return a.width === b.width && a.height === b.height && a.transform.every((v, i) => close(v, b.transform[i])) && (a.crs === b.crs || !a.crs || !b.crs);
}
