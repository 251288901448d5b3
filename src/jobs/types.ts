/** Shapes shared by the job store, the process manager, the worker and the routes. */

export const JOB_STATUSES = ['created', 'queued', 'running', 'canceled', 'finished', 'error'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** openEO log levels, from least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when an entry of `level` passes a minimum of `minimum`. */
export function levelAtLeast(level: LogLevel, minimum: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(minimum);
}

export interface UsageMetric {
  value: number;
  unit: string;
}
export type Usage = Record<string, UsageMetric>;

/** One step in a log entry's `path`: the node that logged, then its parents. */
export interface LogPathStep {
  node_id: string;
  process_id?: string;
  namespace?: string | null;
  parameter?: string | null;
}

/** A log entry before it is stored (the store assigns id and time). */
export interface NewLogEntry {
  level: LogLevel;
  message: string;
  code?: string;
  path?: LogPathStep[];
  data?: unknown;
  usage?: Usage;
  /** RFC 3339; the store uses the current time when absent. */
  time?: string;
}

export interface LogEntry extends NewLogEntry {
  id: string;
  time: string;
}

/** What the worker found out about one band of a written raster. */
export interface BandInfo {
  name?: string;
  data_type?: string;
  nodata?: number | null;
  statistics?: { minimum: number; maximum: number; mean: number; stddev: number; valid_percent?: number };
}

/** Georeferencing and band facts of a raster output, read with GDAL after the run. */
export interface RasterInfo {
  /** WGS84 [west, south, east, north]. */
  bbox: [number, number, number, number];
  /** WGS84 footprint polygon (the four corners of the grid). */
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  epsg: number | null;
  wkt2?: string;
  shape: [number, number];
  transform: number[];
  bands: BandInfo[];
}

/** One file a finished job published. `file` is relative to the job's results folder. */
export interface OutputInfo {
  file: string;
  size: number;
  mediaType: string;
  format: string;
  raster?: RasterInfo;
  /** STAC `cube:dimensions` of the data cube that was saved, when it was one. */
  cubeDimensions?: Record<string, unknown>;
}

/** A job as stored. */
export interface JobRecord {
  id: string;
  userId: string;
  title: string | null;
  description: string | null;
  process: Record<string, unknown>;
  plan: string | null;
  budget: number | null;
  logLevel: LogLevel;
  status: JobStatus;
  progress: number | null;
  created: string;
  updated: string;
  startedAt: string | null;
  finishedAt: string | null;
  usage: Usage | null;
  outputs: OutputInfo[] | null;
  /** [start, end] of the data the job processed, when known. */
  timeRange: [string | null, string | null] | null;
  /** True once retention removed the result files (metadata is kept). */
  resultsExpired: boolean;
}

/** Fields a client may set on create or change with PATCH. */
export interface JobChanges {
  title?: string | null;
  description?: string | null;
  process?: Record<string, unknown>;
  plan?: string | null;
  budget?: number | null;
  logLevel?: LogLevel;
}
