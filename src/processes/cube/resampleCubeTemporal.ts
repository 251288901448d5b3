import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { MapCube } from '../../raster/cube/MapCube';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { cellsAround, windowPixels } from '../../raster/cube/model';
import { parseInstant } from '../../raster/cube/time';
import { parameterInvalid, requireCube } from './common';

const DAY = 86_400_000;

/** Source label indices ordered by distance to `t` (ties: the earlier one first), within `limit` ms. */
function byDistance(times: number[], t: number, limit: number): number[] {
  return times
    .map((s, k) => ({ k, d: Math.abs(s - t), s }))
    .filter((c) => !Number.isNaN(c.s) && c.d <= limit)
    .sort((a, b) => a.d - b.d || a.s - b.s)
    .map((c) => c.k);
}

/** One temporal dimension of `cube` resampled onto `targetLabels` (nearest date; with a window, nearest valid value per pixel). */
function resampleDimension(cube: DataCube, index: number, targetLabels: Array<string | number>, validWithin: number | null): DataCube {
  const times = cube.dims[index].labels.map((l) => parseInstant(String(l)));
  const targets = targetLabels.map((l) => parseInstant(String(l)));
  const dims = cube.dims.map((d, i) => (i === index ? { name: d.name, type: d.type, labels: [...targetLabels] } : d));
  if (validWithin === null) {
    const picks = targets.map((t) => byDistance(times, t, Infinity)[0] ?? -1);
    if (picks.some((k) => k < 0)) throw parameterInvalid('resample_cube_temporal', 'data', 'the data cube has no usable dates');
    return new RelabelCube(SubsetCube.select(cube, index, picks), { dims, grid: cube.grid, order: cube.order });
  }
  const candidates = targets.map((t) => byDistance(times, t, validWithin * DAY));
  const n = times.length;
  return new MapCube(cube, { dims, grid: cube.grid, order: cube.order }, (tile, win) => {
    const around = cellsAround(cube.dims, index);
    const outer = around.outer;
    const inner = around.inner * windowPixels(win);
    const out = new Float64Array(outer * targets.length * inner).fill(NaN);
    for (let a = 0; a < outer; a++) {
      for (let g = 0; g < targets.length; g++) {
        const base = (a * targets.length + g) * inner;
        for (let p = 0; p < inner; p++) {
          for (const k of candidates[g]) {
            const v = tile[(a * n + k) * inner + p];
            if (Number.isFinite(v)) {
              out[base + p] = v;
              break;
            }
          }
        }
      }
    }
    return out;
  });
}

export const resampleCubeTemporal = defineProcess(
  'resample_cube_temporal',
  {
    summary: 'Take the dates of another cube',
    description:
      'Gives temporal dimensions of `data` the labels of the same-named dimensions of `target`: each target date takes the values of ' +
      'the nearest date of `data` (the earlier one on ties), whatever they are. With `valid_within` (days), each pixel takes the ' +
      'nearest valid value within that many days before or after the target date, or no-data when there is none.',
    parameters: {
      data: 'The data cube to resample.',
      target: 'The data cube whose temporal labels the result gets.',
      dimension: 'The temporal dimension to resample (present in both cubes); `null` resamples all temporal dimensions both cubes share.',
      valid_within: 'Days before and after a target date in which to look for valid values per pixel; `null` takes the nearest date as it is.',
    },
    returns: 'The data cube with the target\'s labels on the resampled temporal dimensions.',
    exceptions: {
      DimensionMismatch: 'The named dimension is not temporal in both cubes, or the cubes share no temporal dimension.',
      DimensionNotAvailable: 'The named dimension is missing in one of the cubes.',
    },
  },
  (args) => {
    let cube = requireCube(args.data, 'resample_cube_temporal');
    const target = requireCube(args.target, 'resample_cube_temporal', 'target');
    const validWithin = args.valid_within === null || args.valid_within === undefined ? null : Number(args.valid_within);
    if (validWithin !== null && !(validWithin >= 0)) throw parameterInvalid('resample_cube_temporal', 'valid_within', 'expected a non-negative number of days');
    let names: string[];
    if (args.dimension !== null && args.dimension !== undefined) {
      const name = String(args.dimension);
      const a = cube.dims.find((d) => d.name === name);
      const b = target.dims.find((d) => d.name === name);
      if (!a || !b) throw new ProcessException('DimensionNotAvailable', `Both cubes need a dimension '${name}'.`);
      if (a.type !== 'temporal' || b.type !== 'temporal') throw new ProcessException('DimensionMismatch', `The dimension '${name}' is not temporal in both cubes.`);
      names = [name];
    } else {
      names = cube.dims.filter((d) => d.type === 'temporal' && target.dims.some((o) => o.name === d.name && o.type === 'temporal')).map((d) => d.name);
      if (names.length === 0) throw new ProcessException('DimensionMismatch', 'The cubes have no temporal dimension of the same name.');
    }
    for (const name of names) {
      const index = cube.dims.findIndex((d) => d.name === name);
      cube = resampleDimension(cube, index, target.dims.find((d) => d.name === name)!.labels, validWithin);
    }
    return cube;
  },
);
