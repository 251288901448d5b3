/**
 * Running statistics of one band over all its tiles, stored in GeoTIFFs as GDAL's
 * `STATISTICS_*` metadata so viewers can stretch the image without scanning it.
 */
export class BandStatistics {
  private count = 0;
  private total = 0;
  private sum = 0;
  private sumSquares = 0;
  /** Pixels that were NaN in the cube (stored as the no-data value, or as NaN). */
  missing = 0;
  /** Valid pixels whose stored value equals the no-data value (readers would take them for missing). */
  holdingNodata = 0;
  min = Infinity;
  max = -Infinity;

  /**
   * Adds the values of one tile: `stored` as written, `source` the cube's values they came from
   * (the same array when no conversion was needed). A pixel is valid when its source is not NaN;
   * with `excludeNodata` (the no-data value will be declared whatever the data) stored values
   * equal to `nodata` are left out too, as every reader will leave them out.
   */
  add(stored: ArrayLike<number>, source: ArrayLike<number>, nodata: number, excludeNodata: boolean): TileTally {
    const tally = tallyTile(stored, source, nodata, excludeNodata);
    this.addTally(tally);
    return tally;
  }

  /**
   * Adds one tile's tally. Tallies of a job's blocks, added in the order of their tiles, give the
   * very same sums as one pass over the whole image, so split and unsplit results are identical.
   */
  addTally(t: TileTally): void {
    this.total += t.total;
    this.count += t.count;
    this.missing += t.missing;
    this.holdingNodata += t.holding;
    this.sum += t.sum;
    this.sumSquares += t.sumSquares;
    if (t.min !== null && t.min < this.min) this.min = t.min;
    if (t.max !== null && t.max > this.max) this.max = t.max;
  }

  get validCount(): number {
    return this.count;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }

  /** Population standard deviation, as GDAL computes it. */
  get stdDev(): number {
    if (!this.count) return NaN;
    const m = this.mean;
    return Math.sqrt(Math.max(0, this.sumSquares / this.count - m * m));
  }

  /** GDAL metadata items; empty when the band has no valid value (GDAL writes none then either). */
  metadata(): Record<string, string> {
    if (!this.count) return {};
    return {
      STATISTICS_MINIMUM: String(this.min),
      STATISTICS_MAXIMUM: String(this.max),
      STATISTICS_MEAN: String(this.mean),
      STATISTICS_STDDEV: String(this.stdDev),
      STATISTICS_VALID_PERCENT: String((100 * this.count) / this.total),
    };
  }
}

/** What one tile adds to a band's statistics; plain JSON (no NaN or infinities) so it can travel between hosts. */
export interface TileTally {
  total: number;
  count: number;
  missing: number;
  holding: number;
  sum: number;
  sumSquares: number;
  /** null when the tile has no valid value. */
  min: number | null;
  max: number | null;
}

function tallyTile(stored: ArrayLike<number>, source: ArrayLike<number>, nodata: number, excludeNodata: boolean): TileTally {
  let count = 0, missing = 0, holding = 0, sum = 0, sumSquares = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const s = source[i];
    if (s !== s) {
      missing++;
      continue;
    }
    const v = stored[i];
    if (v === nodata) {
      holding++;
      if (excludeNodata) continue;
    }
    count++;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { total: stored.length, count, missing, holding, sum, sumSquares, min: count ? min : null, max: count ? max : null };
}
