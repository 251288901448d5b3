import { OpenEOError } from '../errors/OpenEOError';

interface Waiting {
  start: () => void;
  signal: AbortSignal;
}

/**
 * At most `concurrency` tile computations at once, server-wide; more wait in line, up to
 * `maxWaiting`, beyond which the server answers busy. A request that goes away while waiting
 * leaves the line (a panned map abandons many tiles at once).
 */
export class TileQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs `task` when a slot is free; the slot is held until the task settles, even after an abort. */
  async run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    await this.slot(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.next();
    }
  }

  private slot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(
        new OpenEOError('InfrastructureBusy', {}, 'The server is computing as many map tiles as it can; please try again in a moment.').withHeader('Retry-After', '1'),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        signal,
        start: () => {
          signal.removeEventListener('abort', leave);
          this.running++;
          resolve();
        },
      };
      const leave = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) this.waiting.shift()!.start();
  }

  /** Tiles computing and waiting now (for monitoring and tests). */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
