import { OpenEOError } from '../errors/OpenEOError';
import type { DataCube } from './cube/DataCube';

/**
 * Refuses synchronous work above the configured pixel budget before anything is read.
 * `pixels` is the planned number of cube cells (width × height × dates × bands).
 */
export function assertPixelBudget(pixels: number, limit: number, what: string): void {
  if (pixels > limit) {
    throw new OpenEOError('ProcessGraphComplexity', {
      reason: `${what} has ${pixels.toLocaleString('en')} pixels, more than the ${limit.toLocaleString('en')} allowed`,
    });
  }
}

/** For the /result orchestration: checks a planned result cube against `limits.syncMaxPixels`. */
export function assertSyncPixelLimit(cube: DataCube, limit: number): void {
  assertPixelBudget(cube.size, limit, 'the result');
}
