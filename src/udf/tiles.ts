/**
 * A tile as the UDF sees it and back: the tile layout (non-spatial dimensions, then y, x) is
 * exactly a C-ordered xarray.DataArray with the cube's dimension names, labels (dates as
 * datetime64) and x/y pixel-centre coordinates. What comes back is checked against the shape the
 * calling process allows, and turned back into the tile layout.
 */
import { LabelDimension, SpatialGrid, TileWindow, axisCoordinates, subGrid } from '../raster/cube/model';
import { udfError } from './session';
import type { UdfSession } from './session';

export interface UdfCode {
  code: string;
  context: unknown;
}

interface Coordinate {
  type: 'datetime' | 'string' | 'number';
  values: Array<string | number>;
}

export interface UdfResult {
  /** Non-spatial dimensions of the result, in tile-layout order. */
  dims: LabelDimension[];
  values: Float64Array;
}

function isoInstant(label: string | number, dim: LabelDimension): string {
  const ms = dim.labelInstants?.[String(label)] ?? Date.parse(String(label));
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(label);
}

function labelsOf(dim: LabelDimension): Coordinate {
  if (dim.type === 'temporal') return { type: 'datetime', values: dim.labels.map((l) => isoInstant(l, dim)) };
  return { type: dim.labels.every((l) => typeof l === 'number') ? 'number' : 'string', values: dim.labels };
}

interface Answer {
  names: string[];
  shape: number[];
  coords: Record<string, Coordinate>;
  values: Float64Array;
}

/** One exchange with the interpreter: an array (C order) with its dimensions out, the UDF's array back. */
async function exchange(
  session: UdfSession,
  udf: UdfCode,
  request: { dims: string[]; shape: number[]; coords: Record<string, Coordinate>; order?: string[]; spatial: string[]; timeDimension: string | null },
  values: Float64Array,
): Promise<Answer> {
  const header = { code: udf.code, context: udf.context ?? null, ...request };
  const payload = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const answer = await session.call(header, payload);
  if (answer.header.ok !== true) {
    // What a failed UDF left behind (children, half-written frames) must not meet the next call.
    session.kill();
    throw udfError(`The UDF failed:\n${String(answer.header.error ?? 'no message')}`);
  }
  const shape = answer.header.shape as number[];
  const bytes = answer.payload;
  const result = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = shape.reduce((a, b) => a * b, 1);
  if (result.length !== expected) throw udfError(`The UDF returned ${result.length} values for the shape (${shape.join(', ')}).`);
  return { names: answer.header.dims as string[], shape, coords: (answer.header.coords ?? {}) as Record<string, Coordinate>, values: result };
}

const timeDimensionOf = (dims: LabelDimension[]) => dims.find((d) => d.type === 'temporal')?.name ?? null;

/** Sends one tile and returns the UDF's result in the tile layout. */
export async function callOnTile(
  session: UdfSession,
  udf: UdfCode,
  dims: LabelDimension[],
  grid: SpatialGrid,
  win: TileWindow,
  tile: Float64Array,
  expectedOrder: string[] | undefined,
): Promise<UdfResult> {
  const tileGrid = subGrid(grid, win);
  const coords: Record<string, Coordinate> = {};
  for (const d of dims) coords[d.name] = labelsOf(d);
  coords[grid.yName] = { type: 'number', values: axisCoordinates(tileGrid, 'y') };
  coords[grid.xName] = { type: 'number', values: axisCoordinates(tileGrid, 'x') };
  const request = {
    dims: [...dims.map((d) => d.name), grid.yName, grid.xName],
    shape: [...dims.map((d) => d.labels.length), win.height, win.width],
    coords,
    order: expectedOrder,
    spatial: [grid.yName, grid.xName],
    timeDimension: timeDimensionOf(dims),
  };
  return readResult(await exchange(session, udf, request, tile), dims, grid, win);
}

/**
 * Sends a whole cube without x and y (a vector cube: geometry dimension labelled by geometry
 * index) and returns the UDF's result with its dimensions as the UDF left them.
 */
export async function callOnValues(session: UdfSession, udf: UdfCode, dims: LabelDimension[], values: Float64Array): Promise<UdfResult> {
  const coords: Record<string, Coordinate> = {};
  for (const d of dims) coords[d.name] = labelsOf(d);
  const request = { dims: dims.map((d) => d.name), shape: dims.map((d) => d.labels.length), coords, spatial: [], timeDimension: timeDimensionOf(dims) };
  const answer = await exchange(session, udf, request, values);
  const result = answer.names.map((name, i) => resultDimension(name, answer.shape[i], answer.coords[name], dims.find((d) => d.name === name)));
  return { dims: result, values: answer.values };
}

function readResult(answer: Answer, input: LabelDimension[], grid: SpatialGrid, win: TileWindow): UdfResult {
  const { names, shape, coords } = answer;
  const n = names.length;
  if (n < 2 || names[n - 2] !== grid.yName || names[n - 1] !== grid.xName) {
    throw udfError(`The UDF returned the dimensions (${names.join(', ')}); they must end with ${grid.yName} and ${grid.xName}, which it may not change.`);
  }
  if (shape[n - 2] !== win.height || shape[n - 1] !== win.width) {
    throw udfError(`The UDF returned ${shape[n - 2]} × ${shape[n - 1]} pixels (${grid.yName} × ${grid.xName}) for a tile of ${win.height} × ${win.width}.`);
  }
  const dims = names.slice(0, n - 2).map((name, i) => resultDimension(name, shape[i], coords[name], input.find((d) => d.name === name)));
  return { dims, values: answer.values };
}

/** A returned dimension: the input's labels where they are the same (dates compared as instants), else the returned ones. */
function resultDimension(name: string, size: number, coord: Coordinate | undefined, input: LabelDimension | undefined): LabelDimension {
  const given = coord?.values;
  if (given && given.length !== size) throw udfError(`The UDF returned ${given.length} labels for the ${size} values of dimension '${name}'.`);
  if (input) {
    const inputLabels = labelsOf(input).values;
    const same = given ? given.length === inputLabels.length && given.every((l, i) => String(l) === String(inputLabels[i])) : size === input.labels.length;
    if (same) return input;
  }
  const labels = given ?? Array.from({ length: size }, (_, i) => i);
  const type = input ? input.type : coord?.type === 'datetime' ? 'temporal' : /^bands?$/.test(name) ? 'bands' : 'other';
  return { name, type, labels };
}

/** Whether two dimension lists have the same names and labels, in the same order. */
export function sameDimensions(a: LabelDimension[], b: LabelDimension[]): boolean {
  return a.length === b.length && a.every((d, i) => d.name === b[i].name && d.labels.length === b[i].labels.length && d.labels.every((l, k) => l === b[i].labels[k]));
}

export function describeDimensions(dims: LabelDimension[]): string {
  return dims.length ? dims.map((d) => `${d.name} [${d.labels.slice(0, 5).join(', ')}${d.labels.length > 5 ? ', …' : ''}]`).join(', ') : 'none';
}
