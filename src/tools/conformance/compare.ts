/**
 * Compares a process result with the expected value of a conformance case, following the
 * precision rules of the cases (numbers within `delta`, NaN equals NaN, datetimes by instant).
 */
import { isDataCube } from '../../raster/cube/DataCube';
import { cubeToTestEncoding, EncodedCube } from '../../raster/jsonEncoding';
import { LabeledArray, isPixelVector, isPlainObject } from '../../processes/values';

export const DEFAULT_DELTA = 1e-10;

function isNodataMarker(v: unknown): boolean {
  return isPlainObject(v) && v.type === 'nodata';
}

function sameNumber(actual: number, expected: number, delta: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= delta;
}

function sameInstant(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return !Number.isNaN(ta) && ta === tb;
}

/** Returns undefined when equal, otherwise where and how they differ. */
export async function difference(actual: unknown, expected: unknown, delta: number, where = '(result)'): Promise<string | undefined> {
  if (isDataCube(actual)) actual = await cubeToTestEncoding(actual);
  if (isPixelVector(actual)) actual = Array.from(actual);
  if (expected === null || isNodataMarker(expected)) {
    return actual === null ? undefined : `${where}: expected no-data, got ${show(actual)}`;
  }
  if (typeof expected === 'number') {
    return typeof actual === 'number' && sameNumber(actual, expected, delta) ? undefined : `${where}: expected ${expected}, got ${show(actual)}`;
  }
  if (typeof expected !== 'object') {
    return actual === expected ? undefined : `${where}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (actual instanceof LabeledArray) actual = actual.values;
    if (!Array.isArray(actual)) return `${where}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${where}: expected ${expected.length} elements, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = await difference(actual[i], expected[i], delta, `${where}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const exp = expected as Record<string, unknown>;
  if (exp.type === 'datetime' && typeof exp.value === 'string') {
    return sameInstant(actual, exp.value) ? undefined : `${where}: expected datetime ${exp.value}, got ${show(actual)}`;
  }
  if (exp.type === 'labeled-array') {
    if (!(actual instanceof LabeledArray)) return `${where}: expected a labeled array, got ${show(actual)}`;
    const entries = exp.data as Array<{ key: unknown; value: unknown }>;
    if (actual.values.length !== entries.length) return `${where}: expected ${entries.length} elements, got ${actual.values.length}`;
    for (let i = 0; i < entries.length; i++) {
      if (actual.labels[i] !== entries[i].key) return `${where}: label ${i} should be ${show(entries[i].key)}, got ${show(actual.labels[i])}`;
      const d = await difference(actual.values[i], entries[i].value, delta, `${where}.${String(entries[i].key)}`);
      if (d) return d;
    }
    return undefined;
  }
  if (exp.type === 'datacube') return compareCubes(actual, exp as unknown as EncodedCube, delta, where);
  if (!isPlainObject(actual)) return `${where}: expected an object, got ${show(actual)}`;
  const keys = new Set([...Object.keys(exp), ...Object.keys(actual)]);
  for (const k of keys) {
    const d = await difference(actual[k], exp[k], delta, `${where}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function sameLabel(a: unknown, b: unknown, temporal: boolean): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  if (temporal && typeof a === 'string' && typeof b === 'string') return Date.parse(a) === Date.parse(b);
  return false;
}

/** Compares cubes by dimension names, types and labels, then value by value in the expected order. */
function compareCubes(actualValue: unknown, expected: EncodedCube, delta: number, where: string): string | undefined {
  if (!isPlainObject(actualValue) || actualValue.type !== 'datacube') return `${where}: expected a data cube, got ${show(actualValue)}`;
  const actual = actualValue as unknown as EncodedCube;
  const expectedNames = Object.keys(expected.dimensions).sort();
  const actualNames = Object.keys(actual.dimensions).sort();
  if (expectedNames.join() !== actualNames.join()) return `${where}: dimensions ${actualNames.join(',')} instead of ${expectedNames.join(',')}`;
  const labelIndex = new Map<string, (label: unknown) => number>();
  for (const name of expectedNames) {
    const e = expected.dimensions[name];
    const a = actual.dimensions[name];
    if (e.type !== undefined && a.type !== e.type && !(e.type === 'other' || a.type === 'other')) {
      return `${where}: dimension ${name} has type ${String(a.type)} instead of ${e.type}`;
    }
    const ev = e.values ?? [];
    const av = a.values ?? [];
    const temporal = e.type === 'temporal';
    if (ev.length !== av.length || ev.some((v, i) => !sameLabel(av[i], v, temporal))) {
      return `${where}: labels of ${name} are ${show(av)} instead of ${show(ev)}`;
    }
    labelIndex.set(name, (label) => av.findIndex((v) => sameLabel(v, label, temporal)));
  }
  if (expected.data === null || expected.data === undefined) return undefined;
  const nodata = Array.isArray(expected.nodata) ? expected.nodata : expected.nodata === undefined ? [] : [expected.nodata];
  const isNodata = (v: unknown) => v === null || isNodataMarker(v) || nodata.some((n) => n === v || (Number.isNaN(n) && Number.isNaN(v)));
  const actualAt = (coords: Record<string, number>) => {
    let node: unknown = actual.data;
    for (const name of actual.order) node = (node as unknown[])[coords[name]];
    return node;
  };
  const walk = (node: unknown, level: number, coords: Record<string, number>): string | undefined => {
    if (level === expected.order.length) {
      const got = actualAt(coords);
      const gotNodata = got === null || (typeof got === 'number' && Number.isNaN(got));
      if (isNodata(node)) return gotNodata ? undefined : `${where} at ${show(coords)}: expected no-data, got ${show(got)}`;
      if (typeof node === 'number' && typeof got === 'number' && sameNumber(got, node, delta)) return undefined;
      if (typeof node === 'boolean' && got === (node ? 1 : 0)) return undefined;
      return `${where} at ${show(coords)}: expected ${show(node)}, got ${show(got)}`;
    }
    const name = expected.order[level];
    const labels = expected.dimensions[name].values ?? [];
    for (let i = 0; i < labels.length; i++) {
      const d = walk((node as unknown[])[i], level + 1, { ...coords, [name]: labelIndex.get(name)!(labels[i]) });
      if (d) return d;
    }
    return undefined;
  };
  return walk(expected.data, 0, {});
}

function show(v: unknown): string {
  if (v instanceof LabeledArray) return `labeled${show(v.values)}`;
  if (typeof v === 'number') return String(v);
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
  return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 197) + '...' : s;
}
