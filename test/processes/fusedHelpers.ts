/**
 * Runs one child process graph both ways: node by node through the executor's GraphCallback on
 * pixel vectors (as apply, reduce_dimension and apply_dimension do over a tile), and compiled
 * into a fused kernel run over the same values as planes.
 */
import { GraphCallback } from '../../src/processes/graph/evaluate';
import type { ProcessGraph } from '../../src/processes/graph/types';
import { PixelArray } from '../../src/processes/types';
import { toTileVector } from '../../src/processes/cube/common';
import { resultVectors } from '../../src/processes/cube/applyDimension';
import { CompiledCallback, compileArrayCallback, compilePixelCallback, compileReducer } from '../../src/processes/compile';
import { ExprGraph } from '../../src/raster/fused/ir';
import { generateKernel } from '../../src/raster/fused/codegen';
import { FusedKernel, MASKED, PlaneDecoding, runKernel } from '../../src/raster/fused/kernel';
import { registry, runContext } from './helpers';

/** How the callback is called: `x` per pixel (apply), `data` to one value (reducers), `data` to an array (apply_dimension). */
export type Convention = 'pixel' | 'reducer' | 'array';

export interface CallbackCase {
  name: string;
  graph: ProcessGraph;
  convention: Convention;
  /** Labels of `data` (reducer and array); their number is the number of input planes. */
  labels?: Array<string | number>;
  context?: unknown;
}

export const P = (name: string) => ({ from_parameter: name });
export const N = (id: string) => ({ from_node: id });

/** A one-node child graph. */
export function one(processId: string, args: Record<string, unknown>): ProcessGraph {
  return { r: { process_id: processId, arguments: args, result: true } };
}

/** A child graph of several nodes given as [process, arguments]; the last one is the result. */
export function nodes(list: Record<string, [string, Record<string, unknown>]>): ProcessGraph {
  const ids = Object.keys(list);
  const graph: ProcessGraph = {};
  ids.forEach((id, i) => {
    const [processId, args] = list[id];
    graph[id] = { process_id: processId, arguments: args, ...(i === ids.length - 1 ? { result: true } : {}) };
  });
  return graph;
}

export function callbackOf(graph: ProcessGraph): GraphCallback {
  return new GraphCallback(graph, undefined, registry, runContext());
}

export function inputCount(c: CallbackCase): number {
  return c.convention === 'pixel' ? 1 : c.labels!.length;
}

/** The node-by-node result: one vector per output value of the callback. */
export async function nodePath(c: CallbackCase, planes: Float64Array[], n: number): Promise<Float64Array[]> {
  const callback = callbackOf(c.graph);
  const context = c.context ?? null;
  if (c.convention === 'pixel') return [toTileVector(await callback.run({ x: planes[0], context }), n, 'apply', 'process')];
  const data = new PixelArray(planes, c.labels!, n);
  const result = await callback.run({ data, context });
  if (c.convention === 'reducer') return [toTileVector(result, n, 'reduce_dimension', 'reducer')];
  return resultVectors(result, n);
}

export function compileCase(c: CallbackCase): CompiledCallback | null {
  const callback = callbackOf(c.graph);
  const context = c.context ?? null;
  if (c.convention === 'pixel') return compilePixelCallback(callback, context);
  if (c.convention === 'reducer') return compileReducer(callback, c.labels!, context);
  return compileArrayCallback(callback, c.labels!, context);
}

/** The compiled callback as a kernel over input planes 0, 1, … (one per input slot). */
export function kernelOf(compiled: CompiledCallback): FusedKernel {
  const graph = new ExprGraph();
  const inputs = Array.from({ length: compiled.inputs }, (_, j) => graph.input(j));
  return generateKernel(graph, compiled.instantiate(graph, inputs));
}

/** Runs a kernel over planes (given per slot, possibly encoded) and splits its output per value. */
export function runFused(kernel: FusedKernel, planes: ArrayLike<number>[], n: number, decoding?: PlaneDecoding[]): Float64Array[] {
  const used = kernel.inputCells.map((slot) => planes[slot]);
  const codes = kernel.inputCells.map((slot) => decoding?.[slot] ?? MASKED);
  const out = runKernel(kernel, used, codes, n);
  return Array.from({ length: kernel.outputCells }, (_, o) => out.subarray(o * n, (o + 1) * n));
}

/** The first element where two results differ by Object.is (NaN equals NaN, -0 differs from 0), or undefined. */
export function firstDifference(a: Float64Array[], b: Float64Array[]): string | undefined {
  if (a.length !== b.length) return `${a.length} values per pixel instead of ${b.length}`;
  for (let o = 0; o < a.length; o++) {
    if (a[o].length !== b[o].length) return `output ${o} has ${a[o].length} pixels instead of ${b[o].length}`;
    for (let i = 0; i < a[o].length; i++) {
      if (!Object.is(a[o][i], b[o][i])) return `output ${o}, pixel ${i}: ${a[o][i]} instead of ${b[o][i]}`;
    }
  }
  return undefined;
}
