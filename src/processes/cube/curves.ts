import { defineProcess } from '../define';
import { PixelArray } from '../types';
import type { Callback, PixelVector } from '../types';
import { LabeledArray } from '../values';
import { DataCube } from '../../raster/cube/DataCube';
import { MapCube } from '../../raster/cube/MapCube';
import { LabelDimension, cellsAround, windowPixels } from '../../raster/cube/model';
import { parseInstant } from '../../raster/cube/time';
import { parameterInvalid, requireCallback, requireCube, toTileVector } from './common';
import { splitAlong } from '../../raster/cube/alongDimension';

/** The independent variable of a label: numbers as they are, dates and date-times as seconds since 1970. */
function xOf(label: unknown): number {
  if (typeof label === 'number') return label;
  const t = parseInstant(String(label));
  if (!Number.isNaN(t)) return t / 1000;
  const n = Number(label);
  return Number.isFinite(n) ? n : NaN;
}

/** Evaluates the model for every label: one vector of `length` values per label. */
async function model(fn: Callback, xs: number[], params: PixelVector[], length: number): Promise<Float64Array[]> {
  const parameters = new PixelArray(params, params.map((_, j) => j), length);
  const out: Float64Array[] = [];
  for (const x of xs) out.push(toTileVector(await fn.run({ x, parameters }), length, 'fit_curve', 'function'));
  return out;
}

/** Sum of squared residuals per pixel over the labels with data. */
function cost(ys: Float64Array[], fs: Float64Array[], length: number): Float64Array {
  const c = new Float64Array(length);
  for (let k = 0; k < ys.length; k++) {
    const y = ys[k], f = fs[k];
    for (let i = 0; i < length; i++) if (y[i] === y[i]) c[i] += (y[i] - f[i]) * (y[i] - f[i]);
  }
  return c;
}

/** Solves the n×n system `a·x = b` (row-major) in place by Gaussian elimination with pivoting; false when singular. */
function solve(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    if (!(Math.abs(a[pivot * n + col]) > 1e-300)) return false;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / a[col * n + col];
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= a[r * n + c] * b[c];
    b[r] = s / a[r * n + r];
  }
  return true;
}

const MAX_ITERATIONS = 100;

/**
 * Levenberg–Marquardt for every pixel at once: the model is evaluated for all pixels per label
 * (one child-process run per label), the Jacobian by forward differences, and each pixel keeps
 * its own damping factor and accepts a step only when it lowers its squared error.
 */
export async function fitPixels(fn: Callback, xs: number[], ys: Float64Array[], initial: number[], length: number, ignoreNodata: boolean): Promise<Float64Array[]> {
  const n = initial.length;
  const params = initial.map((v) => new Float64Array(length).fill(v));
  let fs = await model(fn, xs, params, length);
  let c = cost(ys, fs, length);
  const lambda = new Float64Array(length).fill(1e-3);
  const done = new Uint8Array(length);
  const valid = new Uint32Array(length);
  for (const y of ys) for (let i = 0; i < length; i++) if (y[i] === y[i]) valid[i]++;
  for (let i = 0; i < length; i++) if (valid[i] < n || (!ignoreNodata && valid[i] < ys.length)) done[i] = 2;
  const a = new Float64Array(n * n);
  const g = new Float64Array(n);
  for (let it = 0; it < MAX_ITERATIONS && done.some((d) => d === 0); it++) {
    // Forward differences for the Jacobian.
    const steps = params.map((p) => p.map((v) => 1e-7 * Math.max(1, Math.abs(v))));
    const jac: Float64Array[][] = [];
    for (let j = 0; j < n; j++) {
      const shifted = params.map((p, q) => (q === j ? p.map((v, i) => v + steps[j][i]) : p));
      const fj = await model(fn, xs, shifted, length);
      jac.push(fj.map((f, k) => f.map((v, i) => (v - fs[k][i]) / steps[j][i])));
    }
    const trial = params.map((p) => Float64Array.from(p));
    for (let i = 0; i < length; i++) {
      if (done[i]) continue;
      a.fill(0);
      g.fill(0);
      for (let k = 0; k < xs.length; k++) {
        const y = ys[k][i];
        if (y !== y) continue;
        const r = y - fs[k][i];
        for (let p = 0; p < n; p++) {
          const jp = jac[p][k][i];
          g[p] += jp * r;
          for (let q = 0; q < n; q++) a[p * n + q] += jp * jac[q][k][i];
        }
      }
      for (let p = 0; p < n; p++) a[p * n + p] *= 1 + lambda[i];
      if (!solve(a, g, n)) {
        lambda[i] *= 10;
        continue;
      }
      for (let p = 0; p < n; p++) trial[p][i] += g[p];
    }
    const ft = await model(fn, xs, trial, length);
    const ct = cost(ys, ft, length);
    for (let i = 0; i < length; i++) {
      if (done[i]) continue;
      if (ct[i] < c[i]) {
        const improvement = c[i] - ct[i];
        for (let p = 0; p < n; p++) params[p][i] = trial[p][i];
        for (let k = 0; k < xs.length; k++) fs[k][i] = ft[k][i];
        lambda[i] = Math.max(lambda[i] / 10, 1e-12);
        if (improvement <= 1e-12 * Math.max(c[i], 1e-300)) done[i] = 1;
        c[i] = ct[i];
      } else {
        lambda[i] *= 10;
        if (lambda[i] > 1e12) done[i] = 1;
      }
    }
  }
  for (let i = 0; i < length; i++) if (done[i] === 2) for (const p of params) p[i] = NaN;
  return params;
}

export const fitCurve = defineProcess(
  'fit_curve',
  {
    summary: 'Fit a model function by least squares',
    description:
      'Fits the parameters of the model function to the values of a labeled array by non-linear least squares ' +
      '(Levenberg–Marquardt, starting at `parameters`). The labels are the independent variable `x`: numbers as they are, ' +
      'dates and date-times as seconds since 1970-01-01. Used in `apply_dimension` over a temporal dimension it fits every pixel ' +
      'of a tile at once. Pixels with fewer valid values than parameters (or with any no-data when `ignore_nodata` is false) give no-data.',
    parameters: {
      data: 'The values to fit, labelled with their `x` (e.g. the dates of a time series).',
      parameters: 'The initial guess, one number per model parameter.',
      function: 'The model: computes `y` from `x` and the array `parameters`.',
      ignore_nodata: 'Skip no-data values (true) or give no-data when any value is missing (false).',
    },
    returns: 'The fitted parameters.',
  },
  async (args) => {
    const fn = requireCallback(args.function, 'fit_curve', 'function');
    const initial = (args.parameters as unknown[]).map(Number);
    if (initial.length === 0 || initial.some((v) => !Number.isFinite(v))) throw parameterInvalid('fit_curve', 'parameters', 'expected finite numbers');
    const ignore = args.ignore_nodata !== false;
    const data = args.data;
    if (data instanceof PixelArray) {
      const xs = data.labels.map(xOf);
      if (xs.some(Number.isNaN)) throw parameterInvalid('fit_curve', 'data', 'the labels must be numbers or dates');
      return fitPixels(fn, xs, data.vectors, initial, data.length, ignore);
    }
    const values = data instanceof LabeledArray ? data.values : (data as unknown[]);
    const labels = data instanceof LabeledArray ? data.labels : values.map((_, k) => k);
    const xs = labels.map(xOf);
    if (xs.some(Number.isNaN)) throw parameterInvalid('fit_curve', 'data', 'the labels must be numbers or dates');
    const ys = values.map((v) => new Float64Array([typeof v === 'number' ? v : NaN]));
    const fitted = await fitPixels(fn, xs, ys, initial, 1, ignore);
    return fitted.map((p) => (Number.isNaN(p[0]) ? null : p[0]));
  },
);

export const predictCurve = defineProcess(
  'predict_curve',
  {
    summary: 'Evaluate a fitted model function',
    description:
      'Evaluates the model function with the fitted parameters of every pixel for the given labels. The parameters cube has one ' +
      'dimension (not x or y) that holds the parameters in order, e.g. the one `apply_dimension` with `fit_curve` made; it is ' +
      'replaced by `dimension` with the `labels` (dates become a temporal dimension; their `x` is seconds since 1970-01-01). ' +
      'Labels are required.',
    parameters: {
      parameters: 'A data cube holding fitted parameters along one dimension.',
      function: 'The model: computes `y` from `x` and the array `parameters`.',
      dimension: 'Name of the dimension of predictions, replacing the parameter dimension.',
      labels: 'The labels (numbers, dates or date-times) to predict values for.',
    },
    returns: 'The data cube of predicted values.',
  },
  (args) => {
    const cube = requireCube(args.parameters, 'predict_curve', 'parameters');
    const fn = requireCallback(args.function, 'predict_curve', 'function');
    const labels = args.labels as Array<string | number> | null;
    if (!Array.isArray(labels) || labels.length === 0) throw parameterInvalid('predict_curve', 'labels', 'give the labels to predict values for');
    const xs = labels.map(xOf);
    if (xs.some(Number.isNaN)) throw parameterInvalid('predict_curve', 'labels', 'labels must be numbers, dates or date-times');
    // The parameter dimension: the only non-spatial one, or else the only one of type other.
    const others = cube.dims.map((_, i) => i).filter((i) => cube.dims[i].type === 'other');
    const index = cube.dims.length === 1 ? 0 : others.length === 1 ? others[0] : -1;
    if (index < 0) throw parameterInvalid('predict_curve', 'parameters', 'the cube needs exactly one dimension (of type other) holding the parameters');
    const name = String(args.dimension);
    const temporal = labels.every((l) => typeof l === 'string');
    const target: LabelDimension = { name, type: temporal ? 'temporal' : 'other', labels: [...labels] };
    const source = cube.dims[index];
    const dims = cube.dims.map((d, i) => (i === index ? target : d));
    const order = cube.order.map((n) => (n === source.name ? name : n));
    return new MapCube(cube, { dims, grid: cube.grid, order }, async (tile, win) => {
      const params = splitAlong(tile, cube as DataCube, index, windowPixels(win));
      const length = params.length ? params[0].length : 0;
      const values = await model(fn, xs, params, length);
      const { outer } = cellsAround(cube.dims, index);
      const inner = length / outer;
      const out = new Float64Array(outer * xs.length * inner);
      for (let a = 0; a < outer; a++) for (let k = 0; k < xs.length; k++) out.set(values[k].subarray(a * inner, (a + 1) * inner), (a * xs.length + k) * inner);
      return out;
    });
  },
);
