/**
 * The shape of a data cube: its dimensions, labels and spatial grid.
 *
 * Tile layout (used by every cube and every consumer of tiles): a tile is one dense
 * Float64Array holding all non-spatial dimensions, in the order they appear in
 * `CubeShape.dims`, followed by the tile's rows (y) and columns (x):
 *
 *   index = ((d0 * n1 + d1) * n2 + d2 ...) * (height * width) + row * width + col
 *
 * NaN marks no-data. A cube without a spatial grid is a single "pixel" tile (height = width = 1).
 */
import type { BandInfo } from '../../catalog/types';
import type { GeometrySet } from '../../geometry/types';

/** 'geometry' is the dimension of a vector cube (one label per geometry, see src/vector). */
export type LabelDimensionType = 'temporal' | 'bands' | 'other' | 'geometry';

/** A dimension with discrete labels (time stamps, band names, anything else). */
export interface LabelDimension {
  name: string;
  type: LabelDimensionType;
  labels: Array<string | number>;
  /** Band metadata aligned with `labels`, when known (used for common names and wavelengths). */
  bands?: Array<BandInfo | undefined>;
  /** For a 'geometry' dimension: the geometries its labels stand for, aligned with `labels`. */
  geometries?: GeometrySet;
  /**
   * For a temporal dimension: the instant (epoch ms) that labels which are not themselves instants
   * stand for, keyed by label (a period label such as "2023-06" is ambiguous without the period).
   */
  labelInstants?: Record<string, number>;
}

/** A regular, north-up (or south-up) grid: the two spatial dimensions of a raster cube. */
export interface SpatialGrid {
  xName: string;
  yName: string;
  /** CRS as GDAL accepts it: `EPSG:nnnn` when known, else WKT. */
  crs: string;
  epsg: number | null;
  /** GDAL geotransform of the whole cube grid, without rotation. */
  transform: [number, number, number, number, number, number];
  width: number;
  height: number;
}

export interface CubeShape {
  /** Non-spatial dimensions, in tile-layout order. */
  dims: LabelDimension[];
  grid: SpatialGrid | null;
  /** All dimension names in presentation order (as clients see `order`/`cube:dimensions`). */
  order: string[];
}

/** A window of the cube grid in pixel coordinates (col = x, row = y). */
export interface TileWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The parts of a process context that tile computation needs. */
export interface TileContext {
  signal: AbortSignal;
  stats: { inputPixels: number };
}

export function defaultOrder(dims: LabelDimension[], grid: SpatialGrid | null): string[] {
  const names = dims.map((d) => d.name);
  return grid ? [...names, grid.yName, grid.xName] : names;
}

/** Number of values per pixel: the product of the non-spatial dimension sizes. */
export function cellsPerPixel(shape: Pick<CubeShape, 'dims'>): number {
  let n = 1;
  for (const d of shape.dims) n *= d.labels.length;
  return n;
}

/** The whole grid as one window (a 1×1 window for cubes without a grid). */
export function fullWindow(grid: SpatialGrid | null): TileWindow {
  return grid ? { x: 0, y: 0, width: grid.width, height: grid.height } : { x: 0, y: 0, width: 1, height: 1 };
}

export function windowPixels(win: TileWindow): number {
  return win.width * win.height;
}

/** Centre coordinates of the grid's columns (x) or rows (y). */
export function axisCoordinates(grid: SpatialGrid, axis: 'x' | 'y'): number[] {
  const [x0, dx, , y0, , dy] = grid.transform;
  const n = axis === 'x' ? grid.width : grid.height;
  const origin = axis === 'x' ? x0 : y0;
  const step = axis === 'x' ? dx : dy;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = origin + (i + 0.5) * step;
  return out;
}

/** The sub-grid covering `win` of `grid`. */
export function subGrid(grid: SpatialGrid, win: TileWindow): SpatialGrid {
  const [x0, dx, rx, y0, ry, dy] = grid.transform;
  return {
    ...grid,
    transform: [x0 + win.x * dx, dx, rx, y0 + win.y * dy, ry, dy],
    width: win.width,
    height: win.height,
  };
}

/** Grid bounds in CRS units as [west, south, east, north]. */
export function gridBounds(grid: SpatialGrid): [number, number, number, number] {
  const [x0, dx, , y0, , dy] = grid.transform;
  const xa = x0;
  const xb = x0 + grid.width * dx;
  const ya = y0;
  const yb = y0 + grid.height * dy;
  return [Math.min(xa, xb), Math.min(ya, yb), Math.max(xa, xb), Math.max(ya, yb)];
}

export function findDimension(shape: CubeShape, name: string): 'x' | 'y' | LabelDimension | undefined {
  if (shape.grid?.xName === name) return 'x';
  if (shape.grid?.yName === name) return 'y';
  return shape.dims.find((d) => d.name === name);
}

export function dimensionIndex(shape: CubeShape, name: string): number {
  return shape.dims.findIndex((d) => d.name === name);
}

/**
 * The non-spatial cells of one pixel seen around dimension `index`: cell = (a * size + k) * inner + i
 * for a < outer (the dimensions before it), k < size (its labels) and i < inner (the dimensions after it).
 */
export function cellsAround(dims: LabelDimension[], index: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  for (let i = 0; i < index; i++) outer *= dims[i].labels.length;
  let inner = 1;
  for (let i = index + 1; i < dims.length; i++) inner *= dims[i].labels.length;
  return { outer, size: dims[index].labels.length, inner };
}
