/** Samples the resident set size every `intervalMs` and keeps the largest value since the last reset. */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 50) {}

  start(): void {
    this.reset();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  reset(): void {
    this.peak = process.memoryUsage().rss;
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }

  /** Peak since the last reset, in bytes (takes one more sample first). */
  peakBytes(): number {
    this.sample();
    return this.peak;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
