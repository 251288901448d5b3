/** inspect: writes a message about a value into the run's log and passes the value on unchanged. */
import { defineProcess } from '../define';
import { isDataCube } from '../../raster/cube/DataCube';
import { describeDimensions } from '../../raster/cube/describe';
import { PixelArray } from '../types';
import { LabeledArray } from '../values';

/** A compact, JSON-safe description of any value the executor may hold. */
function summary(data: unknown): unknown {
  if (isDataCube(data)) return { type: 'datacube', dimensions: describeDimensions(data) };
  if (data instanceof Float64Array) return { type: 'pixel values', count: data.length };
  if (data instanceof PixelArray) return { type: 'pixel arrays', labels: data.labels, pixels: data.length };
  if (data instanceof LabeledArray) return { type: 'labeled array', labels: data.labels, values: data.values.slice(0, 100) };
  if (Array.isArray(data) && data.length > 100) return { type: 'array', length: data.length, first: data.slice(0, 100) };
  return data === undefined ? null : data;
}

const LOGGER_LEVEL = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' } as const;

export const inspectProcess = defineProcess(
  'inspect',
  {
    summary: 'Log a value',
    description: 'Adds an entry with `message`, `code` and a summary of `data` to the log of the run, then returns `data` unchanged.',
    parameters: { data: 'The value to describe in the log.', message: 'The text of the log entry.', code: 'A short code to find the entry again.', level: 'Severity of the entry.' },
    returns: 'The unchanged `data`.',
  },
  ({ data, message, code, level }, ctx) => {
    const method = LOGGER_LEVEL[level as keyof typeof LOGGER_LEVEL] ?? 'info';
    ctx.logger[method]({ code, data: summary(data) }, message);
    return data;
  },
);
