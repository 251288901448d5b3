import fs from 'node:fs/promises';
import path from 'node:path';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { isDataCube } from '../raster/cube/DataCube';
import { cubeToTestEncoding } from '../raster/jsonEncoding';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';

/** Cubes larger than this are refused: JSON is for small results, rasters belong in GTiff. */
const MAX_JSON_CELLS = 5_000_000;

/** Plain JSON for a value: NaN and infinities become null, typed arrays become arrays. */
function jsonReady(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, jsonReady);
  if (Array.isArray(value)) return value.map(jsonReady);
  if (value && typeof value === 'object') {
    const maybeLabeled = value as { values?: unknown; labels?: unknown };
    if (Array.isArray(maybeLabeled.values) && Array.isArray(maybeLabeled.labels) && Object.getPrototypeOf(value) !== Object.prototype) {
      return maybeLabeled.values.map(jsonReady);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonReady(v);
    return out;
  }
  return value;
}

/**
 * JSON for non-raster results (numbers, arrays, objects) and small cubes; cubes are written
 * as `{type: 'datacube', order, dimensions, data}` with null for no-data.
 */
export const jsonWriter: OutputWriter = {
  info: {
    name: 'JSON',
    title: 'JSON',
    description: 'Non-raster results as JSON; small data cubes as nested arrays with their dimension labels.',
    gis_data_types: ['other', 'raster', 'vector'],
    parameters: {},
  },

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    new FormatOptions('JSON', rawOptions, {});
    let document: unknown;
    if (isDataCube(data)) {
      if (data.size > MAX_JSON_CELLS) {
        throw new ProcessException('FormatUnsuitable', `The data cube has ${data.size} values; JSON output is limited to ${MAX_JSON_CELLS}.`);
      }
      const { nodata: _nodata, ...encoded } = await cubeToTestEncoding(data, ctx);
      document = jsonReady(encoded);
    } else {
      document = jsonReady(data === undefined ? null : data);
    }
    const filename = `${basename}.json`;
    const target = path.join(ctx.workDir, filename);
    await fs.writeFile(target, JSON.stringify(document));
    return { path: target, filename, mediaType: 'application/json', format: 'JSON' };
  },
};
