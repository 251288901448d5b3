import { randomUUID } from 'node:crypto';
import { ERROR_CODES, ErrorCode } from './codes';

export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

function fillTemplate(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = details[key];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** An error that becomes an openEO error object in an HTTP response or a job log. */
export class OpenEOError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;
  /** Set to the request id when sent over HTTP, so a report can be matched to the log. */
  id: string;
  /** Extra response headers, e.g. Allow or Retry-After. */
  headers: Record<string, string> = {};

  constructor(code: ErrorCode, details: ErrorDetails = {}, message?: string) {
    const spec = ERROR_CODES[code];
    super(message ?? fillTemplate(spec.message, details));
    this.name = 'OpenEOError';
    this.code = code;
    this.status = spec.status;
    this.details = details;
    this.id = randomUUID();
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  toJSON(): { id: string; code: string; message: string; links: never[] } {
    return { id: this.id, code: this.code, message: this.message, links: [] };
  }
}

export function isOpenEOError(value: unknown): value is OpenEOError {
  return value instanceof OpenEOError;
}
