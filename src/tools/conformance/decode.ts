/**
 * Reads the value encodings of the openEO process conformance cases: no-data, datetimes,
 * labeled arrays, data cubes and `$ref`s to other files (relative to the case file).
 */
import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { LabeledArray, isPlainObject } from '../../processes/values';
import { cubeFromTestEncoding, isEncodedCube } from '../../raster/jsonEncoding';

/** Thrown when a case uses an encoding we cannot turn into a value, so it counts as unsupported. */
export class UnsupportedEncoding extends Error {}

export function readCaseFile(file: string): unknown {
  return JSON5.parse(fs.readFileSync(file, 'utf8'));
}

function resolveRef(ref: string, baseDir: string): { value: unknown; dir: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new UnsupportedEncoding(`remote reference ${ref}`);
  const file = path.resolve(baseDir, ref);
  if (!fs.existsSync(file)) throw new UnsupportedEncoding(`missing referenced file ${ref}`);
  try {
    return { value: readCaseFile(file), dir: path.dirname(file) };
  } catch (error) {
    // Only JSON and JSON5 files can be referenced (other content, e.g. a Git LFS pointer, is not a value).
    throw new UnsupportedEncoding(`referenced file ${ref} is not JSON: ${(error as Error).message}`);
  }
}

/** Replaces `$ref`s by the referenced content, everywhere in the value. */
export function inlineRefs(value: unknown, baseDir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineRefs(v, baseDir));
  if (!isPlainObject(value)) return value;
  if (typeof value.$ref === 'string' && Object.keys(value).length === 1) {
    const { value: target, dir } = resolveRef(value.$ref, baseDir);
    return inlineRefs(target, dir);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = inlineRefs(v, baseDir);
  return out;
}

/** Turns an encoded argument into the run-time value the executor works with. */
export function decodeArgument(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeArgument);
  if (!isPlainObject(value)) return value;
  if ('process_graph' in value) return value; // child processes are left to the executor
  switch (value.type) {
    case 'nodata':
      return null;
    case 'datetime':
      return value.value;
    case 'labeled-array': {
      const entries = (value.data ?? []) as Array<{ key: string | number; value: unknown }>;
      return new LabeledArray(entries.map((e) => decodeArgument(e.value)), entries.map((e) => e.key));
    }
    case 'datacube':
      if (!isEncodedCube(value)) throw new UnsupportedEncoding('malformed datacube');
      try {
        return cubeFromTestEncoding(value);
      } catch (error) {
        throw new UnsupportedEncoding(`datacube cannot be built: ${(error as Error).message}`);
      }
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = decodeArgument(v);
      return out;
    }
  }
}
