/**
 * The "datacube" encoding of the openEO process conformance cases (processes tests/README.md):
 * `{type: 'datacube', order, dimensions: {name: {type, axis?, values, reference_system?}}, data, nodata}`
 * with `data` nested in `order`. Converts to and from in-memory cubes.
 */
import { DataCube } from './cube/DataCube';
import { MemoryCube } from './cube/MemoryCube';
import { LabelDimension, LabelDimensionType, SpatialGrid, TileContext, axisCoordinates, defaultOrder } from './cube/model';
import { crsToString, referenceSystem } from './cube/crs';
import { readAll } from './tiles';

interface EncodedDimension {
  type?: string;
  axis?: string;
  values?: Array<string | number>;
  reference_system?: unknown;
  step?: number;
}

export interface EncodedCube {
  type: 'datacube';
  order: string[];
  dimensions: Record<string, EncodedDimension>;
  data: unknown;
  nodata?: unknown;
}

export function isEncodedCube(value: unknown): value is EncodedCube {
  return !!value && typeof value === 'object' && (value as { type?: unknown }).type === 'datacube';
}

function spatialAxis(name: string, dim: EncodedDimension): 'x' | 'y' | null {
  if (dim.type !== 'spatial') return null;
  const axis = dim.axis ?? name;
  return axis === 'x' || axis === 'y' ? axis : null;
}

/** Origin and signed step of a regular axis from its centre coordinates. */
function axisTransform(values: number[], step: number | undefined): [number, number] {
  const n = values.length;
  if (n === 0) return [0, step ?? 1];
  const d = n > 1 ? (values[n - 1] - values[0]) / (n - 1) : (step ?? 1);
  for (let i = 1; i < n; i++) {
    if (Math.abs(values[i] - (values[0] + i * d)) > Math.abs(d) * 1e-6) {
      throw new Error('spatial dimension values are not regularly spaced');
    }
  }
  return [values[0] - d / 2, d];
}

function flatten(data: unknown, depth: number, out: unknown[]): void {
  if (depth === 0) {
    out.push(data);
    return;
  }
  if (!Array.isArray(data)) throw new Error('datacube data is not nested as deep as its order');
  for (const item of data) flatten(item, depth - 1, out);
}

function toNumber(value: unknown, nodata: unknown[]): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return nodata.some((n) => n === value) ? NaN : value;
  if (typeof value === 'object' && (value as { type?: unknown }).type === 'nodata') return NaN;
  throw new Error(`unsupported datacube value ${JSON.stringify(value)}`);
}

/** Row-major strides of `sizes`. */
function strides(sizes: number[]): number[] {
  const out = new Array<number>(sizes.length).fill(1);
  for (let i = sizes.length - 2; i >= 0; i--) out[i] = out[i + 1] * sizes[i + 1];
  return out;
}

/** Copies `source` laid out in `fromOrder` into the layout `toOrder` (both lists of the same names). */
function transpose(source: Float64Array, sizes: Map<string, number>, fromOrder: string[], toOrder: string[]): Float64Array {
  const fromStrides = strides(fromOrder.map((n) => sizes.get(n)!));
  const strideOf = new Map(fromOrder.map((n, i) => [n, fromStrides[i]]));
  const toSizes = toOrder.map((n) => sizes.get(n)!);
  const toStrides = toOrder.map((n) => strideOf.get(n)!);
  const out = new Float64Array(source.length);
  const counter = new Array<number>(toOrder.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let k = 0; k < counter.length; k++) s += counter[k] * toStrides[k];
    out[o] = source[s];
    for (let k = counter.length - 1; k >= 0; k--) {
      if (++counter[k] < toSizes[k]) break;
      counter[k] = 0;
    }
  }
  return out;
}

/** Builds an in-memory cube from the conformance "datacube" encoding. */
export function cubeFromTestEncoding(encoded: EncodedCube): DataCube {
  const order = encoded.order ?? Object.keys(encoded.dimensions);
  const nodata = Array.isArray(encoded.nodata) ? encoded.nodata : encoded.nodata === undefined ? [] : [encoded.nodata];
  const dims: LabelDimension[] = [];
  const sizes = new Map<string, number>();
  const xCandidates = order.filter((n) => encoded.dimensions[n] && spatialAxis(n, encoded.dimensions[n]) === 'x');
  const yCandidates = order.filter((n) => encoded.dimensions[n] && spatialAxis(n, encoded.dimensions[n]) === 'y');
  // A grid needs both axes; a lone spatial axis stays a plain labelled dimension.
  const hasGrid = xCandidates.length > 0 && yCandidates.length > 0;
  const xName = hasGrid ? xCandidates[0] : undefined;
  const yName = hasGrid ? yCandidates[0] : undefined;
  for (const name of order) {
    const dim = encoded.dimensions[name];
    if (!dim) throw new Error(`dimension ${name} is in order but not described`);
    const values = dim.values ?? [];
    sizes.set(name, values.length);
    if (name === xName || name === yName) continue;
    const type: LabelDimensionType = dim.type === 'temporal' || dim.type === 'bands' ? dim.type : 'other';
    dims.push({ name, type, labels: [...values] });
  }
  let grid: SpatialGrid | null = null;
  if (xName !== undefined && yName !== undefined) {
    const xd = encoded.dimensions[xName];
    const yd = encoded.dimensions[yName];
    const [x0, dx] = axisTransform((xd.values ?? []).map(Number), xd.step);
    const [y0, dy] = axisTransform((yd.values ?? []).map(Number), yd.step === undefined ? undefined : -Math.abs(yd.step));
    const { crs, epsg } = crsToString(xd.reference_system ?? yd.reference_system);
    grid = { xName, yName, crs, epsg, transform: [x0, dx, 0, y0, 0, dy], width: sizes.get(xName)!, height: sizes.get(yName)! };
  }
  const layout = defaultOrder(dims, grid);
  let total = 1;
  for (const n of order) total *= sizes.get(n)!;
  let values: Float64Array;
  if (encoded.data === null || encoded.data === undefined) {
    values = new Float64Array(total).fill(NaN);
  } else {
    const flat: unknown[] = [];
    flatten(encoded.data, order.length, flat);
    if (flat.length !== total) throw new Error(`datacube data has ${flat.length} values, dimensions need ${total}`);
    values = transpose(Float64Array.from(flat, (v) => toNumber(v, nodata)), sizes, order, layout);
  }
  return new MemoryCube({ dims, grid, order }, values);
}

function nest(values: Float64Array, sizes: number[], offset: number, level: number): unknown[] {
  const out: unknown[] = [];
  const step = sizes.slice(level + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < sizes[level]; i++) {
    out.push(level === sizes.length - 1 ? values[offset + i] : nest(values, sizes, offset + i * step, level + 1));
  }
  return out;
}

/** Encodes a (small) cube in the conformance "datacube" encoding; no-data is NaN. */
export async function cubeToTestEncoding(cube: DataCube, ctx?: TileContext): Promise<EncodedCube> {
  const tileCtx = ctx ?? { signal: new AbortController().signal, stats: { inputPixels: 0 } };
  const layoutValues = await readAll(cube, tileCtx);
  const grid = cube.grid;
  const sizes = new Map<string, number>();
  const dimensions: Record<string, EncodedDimension> = {};
  if (grid) {
    const rs = referenceSystem(grid.crs, grid.epsg) as string | number;
    sizes.set(grid.xName, grid.width);
    sizes.set(grid.yName, grid.height);
    dimensions[grid.xName] = { type: 'spatial', axis: 'x', values: axisCoordinates(grid, 'x'), reference_system: rs };
    dimensions[grid.yName] = { type: 'spatial', axis: 'y', values: axisCoordinates(grid, 'y'), reference_system: rs };
  }
  for (const d of cube.dims) {
    sizes.set(d.name, d.labels.length);
    dimensions[d.name] = { type: d.type, values: [...d.labels] };
  }
  const layout = defaultOrder(cube.dims, grid);
  const inOrder = transpose(layoutValues, sizes, layout, cube.order);
  const orderedDims: Record<string, EncodedDimension> = {};
  for (const n of cube.order) orderedDims[n] = dimensions[n];
  // A cube without dimensions holds one value; when that is no-data (create_data_cube) the cube is empty: [].
  const scalar = inOrder.length > 0 && !Number.isNaN(inOrder[0]) ? inOrder[0] : [];
  const data = cube.order.length === 0 ? scalar : nest(inOrder, cube.order.map((n) => sizes.get(n)!), 0, 0);
  return { type: 'datacube', order: [...cube.order], dimensions: orderedDims, data, nodata: [NaN] };
}
