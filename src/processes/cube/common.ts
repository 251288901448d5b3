import { OpenEOError } from '../../errors/OpenEOError';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube, isDataCube } from '../../raster/cube/DataCube';
import type { Callback } from '../types';

export function requireCube(value: unknown, process: string, parameter = 'data'): DataCube {
  if (!isDataCube(value)) {
    throw new OpenEOError('ProcessParameterInvalid', { process, parameter, reason: 'expected a data cube' });
  }
  return value;
}

export function requireCallback(value: unknown, process: string, parameter: string): Callback {
  if (!value || typeof (value as Callback).run !== 'function') {
    throw new OpenEOError('ProcessParameterInvalid', { process, parameter, reason: 'expected a child process graph' });
  }
  return value as Callback;
}

export function parameterInvalid(process: string, parameter: string, reason: string): OpenEOError {
  return new OpenEOError('ProcessParameterInvalid', { process, parameter, reason });
}

/**
 * Turns what a child process returned for a tile into a vector of `length` values:
 * vectors are taken as they are, single values are repeated, no-data becomes NaN.
 */
export function toTileVector(result: unknown, length: number, process: string, parameter: string): Float64Array {
  if (result instanceof Float64Array) {
    if (result.length !== length) throw parameterInvalid(process, parameter, `the child process returned ${result.length} values for ${length} pixels`);
    return result;
  }
  const fill = (v: number) => new Float64Array(length).fill(v);
  if (result === null || result === undefined) return fill(NaN);
  if (typeof result === 'number') return fill(result);
  if (typeof result === 'boolean') return fill(result ? 1 : 0);
  throw parameterInvalid(process, parameter, 'the child process must return a number, a boolean or null for each pixel');
}

/** Whether the cube has a dimension of this name (x and y included). */
export function hasDimension(cube: DataCube, name: string): boolean {
  return cube.order.includes(name);
}

export function dimensionNotAvailable(name: string): ProcessException {
  return new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
}
