/**
 * The contract between the process-graph executor (src/processes), the process
 * implementations (src/processes/library) and the raster engine (src/raster).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';

export type JsonSchema = Record<string, unknown>;

/** A parameter as `GET /processes` lists it (names, schemas, defaults exactly as openEO processes 2.0). */
export interface ParameterSpec {
  name: string;
  description: string;
  schema: JsonSchema | JsonSchema[];
  optional?: boolean;
  default?: unknown;
  deprecated?: boolean;
  experimental?: boolean;
}

/** Process metadata as served by `GET /processes`. Descriptions are our own words. */
export interface ProcessSpec {
  id: string;
  summary: string;
  description: string;
  categories: string[];
  parameters: ParameterSpec[];
  returns: { description: string; schema: JsonSchema | JsonSchema[] };
  exceptions?: Record<string, { message: string; http?: number }>;
  experimental?: boolean;
  deprecated?: boolean;
  links?: Array<{ href: string; rel: string; title?: string; type?: string }>;
}

/**
 * A child process graph (e.g. the reducer of reduce_dimension) ready to run.
 * Parameter values may be plain JSON values, arrays, or the per-pixel types below;
 * processes inside a callback then work on whole tiles at once.
 */
export interface Callback {
  /** Names of the parameters the callback reads (from_parameter), for validation and planning. */
  readonly parameterNames: ReadonlySet<string>;
  run(parameters: Record<string, unknown>): Promise<unknown>;
}

/**
 * Values of one band/date for every pixel of a tile (or any flat list of cube cells).
 * NaN marks no-data. Booleans are stored as 1 and 0.
 */
export type PixelVector = Float64Array;

/**
 * The values along one cube dimension for every pixel: `vectors[k][i]` is the value with
 * label `labels[k]` at pixel `i`. This is what a reducer's `data` parameter receives over
 * a tile (e.g. all dates of every pixel at once).
 */
export class PixelArray {
  constructor(
    readonly vectors: PixelVector[],
    readonly labels: Array<string | number>,
    /** Number of pixels in each vector. */
    readonly length: number,
    /** False for an array built without labels (e.g. joined with a plain array): `labels` are then just 0, 1, 2, …. */
    readonly labeled: boolean = true,
  ) {}
}

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

export interface ProcessDefinition {
  spec: ProcessSpec;
  /**
   * Runs the process on evaluated arguments (defaults already applied). Callback arguments
   * arrive as Callback objects. May receive PixelVector/PixelArray values when used inside a callback over a tile.
   */
  execute(args: Record<string, unknown>, ctx: ProcessContext): unknown | Promise<unknown>;
}
