import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDataDatabase } from '../../src/store/database';
import { JobStore } from '../../src/jobs/JobStore';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobstore-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const process = { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } } };

test('queueing checks the per-user limit in the same transaction, also across connections', () => {
  // Two connections to one database, as two servers (or a server and a tool) would have.
  const first = new JobStore(openDataDatabase(dir));
  const second = new JobStore(openDataDatabase(dir));
  const [a, b, c] = [1, 2, 3].map(() => first.create('alice', { process }).id);
  const other = first.create('bob', { process }).id;
  expect(first.enqueue(a, 2)).toEqual({ queued: true });
  expect(second.enqueue(b, 2)).toEqual({ queued: true });
  expect(first.enqueue(c, 2)).toEqual({ queued: false, reason: 'limit', active: 2 });
  expect(first.get(c)!.status).toBe('created');
  // Already queued is not a refusal, and other users are not counted.
  expect(second.enqueue(a, 2)).toEqual({ queued: false, reason: 'active' });
  expect(second.enqueue(other, 2)).toEqual({ queued: true });
  expect(first.enqueue('nonexistent', 2)).toEqual({ queued: false, reason: 'missing' });
});
