/**
 * Entry point of a unit's child process: runs one unit of a batch job (see units/protocol.ts)
 * and reports log entries, progress and the outcome to its host over IPC, then exits. Running
 * in its own process keeps the host responsive and lets a cancel kill the computation outright.
 */
import '../threadpool';
import { UnitRunner } from './units/runUnit';
import { failureEntry } from './units/runFacts';
import type { UnitChildMessage, UnitStart } from './units/protocol';

function send(message: UnitChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

// The host went away: nobody can take our results, so stop at once.
process.on('disconnect', () => process.exit(70));
process.once('message', (message: UnitStart) => {
  if (message?.type !== 'start') process.exit(64);
  Promise.resolve()
    .then(() => new UnitRunner(message, send).run())
    .catch(async (error) => {
      await send({ type: 'failed', entry: failureEntry(error, [], undefined), inputPixels: 0, usage: {} });
    })
    .finally(() => {
      // Give pending IPC messages a moment, then exit even if timers (catalog rescans) are running.
      setTimeout(() => process.exit(0), 50);
    });
});
