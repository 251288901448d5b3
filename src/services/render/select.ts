/**
 * What a tile shows of a result cube: one date (WMTS TIME, else the latest) and one band (colour
 * map) or three (RGB), every other dimension at its first label.
 */
import { OpenEOError } from '../../errors/OpenEOError';
import type { DataCube } from '../../raster/cube/DataCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import type { LabelDimension } from '../../raster/cube/model';

export interface Selection {
  /** The cube with one or three cells per pixel, in picture order. */
  cube: DataCube;
  /** The band labels shown (for a cache key and messages). */
  bands: string[];
  /** Whether the shown values are classes (bytes), which are warped by nearest neighbour. */
  classes: boolean;
}

/** The index of the label `time` names (an instant, or a date matching the label's day), else -1. */
export function dateIndex(labels: Array<string | number>, time: string): number {
  const exact = labels.findIndex((l) => String(l) === time);
  if (exact >= 0) return exact;
  const wanted = Date.parse(time);
  const instant = labels.findIndex((l) => Date.parse(String(l)) === wanted);
  if (instant >= 0) return instant;
  if (/^\d{4}-\d{2}-\d{2}$/.test(time)) return labels.findIndex((l) => String(l).slice(0, 10) === time);
  return -1;
}

/** The latest label of a temporal dimension (labels that are no dates count as earliest). */
export function latestIndex(labels: Array<string | number>): number {
  let best = labels.length - 1;
  let bestTime = -Infinity;
  labels.forEach((l, k) => {
    const t = Date.parse(String(l));
    if (t >= bestTime) {
      bestTime = t;
      best = k;
    }
  });
  return best;
}

/** Band indices to show: the configured ones, else red/green/blue by common name, else the first. */
function bandIndices(dim: LabelDimension | undefined, wanted: string[] | undefined): number[] {
  if (!dim) {
    if (wanted && wanted.length > 0) throw new OpenEOError('ProcessGraphInvalid', { reason: 'the result has no bands dimension to choose the configured bands from' });
    return [];
  }
  if (wanted && wanted.length > 0) {
    return wanted.map((name) => {
      let k = dim.labels.findIndex((l) => String(l) === name);
      if (k < 0) k = (dim.bands ?? []).findIndex((b) => b?.commonName === name);
      if (k < 0) throw new OpenEOError('ProcessGraphInvalid', { reason: `the result has no band '${name}' (it has ${dim.labels.join(', ')})` });
      return k;
    });
  }
  return defaultPictureBands(dim.bands ?? []);
}

/** Without configured bands: red, green and blue by common name when all three are there, else the first band. */
export function defaultPictureBands(bands: ReadonlyArray<{ commonName?: string } | undefined>): number[] {
  const byCommon = ['red', 'green', 'blue'].map((c) => bands.findIndex((b) => b?.commonName === c));
  return byCommon.every((k) => k >= 0) ? byCommon : [0];
}

/**
 * The cube narrowed to what the picture shows; null when `time` names no date of the result.
 * Only labels are chosen here: nothing is read.
 */
export function selectPicture(cube: DataCube, bands: string[] | undefined, time: string | undefined): Selection | null {
  let selected = cube;
  let shownBands: string[] = [];
  let classes = false;
  for (let d = 0; d < cube.dims.length; d++) {
    const dim = cube.dims[d];
    let indices: number[];
    if (dim.type === 'temporal') {
      const k = time === undefined ? latestIndex(dim.labels) : dateIndex(dim.labels, time);
      if (k < 0) return null;
      indices = [k];
    } else if (dim.type === 'bands') {
      indices = bandIndices(dim, bands);
      shownBands = indices.map((k) => String(dim.labels[k]));
      classes = indices.every((k) => dim.bands?.[k]?.dataType === 'Byte');
    } else {
      indices = [0];
    }
    selected = SubsetCube.select(selected, d, indices);
  }
  if (!cube.dims.some((d) => d.type === 'bands')) bandIndices(undefined, bands);
  if (selected.cellsPerPixel !== 1 && selected.cellsPerPixel !== 3) {
    throw new OpenEOError('ProcessGraphInvalid', { reason: `a map shows one band (colour map) or three (RGB), not ${selected.cellsPerPixel}` });
  }
  return { cube: selected, bands: shownBands, classes };
}
