/**
 * run_udf: Python UDFs in the sandbox of src/udf. On its own it runs per tile of a raster cube;
 * as the whole child process of apply, apply_dimension or reduce_dimension (a single run_udf on
 * the child's data) the calling process hands it whole tiles instead of pixels, and checks what
 * comes back against the shape the calling process allows.
 */
import { defineProcess } from '../define';
import type { Callback, ProcessContext } from '../types';
import { DataCube, isDataCube } from '../../raster/cube/DataCube';
import { LabelDimension, defaultOrder } from '../../raster/cube/model';
import { GraphCallback } from '../graph/evaluate';
import { nodeById, parameterReference } from '../graph/types';
import { UdfCube, UdfCubeRules } from '../../udf/UdfCube';
import { checkUdfRequest } from '../../udf/runtime';
import { udfOnVectorCube } from '../../udf/vectorCube';
import { isVectorCube } from '../../vector/cube';
import { describeDimensions, sameDimensions } from '../../udf/tiles';
import { parameterInvalid, requireCube } from './common';

interface UdfCall {
  udf: string;
  runtime: unknown;
  version: unknown;
  context: unknown;
}

function udfCode(call: UdfCall): string {
  if (typeof call.udf !== 'string' || call.udf.trim() === '') throw parameterInvalid('run_udf', 'udf', 'the UDF must be given as Python source code');
  if (/^https?:\/\/\S+$/.test(call.udf.trim())) throw parameterInvalid('run_udf', 'udf', 'UDFs given by URL are not fetched here; send the source code');
  checkUdfRequest(call.runtime, call.version, call.udf);
  return call.udf;
}

function runOnCube(cube: DataCube, call: UdfCall, ctx: ProcessContext, rules: UdfCubeRules): Promise<DataCube> {
  const code = udfCode(call);
  return UdfCube.create(cube, ctx, { code, context: call.context ?? {} }, rules, ctx);
}

/** The child process when it is exactly `run_udf` on the callback's `dataParameter`: its arguments, resolved. */
export function udfChild(callback: Callback, dataParameter: string, processContext: unknown): UdfCall | null {
  if (!(callback instanceof GraphCallback)) return null;
  const source = callback.source();
  const ids = Object.keys(source.graph);
  if (ids.length !== 1) return null;
  const node = nodeById(source.graph, ids[0])!;
  if (node.process_id !== 'run_udf' || (node.namespace ?? null) !== null || source.isUserProcess('run_udf')) return null;
  if (parameterReference(node.arguments.data) !== dataParameter) return null;
  const unresolved = Symbol('unresolved');
  const resolve = (value: unknown): unknown => {
    const name = parameterReference(value);
    if (name === undefined) return value;
    if (name === 'context') return processContext;
    const outer = source.outerParameter(name);
    return outer ? outer.value : unresolved;
  };
  const args = { udf: resolve(node.arguments.udf), runtime: resolve(node.arguments.runtime), version: resolve(node.arguments.version ?? null), context: resolve(node.arguments.context ?? {}) };
  if (Object.values(args).includes(unresolved)) return null;
  return args as UdfCall;
}

const spatial = (cube: DataCube) => [cube.grid!.yName, cube.grid!.xName];

/** apply: the UDF gets whole tiles and must return them with the same dimensions and labels. */
export function applyUdf(cube: DataCube, call: UdfCall, ctx: ProcessContext): Promise<DataCube> {
  return runOnCube(cube, call, ctx, {
    expectedNames: [...cube.dims.map((d) => d.name), ...spatial(cube)],
    check: (dims) => (sameDimensions(dims, cube.dims) ? null : `apply needs the dimensions and labels it gave the UDF: ${describeDimensions(cube.dims)}`),
    order: () => cube.order,
  });
}

/**
 * apply_dimension with a target dimension: the UDF returns its results along the source dimension
 * (or already along the target's name) with the other dimensions unchanged; that dimension becomes
 * the target, of type other when new, while an existing target (single label) is left out and
 * takes its place, as without a UDF.
 */
function applyToTargetUdf(cube: DataCube, name: string, targetName: string, existing: LabelDimension | undefined, call: UdfCall, ctx: ProcessContext): Promise<DataCube> {
  const kept = cube.dims.filter((d) => d !== existing);
  const at = kept.findIndex((d) => d.name === name);
  const others = (dims: LabelDimension[]) => dims.filter((_, i) => i !== at);
  return runOnCube(cube, call, ctx, {
    expectedNames: [...kept.map((d) => d.name), ...spatial(cube)],
    check: (dims) => {
      const names = kept.map((d, i) => (i === at ? `${name} (or ${targetName})` : d.name)).join(', ');
      if (dims.length !== kept.length || !dims.every((d, i) => (i === at ? d.name === name || d.name === targetName : d.name === kept[i].name))) {
        return `apply_dimension into '${targetName}' needs the dimensions in their order: ${names}`;
      }
      return sameDimensions(others(dims), others(kept)) ? null : `apply_dimension over '${name}' may change only its labels, not those of ${describeDimensions(others(kept))}`;
    },
    dimensions: (dims) => dims.map((d, i) => (i === at ? { name: targetName, type: existing ? existing.type : 'other', labels: d.labels } : d)),
    order: () => (existing ? cube.order.filter((n) => n !== name) : cube.order.map((n) => (n === name ? targetName : n))),
  });
}

/** apply_dimension: only the labels of `name` may change (they go into `targetName` when that differs). */
export function applyDimensionUdf(
  cube: DataCube,
  name: string,
  call: UdfCall,
  ctx: ProcessContext,
  targetName = name,
  existing?: LabelDimension,
): Promise<DataCube> {
  if (targetName !== name) return applyToTargetUdf(cube, name, targetName, existing, call, ctx);
  const others = (dims: LabelDimension[]) => dims.filter((d) => d.name !== name);
  return runOnCube(cube, call, ctx, {
    expectedNames: [...cube.dims.map((d) => d.name), ...spatial(cube)],
    check: (dims) => {
      if (!dims.some((d) => d.name === name)) return `apply_dimension over '${name}' needs that dimension in the result`;
      if (dims.length !== cube.dims.length || !dims.every((d, i) => d.name === cube.dims[i].name)) return `apply_dimension needs the dimensions in their order: ${cube.dims.map((d) => d.name).join(', ')}`;
      return sameDimensions(others(dims), others(cube.dims)) ? null : `apply_dimension over '${name}' may change only its labels, not those of ${describeDimensions(others(cube.dims))}`;
    },
    order: () => cube.order,
  });
}

/** reduce_dimension: the result lacks `name` and keeps everything else. */
export function reduceDimensionUdf(cube: DataCube, name: string, call: UdfCall, ctx: ProcessContext): Promise<DataCube> {
  const rest = cube.dims.filter((d) => d.name !== name);
  return runOnCube(cube, call, ctx, {
    expectedNames: [...rest.map((d) => d.name), ...spatial(cube)],
    check: (dims) => (sameDimensions(dims, rest) ? null : `reduce_dimension over '${name}' needs the dimensions ${describeDimensions(rest)}`),
    order: () => cube.order.filter((n) => n !== name),
  });
}

export const runUdf = defineProcess(
  'run_udf',
  {
    summary: 'Run a Python UDF',
    description:
      'Runs Python code written for the openEO UDF interface (`apply_datacube(cube, context)`, the older form on `XarrayDataCube`, ' +
      '`apply_timeseries(series, context)` per pixel time series, or a function taking `UdfData`) in a sandbox without network ' +
      'or files. On a raster cube it runs per tile, and x and y must come back unchanged; a vector cube (e.g. from `aggregate_spatial`) ' +
      'goes to the UDF whole, with its geometry dimension labelled by geometry index, which must come back unchanged. As the only process of the child ' +
      'process of `apply`, `apply_dimension` or `reduce_dimension`, it receives whole tiles as an `xarray.DataArray` with the ' +
      "cube's dimension names and labels. `GET /udf_runtimes` lists the interpreter and its libraries; nothing else can be installed.",
    parameters: {
      data: 'A raster data cube, or a vector cube (e.g. from aggregate_spatial) that the UDF receives whole.',
      udf: 'The Python source code of the UDF.',
      runtime: 'The UDF runtime: `Python`.',
      version: 'The Python version (as GET /udf_runtimes lists it), or null for the default.',
      context: 'Data handed to the UDF as `context`.',
    },
    returns: 'What the UDF made of the data.',
    exceptions: {
      InvalidRuntime: 'The UDF runtime is not offered here (GET /udf_runtimes lists what is).',
      InvalidVersion: 'This version of the UDF runtime is not offered here (GET /udf_runtimes lists what is).',
      FileNotFound: 'The UDF file does not exist.',
      UdfError: 'The UDF failed: a Python exception (with its traceback), a limit of the sandbox, or a result of the wrong shape; the message says which.',
    },
  },
  async (args, ctx) => {
    if (!isDataCube(args.data)) {
      throw parameterInvalid('run_udf', 'data', 'run_udf works on raster and vector data cubes; inside apply, apply_dimension or reduce_dimension make it the only process, on the data of the child process');
    }
    if (isVectorCube(args.data)) return udfOnVectorCube(args.data, ctx, { code: udfCode(args as UdfCall), context: args.context ?? {} }, ctx);
    const cube = requireCube(args.data, 'run_udf');
    return runOnCube(cube, args as UdfCall, ctx, {
      check: () => null,
      order: (dims) => defaultOrder(dims, cube.grid),
    });
  },
);

