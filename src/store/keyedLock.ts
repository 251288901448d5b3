/**
 * Runs tasks one after another per key, and tasks of different keys side by side. Used where
 * a few quick file-system steps must not interleave with those of another request (creating
 * folders for an upload while a delete removes the folders it emptied).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last task of a key removes its entry, so the map only holds keys in use.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
