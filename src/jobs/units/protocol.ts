/**
 * A batch job runs as one or more units. A graph that ends in one GTiff result is planned first
 * (`plan`), then computed as horizontal blocks of the output grid (`block`), possibly on many
 * workers at once, and a last unit joins them into the final file (`assemble`). Any other graph
 * runs as one unit (`whole`). A graph that saves the zonal statistics of aggregate_spatial is
 * planned too, then its geometries are aggregated in groups (`zones`) and a last unit joins the
 * groups' values and writes the file (`join`). These are the messages about units that travel between the API
 * server, the executors (child processes here, BullMQ workers elsewhere) and the unit runner.
 * Everything is plain JSON.
 */
import type { Config } from '../../config/types';
import type { User } from '../../auth/UserStore';
import type { UserProcessDefinition } from '../../processes/graph/types';
import type { UdfRuntime } from '../../udf/runtime';
import type { GTiffLayout, GTiffPart } from '../../output/gtiffParts';
import type { LogLevel, NewLogEntry, OutputInfo, Usage } from '../types';

/** Rows [y, y + height) of the output grid. */
export interface BlockRows {
  index: number;
  y: number;
  height: number;
}

export type UnitSpec =
  | { kind: 'whole' }
  | { kind: 'plan' }
  /** `nodata`: the value to store for missing pixels when the first attempt's value was taken by data. */
  | { kind: 'block'; rows: BlockRows; tileSize: number; nodata?: number }
  | {
      kind: 'assemble';
      layout: GTiffLayout;
      parts: GTiffPart[];
      tileSize: number;
      /** save_result's GTiff options, as the blocks evaluated them. */
      options: Record<string, unknown>;
      /** STAC `cube:dimensions` of the saved cube. */
      cubeDimensions: Record<string, unknown>;
      /** Whether the blocks were already computed again for the no-data value (no second retry). */
      retried: boolean;
    }
  /** aggregate_spatial's results for the geometries `geometries` (indices into its geometry list). */
  | { kind: 'zones'; index: number; geometries: number[]; tileSize: number }
  /** Joins the groups' values (`parts[i]` holds those of `groups[i]`) and saves the result. */
  | { kind: 'join'; groups: number[][]; parts: string[]; tileSize: number };

/** One attempt at one unit, as an executor receives it. */
export interface UnitTask {
  jobId: string;
  /** This run of the job (a job can be run again after it ended); cancelling is per run. */
  runId: string;
  /** `whole`, `plan`, `block-<n>`, `assemble`, `zones-<n>` or `join`. */
  unitId: string;
  spec: UnitSpec;
  /**
   * The job's run folder relative to the data directory (`jobs/<id>/.run-…`), which every worker
   * sees under its own data directory (a shared file system).
   */
  runDir: string;
  user?: User;
  /** The user's stored processes the graph can reach, so no worker needs the workspace. */
  userProcesses: UserProcessDefinition[];
  process: Record<string, unknown>;
  logLevel: LogLevel;
}

/** What a finished unit hands back. Paths are relative to the data directory. */
export type UnitResult =
  /** Files to publish: everything in `dir` (a folder inside the run folder). */
  | { kind: 'outputs'; dir: string; outputs: OutputInfo[]; timeRange: [string | null, string | null] | null }
  | { kind: 'planned'; blocks: BlockRows[]; tileSize: number }
  /** The plan found the graph cannot be split after all: run it whole. */
  | { kind: 'unsplittable' }
  | { kind: 'block'; layout: GTiffLayout; part: GTiffPart; options: Record<string, unknown>; cubeDimensions: Record<string, unknown> }
  /** The zonal statistics are computed by these groups of geometries, each a unit. */
  | { kind: 'plannedZones'; groups: number[][]; tileSize: number }
  /** A group's values: `file` holds them as little-endian float64, geometry after geometry. */
  | { kind: 'zones'; file: string }
  /** Valid data uses the stored no-data value: compute the blocks again storing `value`. */
  | { kind: 'retryNodata'; value: number };

/**
 * Reports of one attempt, in order. `token` is the attempt's fencing token: a number that grows
 * with every attempt at the same unit, so the server can refuse the results of an attempt that
 * was given up on (a worker that was paused or cut off while its unit ran again elsewhere).
 */
export type UnitReport =
  | { type: 'started'; host: string }
  | { type: 'log'; entry: NewLogEntry }
  /** 0–100 within the unit. */
  | { type: 'progress'; value: number }
  | { type: 'done'; result: UnitResult; inputPixels: number; usage: Usage }
  | { type: 'failed'; entry: NewLogEntry; inputPixels: number; usage: Usage };

export interface ReportEnvelope {
  jobId: string;
  runId: string;
  unitId: string;
  token: number;
  report: UnitReport;
}

/** The first message a unit's child process receives (over IPC). */
export interface UnitStart {
  type: 'start';
  task: UnitTask;
  /** The settings of the host that runs the unit (its data directory, limits, threads). */
  config: Config;
  /** The UDF runtime the host probed (null: none works, or UDFs are off), so the child need not probe again. */
  udfRuntime: UdfRuntime | null;
  /**
   * A database file on this host for the catalogue's description caches. Absent: the data
   * directory's own database (the API server's host). Workers on other hosts keep their own,
   * so nothing but the API server writes the shared database, and SQLite never runs over NFS.
   */
  catalogCache?: string;
}

/** Messages from a unit's child process to its host. */
export type UnitChildMessage = Exclude<UnitReport, { type: 'started' }>;

/**
 * Runs units somewhere: in child processes of the API server (`local`) or on BullMQ workers
 * (`bullmq`). Reports of every attempt go to the handler the executor was made with.
 */
export interface UnitExecutor {
  /** Starts taking work (and, for a queue, re-attaches to reports of work already running). */
  start(): Promise<void>;
  /** Queues one unit; the executor gives the attempt its fencing token. */
  submit(task: UnitTask): Promise<void>;
  /** Stops every queued and running unit of this run of the job, wherever it runs, within about a second. */
  cancel(jobId: string, runId: string): Promise<void>;
  /** Stops taking work; running units of this process are killed. */
  stop(): Promise<void>;
}

export type ReportHandler = (envelope: ReportEnvelope) => void;
