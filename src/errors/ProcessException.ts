import { OpenEOError } from './OpenEOError';

/**
 * An exception a process declares in its own definition (e.g. ArrayElementNotAvailable).
 * These codes are not part of the API error table; they are client errors (HTTP 400).
 */
export class ProcessException extends OpenEOError {
  constructor(code: string, message: string) {
    super('BadRequest', {}, message);
    // The code comes from the process definition, not from the API error table.
    Object.defineProperty(this, 'code', { value: code, enumerable: true });
  }
}
