import type { Config } from '../config/types';
import { configureGdal } from '../gdal/configure';
import { configurePool, threadCount } from './fused/pool';
import { setTilesInFlight } from './tiles';

/**
 * Applies the `processing` settings to the process-wide parts of the raster engine: GDAL's
 * options, the kernel thread pool and how many tiles are computed at once. Idempotent, so
 * every process that reads rasters can call it first.
 */
export function configureEngine(config: Config): void {
  configureGdal(config);
  configurePool(config.processing.threads);
  // One tile per thread computing, one being read, one being written.
  setTilesInFlight(threadCount(config.processing.threads) + 1);
}
