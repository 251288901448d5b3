/**
 * The contract between the process-graph executor (src/processes), the process
 * implementations (src/processes/library) and the raster engine (src/raster).
 */
import type { ProcessContext } from '../run/context';

export type { ProcessContext, SavedOutput } from '../run/context';
export type { Callback } from '../run/callback';

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

export interface ProcessDefinition {
  spec: ProcessSpec;
  /**
   * Runs the process on evaluated arguments (defaults already applied). Callback arguments
   * arrive as Callback objects. May receive PixelVector/PixelArray values when used inside a callback over a tile.
   */
  execute(args: Record<string, unknown>, ctx: ProcessContext): unknown | Promise<unknown>;
}
