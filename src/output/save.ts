/** save_result and the default output: writes a value in a format through its writer and records the file in the run. */
import { OpenEOError } from '../errors/OpenEOError';
import type { ProcessContext, SavedOutput } from '../run/context';
import { isDataCube } from '../raster/cube/DataCube';
import { findWriter } from './writers';

/** `result`, then `result-2`, … so several save_result calls in one run don't overwrite each other. */
function nextBasename(ctx: ProcessContext): string {
  return ctx.outputs.length === 0 ? 'result' : `result-${ctx.outputs.length + 1}`;
}

/**
 * Writes `data` in `format` into ctx.workDir and records it in ctx.outputs (what save_result does).
 * Unknown formats are a ProcessParameterInvalid error naming the available ones.
 */
export async function saveOutput(data: unknown, format: string, options: Record<string, unknown>, ctx: ProcessContext): Promise<SavedOutput> {
  const writer = findWriter(format);
  if (!writer) {
    throw new OpenEOError('ProcessParameterInvalid', {
      process: 'save_result',
      parameter: 'format',
      reason: `'${format}' is not an output format of this back-end (see GET /file_formats)`,
    });
  }
  const saved = await writer.write(data, options ?? {}, nextBasename(ctx), ctx);
  ctx.outputs.push(saved);
  return saved;
}

/**
 * For a run whose result was never saved (no save_result): raster cubes become a GTiff,
 * anything else JSON. Called by the /result orchestration.
 */
export function writeDefaultOutput(value: unknown, ctx: ProcessContext): Promise<SavedOutput> {
  const format = isDataCube(value) && value.grid ? 'GTiff' : 'JSON';
  return saveOutput(value, format, {}, ctx);
}
