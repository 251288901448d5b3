import { OpenEOError } from '../errors/OpenEOError';
import { badCursor, decodeCursor, encodeCursor } from './paging';
import { isLogLevel, JobChanges } from '../jobs/types';
import type { JobListPosition } from '../jobs/JobStore';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(body: Record<string, unknown>, key: string): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value as undefined | null;
  if (typeof value !== 'string') throw new OpenEOError('BadRequest', { reason: `'${key}' must be a string or null` });
  return value;
}

/**
 * Reads the fields of `POST /jobs` and `PATCH /jobs/{job_id}` from a request body, refusing
 * wrong types with a clear message. Unknown properties are ignored, as the API allows.
 */
export function readJobFields(body: unknown, creating: boolean): JobChanges {
  if (!isRecord(body)) throw new OpenEOError('BadRequest', { reason: 'the body must be a JSON object' });
  const changes: JobChanges = {};
  if ('title' in body) changes.title = optionalText(body, 'title');
  if ('description' in body) changes.description = optionalText(body, 'description');
  if ('plan' in body) changes.plan = optionalText(body, 'plan')?.toLowerCase() ?? null;
  if ('budget' in body) {
    const budget = body.budget;
    if (budget !== null && (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0)) {
      throw new OpenEOError('BadRequest', { reason: "'budget' must be a non-negative number or null" });
    }
    changes.budget = budget as number | null;
  }
  if ('log_level' in body && !(body.log_level === null && !creating)) {
    if (body.log_level === null) changes.logLevel = 'info';
    else if (!isLogLevel(body.log_level)) throw new OpenEOError('BadRequest', { reason: "'log_level' must be one of error, warning, info, debug" });
    else changes.logLevel = body.log_level;
  }
  if ('process' in body || creating) {
    const process = body.process;
    if (!isRecord(process) || !('process_graph' in process)) throw new OpenEOError('ProcessGraphMissing');
    if (!isRecord(process.process_graph) || Object.keys(process.process_graph).length === 0) {
      throw new OpenEOError('ProcessGraphInvalid', { reason: "'process_graph' must be an object with at least one node" });
    }
    changes.process = process;
  }
  return changes;
}

/** The paging cursor of `GET /jobs`: where the last job of the previous page sits in the list. */
export function jobCursor(position: JobListPosition): string {
  return encodeCursor([position.created, String(position.seq)]);
}

export function readJobCursor(token: string | undefined): JobListPosition | undefined {
  if (token === undefined) return undefined;
  const [created, seq] = decodeCursor(token, 2);
  if (!/^\d{1,15}$/.test(seq)) throw badCursor();
  return { created, seq: Number(seq) };
}
