import gdal from 'gdal-async';
import type { Config } from '../config/types';

let appliedCacheMb: number | undefined;

/**
 * Process-wide GDAL settings from the config: the block cache size (GDAL's own memory, outside
 * the JS heap) and not listing whole folders when a file is opened. Safe to call repeatedly.
 */
export function configureGdal(config: Config): void {
  if (appliedCacheMb === config.processing.gdalCacheMb) return;
  gdal.config.set('GDAL_CACHEMAX', `${config.processing.gdalCacheMb}MB`);
  gdal.config.set('GDAL_DISABLE_READDIR_ON_OPEN', 'EMPTY_DIR');
  appliedCacheMb = config.processing.gdalCacheMb;
}
