/**
 * One computation several tiles wait for (the data-derived stretch of a service): it keeps going
 * while any of them still waits, and stops only when every one has given up.
 */
export class SharedWork<T> {
  private waiting = 0;
  private readonly controller = new AbortController();
  private readonly result: Promise<T>;

  constructor(
    work: (signal: AbortSignal) => Promise<T>,
    /** Called when the last waiter left before the end: the work is abandoned and must not be reused. */
    private readonly abandoned: () => void,
  ) {
    this.result = work(this.controller.signal);
    // Waiters see the failure; this only keeps an unawaited rejection quiet.
    this.result.catch(() => undefined);
  }

  get usable(): boolean {
    return !this.controller.signal.aborted;
  }

  /** The result, or the rejection of `signal` when this waiter gives up first. */
  join(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        reject(signal.reason);
        if (--this.waiting === 0) {
          this.controller.abort(signal.reason);
          this.abandoned();
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      this.result.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          this.waiting--;
          resolve(value);
        },
        (error) => {
          signal.removeEventListener('abort', leave);
          this.waiting--;
          reject(error);
        },
      );
    });
  }
}
