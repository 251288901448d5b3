/** The query of the log endpoints (jobs, services): `offset` (last id seen), `limit`, `level`, and the page they get. */
import type { Response } from 'express';
import { levelAtLeast, requestedLogLevel, type LogEntry, type LogLevel } from '../processes/runLogs';
import { readLimit } from './paging';

export interface LogRequest {
  /** The effective minimum: the stricter of what the resource stores and what the request asks for. */
  level: LogLevel;
  offset: number;
  /** -1: all. */
  limit: number;
  /** The `level` asked for, for the next link; undefined when the request named none. */
  asked?: LogLevel;
}

export function readLogRequest(query: Record<string, unknown>, stored: LogLevel): LogRequest {
  const asked = requestedLogLevel(query.level);
  const offset = typeof query.offset === 'string' && /^\d{1,15}$/.test(query.offset) ? Number(query.offset) : 0;
  const limit = readLimit(query);
  return { level: levelAtLeast(asked, stored) ? asked : stored, offset, limit: limit ?? -1, ...(query.level ? { asked } : {}) };
}

/** Sends a page of log entries with a `next` link while a limited page came back full. */
export function sendLogPage(res: Response, logsUrl: string, request: LogRequest, logs: LogEntry[]): void {
  const links: Array<Record<string, string>> = [];
  if (request.limit !== -1 && logs.length === request.limit) {
    const params = new URLSearchParams({ offset: logs[logs.length - 1].id, limit: String(request.limit), ...(request.asked ? { level: request.asked } : {}) });
    links.push({ rel: 'next', href: `${logsUrl}?${params}`, type: 'application/json' });
  }
  res.json({ level: request.level, logs, links });
}

/** 201 Created for a new resource: where it is and its id. */
export function sendCreated(res: Response, url: string, id: string): void {
  res.setHeader('Location', url);
  res.setHeader('OpenEO-Identifier', id);
  res.status(201).end();
}
