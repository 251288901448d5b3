/** Linear stretches of tile values onto bytes, and the data-derived stretch (2nd–98th percentile). */

export type Range = [number, number];

/** The 2nd and 98th percentile of the finite values (nearest rank); [0, 1] when there are none. */
export function percentileRange(values: Float64Array): Range {
  let n = 0;
  const finite = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) finite[n++] = v;
  }
  if (n === 0) return [0, 1];
  const sorted = finite.subarray(0, n).sort();
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(p * (n - 1))))];
  const lo = at(0.02);
  const hi = at(0.98);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** Values to 0–255 with `range` as black and white; NaN pixels are left 0 and marked in `valid`. */
export function stretchToBytes(values: Float64Array, range: Range, out: Uint8Array, valid: Uint8Array): void {
  const [lo, hi] = range;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      valid[i] = 0;
      continue;
    }
    const s = scale === 0 ? 255 : (v - lo) * scale;
    out[i] = s <= 0 ? 0 : s >= 255 ? 255 : Math.round(s);
  }
}
