import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { EMPTY_CATALOG } from '../../src/processes/runContext';
import type { ProcessContext } from '../../src/processes/types';

/** A run context without a work folder or collections: enough for scalar processes and in-memory cubes. */
export function runContext(signal: AbortSignal = new AbortController().signal): ProcessContext {
  return {
    config: DEFAULT_CONFIG,
    catalog: EMPTY_CATALOG,
    logger: pino({ level: 'silent' }),
    signal,
    workDir: '/nonexistent',
    stats: { inputPixels: 0 },
    outputs: [],
  };
}
