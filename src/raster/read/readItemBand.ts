import gdal from 'gdal-async';
import type { GridInfo } from '../../catalog/types';
import { SpatialGrid } from '../cube/model';
import { sameCrs, spatialReference } from '../../gdal/srs';
import { gdalBuffer } from '../../gdal/typedArrays';

/** Where item pixels land in a target window when both grids share CRS, resolution and alignment. */
interface Alignment {
  /** Target window origin in item pixel coordinates. */
  col: number;
  row: number;
}

const PIXEL_TOLERANCE = 1e-6;

function isInteger(v: number): boolean {
  return Math.abs(v - Math.round(v)) < PIXEL_TOLERANCE;
}

/** The alignment of `target` on the item grid, or null if reading it needs resampling. */
export function alignment(item: GridInfo, target: SpatialGrid): Alignment | null {
  const [ix, idx, irx, iy, iry, idy] = item.geoTransform;
  const [tx, tdx, , ty, , tdy] = target.transform;
  if (irx !== 0 || iry !== 0) return null;
  if (Math.abs(idx - tdx) > Math.abs(tdx) * 1e-9 || Math.abs(idy - tdy) > Math.abs(tdy) * 1e-9) return null;
  const col = (tx - ix) / idx;
  const row = (ty - iy) / idy;
  if (!isInteger(col) || !isInteger(row)) return null;
  if (!sameCrs(item.crs, target.crs)) return null;
  return { col: Math.round(col), row: Math.round(row) };
}

/** Replaces the file's no-data value by NaN. */
function maskNodata(values: Float64Array, nodata: number | null): void {
  if (nodata === null) return;
  if (Number.isNaN(nodata)) return;
  for (let i = 0; i < values.length; i++) if (values[i] === nodata) values[i] = NaN;
}

/**
 * Reads one band of one item for the window `target` (a grid in the cube's CRS and resolution)
 * into `out` (height × width, NaN where nothing was read), filling only pixels still NaN
 * (first valid value wins). Returns the number of source pixels read.
 */
export async function readItemBand(
  ds: gdal.Dataset,
  bandNumber: number,
  itemGrid: GridInfo,
  nodata: number | null,
  target: SpatialGrid,
  out: Float64Array,
  decimation?: 'nearest' | 'average',
): Promise<number> {
  const coarse = decimation ? coarseAlignment(itemGrid, target) : null;
  if (coarse) return readDecimated(ds, bandNumber, itemGrid, nodata, target, coarse, out, decimation!);
  const align = alignment(itemGrid, target);
  return align
    ? readAligned(ds, bandNumber, itemGrid, nodata, target, align, out)
    : readWarped(ds, bandNumber, nodata, target, out);
}

async function readAligned(
  ds: gdal.Dataset,
  bandNumber: number,
  itemGrid: GridInfo,
  nodata: number | null,
  target: SpatialGrid,
  align: Alignment,
  out: Float64Array,
): Promise<number> {
  const c0 = Math.max(0, align.col);
  const r0 = Math.max(0, align.row);
  const c1 = Math.min(itemGrid.width, align.col + target.width);
  const r1 = Math.min(itemGrid.height, align.row + target.height);
  if (c1 <= c0 || r1 <= r0) return 0;
  const w = c1 - c0;
  const h = r1 - r0;
  const band = await ds.bands.getAsync(bandNumber);
  const buf = new Float64Array(w * h);
  await band.pixels.readAsync(c0, r0, w, h, gdalBuffer(buf), { data_type: gdal.GDT_Float64 });
  maskNodata(buf, nodata);
  const dx = c0 - align.col;
  const dy = r0 - align.row;
  for (let r = 0; r < h; r++) {
    const o = (dy + r) * target.width + dx;
    const s = r * w;
    for (let c = 0; c < w; c++) {
      if (out[o + c] !== out[o + c]) out[o + c] = buf[s + c];
    }
  }
  return w * h;
}

/** Resamples (nearest neighbour) the item onto the target window with GDAL's warper. */
async function readWarped(
  ds: gdal.Dataset,
  bandNumber: number,
  nodata: number | null,
  target: SpatialGrid,
  out: Float64Array,
): Promise<number> {
  const srcSrs = ds.srs;
  if (!srcSrs) return 0;
  const mem = gdal.open('', 'w', 'MEM', target.width, target.height, 1, gdal.GDT_Float64);
  try {
    mem.geoTransform = [...target.transform];
    mem.srs = spatialReference(target.crs);
    const dst = mem.bands.get(1);
    dst.noDataValue = NaN;
    await dst.fillAsync(NaN);
    await gdal.reprojectImageAsync({
      src: ds,
      dst: mem,
      s_srs: srcSrs,
      t_srs: mem.srs!,
      resampling: gdal.GRA_NearestNeighbor,
      srcBands: [bandNumber],
      dstBands: [1],
      ...(nodata !== null ? { srcNodata: nodata } : {}),
      dstNodata: NaN,
      // Same default error threshold as gdalwarp.
      maxError: 0.125,
      options: { INIT_DEST: 'NO_DATA' },
    });
    const buf = await dst.pixels.readAsync(0, 0, target.width, target.height, gdalBuffer(new Float64Array(target.width * target.height)));
    maskNodata(buf as Float64Array, nodata);
    let read = 0;
    for (let i = 0; i < out.length; i++) {
      const v = buf[i];
      if (v === v) {
        read++;
        if (out[i] !== out[i]) out[i] = v;
      }
    }
    return read;
  } finally {
    mem.close();
  }
}

/** Where a coarser target lies on the item grid: origin in item pixels and item pixels per target pixel. */
interface CoarseAlignment extends Alignment {
  factor: number;
}

/** The alignment of a target whose pixels are whole blocks of factor × factor item pixels, else null. */
export function coarseAlignment(item: GridInfo, target: SpatialGrid): CoarseAlignment | null {
  const [ix, idx, irx, iy, iry, idy] = item.geoTransform;
  const [tx, tdx, , ty, , tdy] = target.transform;
  if (irx !== 0 || iry !== 0) return null;
  const factor = tdx / idx;
  if (!isInteger(factor) || Math.round(factor) < 2 || Math.abs(tdy / idy - factor) > 1e-6) return null;
  const col = (tx - ix) / idx;
  const row = (ty - iy) / idy;
  if (!isInteger(col) || !isInteger(row)) return null;
  if (!sameCrs(item.crs, target.crs)) return null;
  return { col: Math.round(col), row: Math.round(row), factor: Math.round(factor) };
}

/** Target cells [cell, cell + cells) taken from item pixels [start, start + length) along one axis. */
interface Segment {
  cell: number;
  cells: number;
  start: number;
  length: number;
}

/**
 * The runs of one axis to read: the target cells wholly inside the item in one piece, and each
 * cell the item's edge cuts on its own (a smaller block), so every buffer pixel is one cell.
 */
function axisSegments(offset: number, factor: number, cells: number, size: number): Segment[] {
  const part = (c: number): Segment | null => {
    const start = Math.max(0, offset + c * factor);
    const end = Math.min(size, offset + (c + 1) * factor);
    return end > start && c >= 0 && c < cells ? { cell: c, cells: 1, start, length: end - start } : null;
  };
  const firstFull = Math.max(0, Math.ceil(-offset / factor));
  const endFull = Math.min(cells, Math.floor((size - offset) / factor));
  if (endFull <= firstFull) {
    const segments: Segment[] = [];
    for (let c = Math.max(0, firstFull - 1); c <= Math.min(cells - 1, firstFull + 1); c++) {
      const s = part(c);
      if (s) segments.push(s);
    }
    return segments;
  }
  const full = { cell: firstFull, cells: endFull - firstFull, start: offset + firstFull * factor, length: (endFull - firstFull) * factor };
  return [part(firstFull - 1), full, part(endFull)].filter((s): s is Segment => s !== null);
}

/**
 * Item pixels of the x and y segments into a buffer of one value per target cell. gdal_translate
 * with -outsize reads them through RasterIO with a smaller buffer (overviews, resampling); the
 * pixel reader's own buffer options would do the same but are lost when gdal-async is loaded in
 * several JS realms of one process (as jest does), whose wrappers each rewrite the options.
 */
async function readSmaller(ds: gdal.Dataset, bandNumber: number, x: Segment, y: Segment, resampling: 'nearest' | 'average'): Promise<Float64Array> {
  const small = await gdal.translateAsync('', ds, [
    '-of', 'MEM', '-ot', 'Float64', '-b', String(bandNumber), '-r', resampling,
    '-srcwin', String(x.start), String(y.start), String(x.length), String(y.length),
    '-outsize', String(x.cells), String(y.cells),
  ]);
  try {
    const buf = new Float64Array(x.cells * y.cells);
    await small.bands.get(1).pixels.readAsync(0, 0, x.cells, y.cells, gdalBuffer(buf));
    return buf;
  } finally {
    small.close();
  }
}

/**
 * Reads the item into the coarser target with GDAL's RasterIO into a buffer smaller than the
 * window, so GDAL takes an overview when the file has one. Returns the target pixels filled.
 */
async function readDecimated(
  ds: gdal.Dataset,
  bandNumber: number,
  itemGrid: GridInfo,
  nodata: number | null,
  target: SpatialGrid,
  align: CoarseAlignment,
  out: Float64Array,
  resampling: 'nearest' | 'average',
): Promise<number> {
  const xs = axisSegments(align.col, align.factor, target.width, itemGrid.width);
  const ys = axisSegments(align.row, align.factor, target.height, itemGrid.height);
  let read = 0;
  for (const y of ys) {
    for (const x of xs) {
      const buf = await readSmaller(ds, bandNumber, x, y, resampling);
      maskNodata(buf, nodata);
      for (let r = 0; r < y.cells; r++) {
        const o = (y.cell + r) * target.width + x.cell;
        const s = r * x.cells;
        for (let c = 0; c < x.cells; c++) if (out[o + c] !== out[o + c]) out[o + c] = buf[s + c];
      }
      read += buf.length;
    }
  }
  return read;
}
