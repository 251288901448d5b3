/**
 * The interpreter of each run: started on the run's first UDF call, reused for all its tiles,
 * ended when the run is aborted or after a few idle seconds (a later call starts a new one).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import { UdfSession } from './session';

const IDLE_MS = 5_000;
/** Processes and threads per interpreter: enough for Python and its libraries, too few for a fork bomb. */
const PROCESS_LIMIT = 16;
const FILE_LIMIT_MB = 256;

interface RunFacts {
  config: Config;
  logger: Logger;
  signal: AbortSignal;
}

interface Entry {
  session: UdfSession;
  idle?: NodeJS.Timeout;
}

const byRun = new WeakMap<object, Entry>();
const live = new Set<UdfSession>();
process.once('exit', () => live.forEach((s) => s.kill()));

/** The run's interpreter; `release` after each call starts its idle clock. */
export function sessionFor(run: RunFacts): { session: UdfSession; release: () => void } {
  let entry = byRun.get(run);
  if (!entry || entry.session.closed) {
    const { memoryMegabytes, cpuSeconds, timeoutSeconds } = run.config.udf;
    const session = new UdfSession({ memoryMegabytes, cpuSeconds, timeoutSeconds, processes: PROCESS_LIMIT, fileMegabytes: FILE_LIMIT_MB }, run.logger);
    live.add(session);
    const created: Entry = { session };
    entry = created;
    byRun.set(run, created);
    run.signal.addEventListener('abort', () => end(created), { once: true });
  }
  const current = entry;
  if (current.idle) clearTimeout(current.idle);
  return {
    session: current.session,
    release: () => {
      if (current.idle) clearTimeout(current.idle);
      current.idle = setTimeout(() => end(current), IDLE_MS);
      current.idle.unref();
    },
  };
}

function end(entry: Entry): void {
  if (entry.idle) clearTimeout(entry.idle);
  entry.session.kill();
  live.delete(entry.session);
}
