import { cubeProcesses } from './cube';
import { libraryProcesses } from './library';
import { ProcessRegistry } from './registry';
import { vectorProcesses } from './vector';
import { stacProcesses } from './stac';
import { runUdf } from './cube/runUdf';
import { udfRuntime } from '../udf/runtime';
import type { Config } from '../config/types';

/**
 * The registry of everything this back-end can run: our library plus the raster engine's cube
 * processes, and run_udf when UDFs are enabled and the sandboxed interpreter really starts (probed once).
 */
export function createProcessRegistry(config?: Pick<Config, 'udf'>): ProcessRegistry {
  const udf = (config?.udf.enabled ?? true) && udfRuntime() !== null ? [runUdf] : [];
  return new ProcessRegistry([...libraryProcesses, ...cubeProcesses, ...vectorProcesses, ...stacProcesses, ...udf]);
}

export { ProcessRegistry };
