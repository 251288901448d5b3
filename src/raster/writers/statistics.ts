/**
 * Running statistics of one band over all its tiles, stored in GeoTIFFs as GDAL's
 * `STATISTICS_*` metadata so viewers can stretch the image without scanning it.
 */
export class BandStatistics {
  private count = 0;
  private total = 0;
  private sum = 0;
  private sumSquares = 0;
  min = Infinity;
  max = -Infinity;

  /**
   * Adds the values of one tile; `isNodata` tells which stored values are missing. When the
   * no-data value is NaN, pass `nanOnly` so the loop tests `v !== v` inline instead of calling
   * `isNodata` for every value.
   */
  add(values: ArrayLike<number>, isNodata: (v: number) => boolean, nanOnly = false): void {
    let count = 0, sum = 0, sumSquares = 0, min = this.min, max = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (nanOnly ? v !== v : isNodata(v)) continue;
      count++;
      sum += v;
      sumSquares += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.total += values.length;
    this.count += count;
    this.sum += sum;
    this.sumSquares += sumSquares;
    this.min = min;
    this.max = max;
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
