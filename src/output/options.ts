import { OpenEOError } from '../errors/OpenEOError';

/** Validated access to save_result options against a writer's option schemas. */
export class FormatOptions {
  constructor(
    private readonly format: string,
    private readonly values: Record<string, unknown>,
    schemas: Record<string, Record<string, unknown>>,
  ) {
    for (const key of Object.keys(values)) {
      if (!(key in schemas)) throw this.invalid(`format ${format} has no option '${key}'; options: ${Object.keys(schemas).join(', ') || 'none'}`);
    }
  }

  invalid(reason: string): OpenEOError {
    return new OpenEOError('ProcessParameterInvalid', { process: 'save_result', parameter: 'options', reason });
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  enumValue<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.values[key];
    if (v === undefined || v === null) return fallback;
    const match = typeof v === 'string' ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
    if (!match) throw this.invalid(`option '${key}' must be one of ${allowed.join(', ')}`);
    return match;
  }

  number(key: string, fallback: number): number {
    const v = this.values[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || Number.isNaN(v)) throw this.invalid(`option '${key}' must be a number`);
    return v;
  }

  /** For options where an explicit null means something of its own: undefined when absent. */
  numberOrNull(key: string): number | null | undefined {
    const v = this.values[key];
    if (v === undefined || v === null) return v;
    return this.number(key, NaN);
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const v = this.number(key, fallback);
    if (!Number.isInteger(v) || v < min || v > max) throw this.invalid(`option '${key}' must be a whole number from ${min} to ${max}`);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.values[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw this.invalid(`option '${key}' must be true or false`);
    return v;
  }

  raw(key: string): unknown {
    return this.values[key];
  }
}
