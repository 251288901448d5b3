/**
 * The facts of one run that every layer below the process-graph executor may see: who runs,
 * where outputs go, the abort signal and the limits. It lives below raster, vector and output
 * so that those layers can take it without importing the processes layer above them.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';

/** Everything a process may need besides its arguments; immutable for one run. */
export interface ProcessContext {
  config: Config;
  catalog: Catalog;
  user?: User;
  logger: Logger;
  /** Aborted on timeout or cancellation; long loops check it between tiles. */
  signal: AbortSignal;
  /** A private temporary folder for this run (outputs are written here). */
  workDir: string;
  /** Counters the run reports (pixels read, etc.). */
  stats: { inputPixels: number };
  /** Files written by save_result during this run, in order; /result streams them, batch jobs publish them. */
  outputs: SavedOutput[];
  /**
   * Set for synchronous runs (/result): load_collection refuses to plan more cube cells
   * (width × height × dates × bands) than this, before reading anything.
   */
  syncPixelLimit?: number;
  /**
   * Internal, for map tiles: load_collection reads only this area, at about this pixel size
   * (never a user parameter).
   */
  view?: LoadView;
}

/** What a map preview shows: an area in some CRS and its size in pixels. */
export interface LoadView {
  /** [west, south, east, north] in `crs`. */
  bounds: [number, number, number, number];
  crs: string;
  width: number;
  height: number;
}

/** A file that save_result wrote into the run's workDir. */
export interface SavedOutput {
  /** Absolute path inside workDir. */
  path: string;
  /** File name offered to the client, e.g. `result.tif`. */
  filename: string;
  /** e.g. `image/tiff; application=geotiff; profile=cloud-optimized`. */
  mediaType: string;
  /** Format name as given to save_result, normalised to its registered spelling (e.g. `GTiff`). */
  format: string;
}
