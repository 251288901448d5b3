import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { LabelDimension, TileContext, TileWindow, windowPixels } from '../../raster/cube/model';
import { parameterInvalid, requireCube } from './common';

/** Each output cell (one x/y plane) copied from a parent cell, or no-data where the source is -1. */
class PlaneMapCube extends DataCube {
  constructor(
    private readonly parent: DataCube,
    shape: { dims: LabelDimension[]; order: string[] },
    private readonly sources: Int32Array,
  ) {
    super({ dims: shape.dims, grid: parent.grid, order: shape.order });
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const source = await this.parent.tile(win, ctx);
    const pixels = windowPixels(win);
    const out = new Float64Array(this.sources.length * pixels).fill(NaN);
    this.sources.forEach((s, c) => {
      if (s >= 0) out.set(source.subarray(s * pixels, (s + 1) * pixels), c * pixels);
    });
    return out;
  }
}

/** Strides of the parent's cells per non-spatial dimension (layout order). */
function strides(dims: LabelDimension[]): number[] {
  const out = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= dims[i].labels.length;
  }
  return out;
}

/** Visits every combination of label indices of `sizes` in row-major order. */
function* combinations(sizes: number[]): Generator<number[]> {
  const total = sizes.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(sizes.length).fill(0);
  for (let n = 0; n < total; n++) {
    yield idx;
    for (let i = sizes.length - 1; i >= 0; i--) {
      if (++idx[i] < sizes[i]) break;
      idx[i] = 0;
    }
  }
}

function checkSpatial(cube: DataCube, name: string, process: string, parameter: string): void {
  if (cube.grid && (name === cube.grid.xName || name === cube.grid.yName)) {
    throw parameterInvalid(process, parameter, 'the x and y dimensions cannot be flattened or created this way');
  }
}

export const flattenDimensions = defineProcess(
  'flatten_dimensions',
  {
    summary: 'Combine dimensions into one',
    description:
      'Replaces several dimensions (not x or y) by one dimension of type other whose labels join the labels of the combined ' +
      'dimensions with `label_separator`, in the order given (the last dimension varies fastest). The new dimension takes the place ' +
      'of the first combined dimension.',
    parameters: {
      data: 'A data cube.',
      dimensions: 'The dimensions to combine, in the order their labels are joined.',
      target_dimension: 'Name of the new dimension.',
      label_separator: 'Text put between the joined labels.',
    },
    returns: 'The data cube with the combined dimension.',
    exceptions: {
      DimensionNotAvailable: 'One of the dimensions does not exist.',
      TargetDimensionExists: 'A dimension with the target name exists already.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'flatten_dimensions');
    const names = (args.dimensions as unknown[]).map(String);
    const target = String(args.target_dimension);
    const sep = String(args.label_separator ?? '~');
    if (names.length === 0) throw parameterInvalid('flatten_dimensions', 'dimensions', 'name at least one dimension');
    for (const n of names) {
      checkSpatial(cube, n, 'flatten_dimensions', 'dimensions');
      if (!cube.dims.some((d) => d.name === n)) throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${n}'.`);
    }
    if (cube.order.includes(target) && !names.includes(target)) {
      throw new ProcessException('TargetDimensionExists', `The data cube already has a dimension '${target}'.`);
    }
    const flat = names.map((n) => cube.dims.findIndex((d) => d.name === n));
    const labels: string[] = [];
    for (const combo of combinations(flat.map((i) => cube.dims[i].labels.length))) {
      labels.push(combo.map((k, j) => String(cube.dims[flat[j]].labels[k])).join(sep));
    }
    const position = Math.min(...flat);
    const kept = cube.dims.map((_, i) => i).filter((i) => !flat.includes(i));
    const newDim: LabelDimension = { name: target, type: 'other', labels };
    // Output dims: kept dims in order, the new one where the first combined dimension was.
    const layout: Array<number | 'new'> = [];
    for (const i of kept) {
      if (i > position && !layout.includes('new')) layout.push('new');
      layout.push(i);
    }
    if (!layout.includes('new')) layout.push('new');
    const dims = layout.map((i) => (i === 'new' ? newDim : cube.dims[i]));
    const stride = strides(cube.dims);
    const sources = new Int32Array(dims.reduce((a, d) => a * d.labels.length, 1));
    let c = 0;
    const flatSizes = flat.map((i) => cube.dims[i].labels.length);
    for (const combo of combinations(dims.map((d) => d.labels.length))) {
      let s = 0;
      layout.forEach((i, j) => {
        if (i === 'new') {
          // Decode the flattened index into the combined dimensions' indices.
          let rest = combo[j];
          for (let f = flat.length - 1; f >= 0; f--) {
            s += (rest % flatSizes[f]) * stride[flat[f]];
            rest = Math.floor(rest / flatSizes[f]);
          }
        } else s += combo[j] * stride[i];
      });
      sources[c++] = s;
    }
    const order: string[] = [];
    for (const n of cube.order) {
      if (!names.includes(n)) order.push(n);
      else if (!order.includes(target)) order.push(target);
    }
    return new PlaneMapCube(cube, { dims, order }, sources);
  },
);

export const unflattenDimension = defineProcess(
  'unflatten_dimension',
  {
    summary: 'Split a dimension into several',
    description:
      'Splits the labels of a dimension (not x or y) at `label_separator` and replaces the dimension by one dimension of type other ' +
      'per part, labelled with the distinct parts in order of appearance. Combinations of parts without a source label hold no-data.',
    parameters: {
      data: 'A data cube.',
      dimension: 'The dimension to split.',
      target_dimensions: 'Names of the new dimensions, one per label part, in order.',
      label_separator: 'Text at which labels are split.',
    },
    returns: 'The data cube with the split dimensions.',
    exceptions: {
      DimensionNotAvailable: 'The dimension does not exist.',
      TargetDimensionExists: 'A dimension with one of the target names exists already.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'unflatten_dimension');
    const name = String(args.dimension);
    const targets = (args.target_dimensions as unknown[]).map(String);
    const sep = String(args.label_separator ?? '~');
    checkSpatial(cube, name, 'unflatten_dimension', 'dimension');
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index < 0) throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
    for (const t of targets) {
      if (t !== name && cube.order.includes(t)) throw new ProcessException('TargetDimensionExists', `The data cube already has a dimension '${t}'.`);
    }
    if (targets.length < 2 || new Set(targets).size !== targets.length) {
      throw parameterInvalid('unflatten_dimension', 'target_dimensions', 'expected at least two distinct names');
    }
    const parts = cube.dims[index].labels.map((l) => String(l).split(sep));
    if (parts.some((p) => p.length !== targets.length)) {
      throw parameterInvalid('unflatten_dimension', 'label_separator', `every label must split into ${targets.length} parts`);
    }
    const partLabels = targets.map((_, j) => [...new Set(parts.map((p) => p[j]))]);
    const newDims: LabelDimension[] = targets.map((t, j) => ({ name: t, type: 'other', labels: partLabels[j] }));
    const dims = [...cube.dims.slice(0, index), ...newDims, ...cube.dims.slice(index + 1)];
    const byParts = new Map(parts.map((p, k) => [p.join('\u0000'), k]));
    const stride = strides(cube.dims);
    const sources = new Int32Array(dims.reduce((a, d) => a * d.labels.length, 1));
    let c = 0;
    for (const combo of combinations(dims.map((d) => d.labels.length))) {
      let s = 0;
      for (let i = 0; i < index; i++) s += combo[i] * stride[i];
      for (let i = index + 1; i < cube.dims.length; i++) s += combo[i + targets.length - 1] * stride[i];
      const k = byParts.get(targets.map((_, j) => partLabels[j][combo[index + j]]).join('\u0000'));
      sources[c++] = k === undefined ? -1 : s + k * stride[index];
    }
    const order = cube.order.flatMap((n) => (n === name ? targets : [n]));
    return new PlaneMapCube(cube, { dims, order }, sources);
  },
);
