/** What a unit run reports besides its files: usage, the failure entry, the requested time range. */
import fs from 'node:fs';
import path from 'node:path';
import { isOpenEOError } from '../../errors/OpenEOError';
import { storageFailureKind } from '../../store/storageErrors';
import type { ProcessContext } from '../../run/context';
import { readRasterInfo } from '../rasterInfo';
import { failurePath } from '../failurePath';
import type { NewLogEntry, OutputInfo, Usage } from '../types';

export function usageNow(started: number): Usage {
  const r = process.resourceUsage();
  return {
    duration: { value: round((Date.now() - started) / 1000), unit: 'seconds' },
    cpu: { value: round((r.userCPUTime + r.systemCPUTime) / 1e6), unit: 'cpu-seconds' },
    peak_memory: { value: round(r.maxRSS / 1024), unit: 'mb' },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The time range the graph asks load_collection for, when it is written literally. */
export function requestedTimeRange(graph: unknown): [string | null, string | null] | null {
  if (!graph || typeof graph !== 'object') return null;
  for (const node of Object.values(graph as Record<string, { process_id?: string; arguments?: Record<string, unknown> }>)) {
    const extent = node?.process_id === 'load_collection' ? node.arguments?.temporal_extent : undefined;
    if (Array.isArray(extent) && extent.length === 2 && extent.every((v) => v === null || typeof v === 'string')) {
      return [extent[0] as string | null, extent[1] as string | null];
    }
  }
  return null;
}

/** The log entry a failure becomes: openEO code, readable message, and the node path where known. */
export function failureEntry(error: unknown, failedChain: string[], graph: unknown): NewLogEntry {
  const path = failurePath(graph, failedChain);
  const where = path.length > 0
    ? ` (in process '${path[0].process_id}', node '${path[0].node_id}'${path.length > 1 ? ` inside ${path.slice(1).map((s) => `'${s.node_id}'`).join(' in ')}` : ''})`
    : failedChain.length > 0 ? ` (in process '${failedChain[0]}')` : '';
  let code = 'Internal';
  let message = error instanceof Error ? error.message : String(error);
  const storage = isOpenEOError(error) ? undefined : storageFailureKind(error);
  if (isOpenEOError(error)) code = error.code;
  else if (storage) {
    code = 'StorageFailure';
    message = `Writing results failed: ${storage === 'full' ? 'the disk is full' : message}`;
  }
  return { level: 'error', code, message: `${message}${where}`, ...(path.length > 0 ? { path } : {}) };
}

/** Metadata of every output; a file outside the output folder is refused. */
export async function describeOutputs(ctx: Pick<ProcessContext, 'workDir' | 'outputs'>): Promise<OutputInfo[]> {
  const base = fs.realpathSync(ctx.workDir);
  const described: OutputInfo[] = [];
  for (const output of ctx.outputs) {
    const real = fs.realpathSync(output.path);
    if (!real.startsWith(base + path.sep)) throw new Error(`output ${output.filename} was written outside the job folder`);
    const file = path.relative(base, real).split(path.sep).join('/');
    const size = fs.statSync(real).size;
    const raster = await readRasterInfo(real);
    described.push({ file, size, mediaType: output.mediaType, format: output.format, ...(raster ? { raster } : {}) });
  }
  return described;
}
