/**
 * What the translator knows about a value of a child graph without running it: a plain value
 * known now, one per-pixel expression (a PixelVector in the node-by-node path), one expression
 * per label (a PixelArray), or a plain array that holds per-pixel values.
 */
import { PixelArray } from '../types';
import { LabeledArray, isPlainObject } from '../values';
import type { ExprGraph, NodeId } from '../../raster/fused/ir';

export type Sym =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'pixel'; readonly id: NodeId }
  | {
      readonly kind: 'array';
      readonly items: readonly NodeId[];
      readonly labels: ReadonlyArray<string | number>;
      /** False as for PixelArray.labeled: the labels are only positions. */
      readonly labeled?: boolean;
    }
  | { readonly kind: 'list'; readonly items: readonly Sym[] };

export const valueSym = (value: unknown): Sym => ({ kind: 'value', value });
export const pixelSym = (id: NodeId): Sym => ({ kind: 'pixel', id });

/** JSON-like values (and labeled arrays of them): what can be known at compile time. */
export function isPlain(value: unknown): boolean {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value instanceof LabeledArray) return value.values.every(isPlain);
  if (isPlainObject(value)) return Object.values(value).every(isPlain);
  return false;
}

/**
 * A stand-in of the same kind as the run-time value, for the executor's schema checks (which
 * only look at the kind of tile values, never at their contents).
 */
export function schemaSample(sym: Sym): unknown {
  switch (sym.kind) {
    case 'value':
      return sym.value;
    case 'pixel':
      return new Float64Array(0);
    case 'array':
      return new PixelArray([], [], 0);
    case 'list':
      return [new Float64Array(0)];
  }
}

/**
 * A numeric operand the way the library lifts scalars next to pixel vectors (lift.ts `operand`):
 * null is no-data, booleans are 1 and 0. Null for anything else.
 */
export function operand(sym: Sym | undefined, graph: ExprGraph): NodeId | null {
  if (!sym) return null;
  if (sym.kind === 'pixel') return sym.id;
  if (sym.kind !== 'value') return null;
  const v = sym.value;
  if (v === null) return graph.constant(NaN);
  if (typeof v === 'boolean') return graph.constant(v ? 1 : 0);
  if (typeof v === 'number') return graph.constant(v);
  return null;
}

/** What a callback returned for a pixel as one cell value (common.ts `toTileVector`), or null when that fails. */
export function cellValue(sym: Sym, graph: ExprGraph): NodeId | null {
  if (sym.kind === 'value' && sym.value === undefined) return graph.constant(NaN);
  return operand(sym, graph);
}

export function numberOf(sym: Sym | undefined): number | null {
  return sym?.kind === 'value' && typeof sym.value === 'number' ? sym.value : null;
}
