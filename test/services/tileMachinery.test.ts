import { TileCache } from '../../src/services/TileCache';
import { TileQueue } from '../../src/services/TileQueue';
import { isOpenEOError } from '../../src/errors/OpenEOError';

function tile(bytes: number) {
  return { png: Buffer.alloc(bytes), etag: `"${bytes}"` };
}

describe('TileCache', () => {
  test('keeps at most its byte budget, dropping the least recently used first', () => {
    const cache = new TileCache(300);
    cache.set('a', tile(100));
    cache.set('b', tile(100));
    cache.set('c', tile(100));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', tile(100));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].every((k) => cache.get(k))).toBe(true);
    cache.set('big', tile(301));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(3);
  });
});

describe('TileQueue', () => {
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }

  test('runs at most `concurrency` tasks, then the waiting ones in order; past `maxWaiting` it answers busy', async () => {
    const queue = new TileQueue(1, 1);
    const first = gate();
    const order: string[] = [];
    const a = queue.run(new AbortController().signal, async () => {
      await first.opened;
      order.push('a');
    });
    const b = queue.run(new AbortController().signal, async () => {
      order.push('b');
    });
    const refused = await queue.run(new AbortController().signal, async () => 'c').catch((e: unknown) => e);
    expect(isOpenEOError(refused) && refused.code).toBe('InfrastructureBusy');
    expect(isOpenEOError(refused) && refused.status).toBe(503);
    expect(queue.load()).toEqual({ running: 1, waiting: 1 });
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(queue.load()).toEqual({ running: 0, waiting: 0 });
  });

  test('a waiting task whose request went away leaves the line without running', async () => {
    const queue = new TileQueue(1, 5);
    const first = gate();
    const a = queue.run(new AbortController().signal, () => first.opened);
    const leaving = new AbortController();
    let ran = false;
    const b = queue.run(leaving.signal, async () => {
      ran = true;
    });
    leaving.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    expect(queue.load()).toEqual({ running: 1, waiting: 0 });
    first.open();
    await a;
    expect(ran).toBe(false);
  });
});
