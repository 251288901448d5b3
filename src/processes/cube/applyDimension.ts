import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { PixelArray } from '../types';
import { LabeledArray } from '../values';
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { MapCube } from '../../raster/cube/MapCube';
import { LabelDimension, cellsAround, windowPixels } from '../../raster/cube/model';
import { splitAlong } from '../../raster/cube/alongDimension';
import { parameterInvalid, requireCallback, requireCube } from './common';
import { fusedApplyDimension } from './fusion';
import { applyDimensionUdf, udfChild } from './runUdf';

/** The per-pixel arrays a child process returned for a tile, as one vector per array element. */
export function resultVectors(result: unknown, length: number): Float64Array[] {
  const vectors: unknown[] =
    result instanceof PixelArray ? result.vectors : result instanceof Float64Array ? [result] : Array.isArray(result) ? result : [result];
  if (vectors.length === 0) throw parameterInvalid('apply_dimension', 'process', 'the child process must return at least one value per pixel');
  return vectors.map((v) => {
    if (v instanceof Float64Array && v.length === length) return v;
    if (typeof v === 'number') return new Float64Array(length).fill(v);
    if (v === null || v === undefined) return new Float64Array(length).fill(NaN);
    if (typeof v === 'boolean') return new Float64Array(length).fill(v ? 1 : 0);
    throw parameterInvalid('apply_dimension', 'process', 'the child process must return an array of numbers for each pixel');
  });
}

/** The labels the child process gave its result, when it returned a labeled array with unique labels. */
export function resultLabels(result: unknown): Array<string | number> | undefined {
  const labels = result instanceof PixelArray && result.labeled ? result.labels : result instanceof LabeledArray ? result.labels : undefined;
  return labels && new Set(labels).size === labels.length ? labels : undefined;
}

async function runOnTile(process: Callback, context: unknown, tile: Float64Array, cube: DataCube, index: number, pixels: number) {
  const vectors = splitAlong(tile, cube, index, pixels);
  const length = tile.length / Math.max(1, cube.dims[index].labels.length);
  const result = await process.run({ data: new PixelArray(vectors, cube.dims[index].labels, length), context });
  return { vectors: resultVectors(result, length), labels: resultLabels(result) };
}

/**
 * The existing dimension `target_dimension` names, when it can take the results: the process
 * definition allows one with a single label, which the results replace (the source is dropped).
 */
function existingTarget(cube: DataCube, name: string, targetName: string): LabelDimension | undefined {
  if (targetName === name || !cube.order.includes(targetName)) return undefined;
  const existing = cube.dims.find((d) => d.name === targetName);
  if (!existing) throw parameterInvalid('apply_dimension', 'target_dimension', `'${targetName}' is a spatial dimension; name a new dimension or one with a single label`);
  if (existing.labels.length !== 1) {
    throw parameterInvalid(
      'apply_dimension',
      'target_dimension',
      `the dimension '${targetName}' has ${existing.labels.length} labels; an existing target dimension must have a single label`,
    );
  }
  return existing;
}

/** The dimension that holds the results: labels from the child process when it labeled them, else the definition's rule. */
function targetDimension(
  source: LabelDimension,
  targetName: string,
  existing: LabelDimension | undefined,
  count: number,
  labels: Array<string | number> | undefined,
): LabelDimension {
  const sameDimension = targetName === source.name;
  const sameLabels = labels ? labels.length === source.labels.length && labels.every((l, k) => l === source.labels[k]) : count === source.labels.length;
  if (sameDimension && sameLabels) return source;
  const newLabels = labels?.length === count ? labels : Array.from({ length: count }, (_, i) => i);
  const type = existing ? existing.type : sameDimension ? source.type : 'other';
  const dim: LabelDimension = { name: targetName, type, labels: newLabels };
  // Bands kept from the source keep what is known about them (common names, wavelengths).
  if (sameDimension && type === 'bands' && source.bands) dim.bands = newLabels.map((l) => source.bands![source.labels.indexOf(l)]);
  return dim;
}

export const applyDimension = defineProcess(
  'apply_dimension',
  {
    summary: 'Apply a process along a dimension',
    description:
      'Runs the child process on the values along a dimension (e.g. the time series of each pixel) and puts the returned values ' +
      'in place of them. A labeled result (e.g. from `array_append` with a label) gives the new labels; otherwise labels stay when ' +
      'the dimension keeps its name and its number of values, and become 0, 1, 2, … when not. ' +
      'With `target_dimension`, the results go into a new dimension of type other that replaces the source dimension, or into an ' +
      'existing dimension with a single label, which keeps its name and type while the source dimension is dropped. ' +
      'The child process is evaluated for whole tiles at once.',
    parameters: {
      data: 'A data cube.',
      process: 'The child process: receives the values along the dimension as `data` and returns an array.',
      dimension: 'Name of the dimension to work along (not x or y).',
      target_dimension: 'Name of a new dimension (or of an existing one with a single label) for the results; `null` keeps the source dimension.',
      context: 'Extra data handed unchanged to the child process.',
    },
    returns: 'A data cube with the computed values along the (target) dimension.',
    exceptions: { DimensionNotAvailable: 'The data cube has no dimension of that name.' },
  },
  async (args, ctx) => {
    const cube = requireCube(args.data, 'apply_dimension');
    const process = requireCallback(args.process, 'apply_dimension', 'process');
    const name = String(args.dimension);
    const context = args.context ?? null;
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index < 0) {
      if (cube.order.includes(name)) throw parameterInvalid('apply_dimension', 'dimension', 'working along x or y is not supported');
      throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
    }
    const targetName: string = args.target_dimension ?? name;
    const existing = existingTarget(cube, name, targetName);
    // A UDF as the whole child process gets whole tiles, not the values of one pixel.
    const udf = udfChild(process, 'data', context);
    if (udf) return applyDimensionUdf(cube, name, udf, ctx, targetName, existing);
    // The number of results per pixel decides the cube's shape: a compiled callback knows it,
    // otherwise learn it from one pixel of real data.
    const canProbe = !cube.isEmpty;
    const fused = canProbe ? fusedApplyDimension(cube, index, process, context) : null;
    const probeWindow = { x: 0, y: 0, width: 1, height: 1 };
    const probe = !fused && canProbe ? await runOnTile(process, context, await cube.tile(probeWindow, ctx), cube, index, 1) : null;
    const count = fused ? fused.count : (probe?.vectors.length ?? 0);
    const labels = fused ? fused.labels : probe?.labels;
    const source = cube.dims[index];
    const target = targetDimension(source, targetName, existing, count, labels && [...labels]);
    // An existing target has a single label: leaving it out of the tile layout moves no value.
    const dims = cube.dims.filter((d) => d !== existing).map((d) => (d === source ? target : d));
    const order = existing ? cube.order.filter((n) => n !== name) : cube.order.map((n) => (n === name ? targetName : n));
    const fusedCube = fused?.build({ dims, grid: cube.grid, order });
    if (fusedCube) return fusedCube;
    return new MapCube(cube, { dims, grid: cube.grid, order }, async (tile, win) => {
      const { outer } = cellsAround(cube.dims, index);
      const inner = tile.length / Math.max(1, outer * source.labels.length);
      const { vectors } = await runOnTile(process, context, tile, cube, index, windowPixels(win));
      if (vectors.length !== count) {
        throw parameterInvalid('apply_dimension', 'process', `the child process returned ${vectors.length} values per pixel here but ${count} elsewhere`);
      }
      const out = new Float64Array(outer * count * inner);
      for (let a = 0; a < outer; a++) {
        for (let j = 0; j < count; j++) out.set(vectors[j].subarray(a * inner, (a + 1) * inner), (a * count + j) * inner);
      }
      return out;
    });
  },
);
