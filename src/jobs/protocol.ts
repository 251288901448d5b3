/** Messages between the process manager (parent) and a job worker (child process) over IPC. */
import type { Config } from '../config/types';
import type { User } from '../auth/UserStore';
import type { UserProcessDefinition } from '../processes/graph/types';
import type { UdfRuntime } from '../udf/runtime';
import type { LogLevel, NewLogEntry, OutputInfo, Usage } from './types';

export interface StartMessage {
  type: 'start';
  jobId: string;
  /** Who runs the job, as the server knew them when the job started. */
  user?: User;
  /** The user's stored processes the graph can reach, so the worker needs no access to the workspace. */
  userProcesses: UserProcessDefinition[];
  process: Record<string, unknown>;
  logLevel: LogLevel;
  /** The run folder; outputs are written here and published by the parent when the run succeeds. */
  workDir: string;
  config: Config;
  /** The UDF runtime the server probed (null: none works, or UDFs are off), so the worker need not probe again. */
  udfRuntime: UdfRuntime | null;
}

export type WorkerMessage =
  | { type: 'log'; entry: NewLogEntry }
  | { type: 'progress'; value: number }
  | {
      type: 'done';
      outputs: OutputInfo[];
      inputPixels: number;
      timeRange: [string | null, string | null] | null;
      usage: Usage;
    }
  | { type: 'failed'; entry: NewLogEntry; inputPixels: number; usage: Usage };
