/** Shapes shared by the job store, the process manager, the worker and the routes. */
import type { LogLevel, Usage } from '../processes/runLogs';

export const JOB_STATUSES = ['created', 'queued', 'running', 'canceled', 'finished', 'error'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// The log model is shared with synchronous runs; see src/processes/runLogs.
export { LOG_LEVELS, isLogLevel, levelAtLeast } from '../processes/runLogs';
export type { LogLevel, LogEntry, LogPathStep, NewLogEntry, Usage, UsageMetric } from '../processes/runLogs';

/** What the worker found out about one band of a written raster. */
export interface BandInfo {
  name?: string;
  data_type?: string;
  /** Absent when the file declares none; `"nan"` for NaN, as the STAC raster extension writes it. */
  nodata?: number | 'nan' | null;
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
