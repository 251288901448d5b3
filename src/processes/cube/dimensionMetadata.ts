import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import { LabelDimension, axisCoordinates } from '../../raster/cube/model';
import { parameterInvalid, requireCube } from './common';

/** Processes that only change dimension names and labels; the values pass through unchanged. */

function hasDimension(cube: DataCube, name: string): boolean {
  return cube.order.includes(name);
}

function notAvailable(name: string): ProcessException {
  return new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
}

export const dimensionLabels = defineProcess(
  'dimension_labels',
  {
    summary: 'The labels of a dimension',
    description: 'Lists the labels of a dimension in their order: band names, timestamps, or pixel-centre coordinates for x and y.',
    parameters: { data: 'The data cube.', dimension: 'Name of the dimension.' },
    returns: 'The labels as an array.',
    exceptions: { DimensionNotAvailable: 'The data cube has no dimension of that name.' },
  },
  (args) => {
    const cube = requireCube(args.data, 'dimension_labels');
    const name = String(args.dimension);
    if (cube.grid && name === cube.grid.xName) return axisCoordinates(cube.grid, 'x');
    if (cube.grid && name === cube.grid.yName) return axisCoordinates(cube.grid, 'y');
    const dim = cube.dims.find((d) => d.name === name);
    if (!dim) throw notAvailable(name);
    return [...dim.labels];
  },
);

export const addDimension = defineProcess(
  'add_dimension',
  {
    summary: 'Add a dimension',
    description: 'Adds a dimension with a single label in front of the existing ones; the values are unchanged.',
    parameters: {
      data: 'The data cube.',
      name: 'Name of the new dimension.',
      label: 'The single label of the new dimension.',
      type: 'Type of the new dimension; spatial and geometry dimensions cannot be added.',
    },
    returns: 'The data cube with the additional dimension.',
    exceptions: { DimensionExists: 'The data cube already has a dimension of that name.' },
  },
  (args) => {
    const cube = requireCube(args.data, 'add_dimension');
    const name = String(args.name);
    if (hasDimension(cube, name)) throw new ProcessException('DimensionExists', `The data cube already has a dimension '${name}'.`);
    const type = args.type ?? 'other';
    if (type !== 'bands' && type !== 'temporal' && type !== 'other') {
      throw parameterInvalid('add_dimension', 'type', `dimensions of type '${type}' cannot be added`);
    }
    const added: LabelDimension = { name, type, labels: [args.label as string | number] };
    return new RelabelCube(cube, { dims: [added, ...cube.dims], grid: cube.grid, order: [name, ...cube.order] });
  },
);

export const dropDimension = defineProcess(
  'drop_dimension',
  {
    summary: 'Remove a dimension',
    description: 'Removes a dimension that has a single label left; x and y cannot be removed.',
    parameters: { data: 'The data cube.', name: 'Name of the dimension to remove.' },
    returns: 'The data cube without the dimension.',
    exceptions: {
      DimensionLabelCountMismatch: 'The dimension has more than one label; reduce or filter it first.',
      DimensionNotAvailable: 'The data cube has no dimension of that name.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'drop_dimension');
    const name = String(args.name);
    if (!hasDimension(cube, name)) throw notAvailable(name);
    const dim = cube.dims.find((d) => d.name === name);
    const size = dim ? dim.labels.length : name === cube.grid!.xName ? cube.grid!.width : cube.grid!.height;
    if (size > 1) throw new ProcessException('DimensionLabelCountMismatch', `The dimension '${name}' has ${size} labels; only a dimension with one label can be removed.`);
    if (!dim) throw parameterInvalid('drop_dimension', 'name', 'the spatial dimensions x and y cannot be removed');
    return new RelabelCube(cube, { dims: cube.dims.filter((d) => d !== dim), grid: cube.grid, order: cube.order.filter((n) => n !== name) });
  },
);

export const renameDimension = defineProcess(
  'rename_dimension',
  {
    summary: 'Rename a dimension',
    description: 'Gives a dimension a new name; labels and values are unchanged.',
    parameters: { data: 'The data cube.', source: 'Current name of the dimension.', target: 'New name of the dimension.' },
    returns: 'The data cube with the renamed dimension.',
    exceptions: {
      DimensionNotAvailable: 'The data cube has no dimension named like `source`.',
      DimensionExists: 'The data cube already has a dimension named like `target`.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'rename_dimension');
    const source = String(args.source);
    const target = String(args.target);
    if (!hasDimension(cube, source)) throw notAvailable(source);
    if (hasDimension(cube, target)) throw new ProcessException('DimensionExists', `The data cube already has a dimension '${target}'.`);
    const rename = (n: string) => (n === source ? target : n);
    const grid = cube.grid ? { ...cube.grid, xName: rename(cube.grid.xName), yName: rename(cube.grid.yName) } : null;
    return new RelabelCube(cube, { dims: cube.dims.map((d) => ({ ...d, name: rename(d.name) })), grid, order: cube.order.map(rename) });
  },
);

export const renameLabels = defineProcess(
  'rename_labels',
  {
    summary: 'Rename dimension labels',
    description:
      'Renames labels of a dimension from `source` to `target`; order and values stay. Without `source`, the labels must be ' +
      'the numbers 0, 1, 2, … and are replaced by the `target` label at that index.',
    parameters: {
      data: 'The data cube.',
      dimension: 'Name of the dimension whose labels are renamed.',
      target: 'The new labels.',
      source: 'The labels to rename, matched by position with `target`; empty to use the enumerated labels.',
    },
    returns: 'The data cube with the renamed labels.',
    exceptions: {
      LabelsNotEnumerated: 'No `source` was given, but the labels are not the numbers 0, 1, 2, ….',
      LabelMismatch: '`source` and `target` have different numbers of labels.',
      LabelNotAvailable: 'A label in `source` does not exist in the dimension.',
      LabelExists: 'A label in `target` exists already in the dimension.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'rename_labels');
    const name = String(args.dimension);
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index < 0) {
      if (hasDimension(cube, name)) throw parameterInvalid('rename_labels', 'dimension', 'the labels of x and y are coordinates and cannot be renamed');
      throw notAvailable(name);
    }
    const dim = cube.dims[index];
    const target = (args.target ?? []) as Array<string | number>;
    const source = (args.source ?? []) as Array<string | number>;
    const labels = [...dim.labels];
    let positions: number[];
    if (source.length === 0) {
      const enumerated = labels.every((l, i) => l === i || l === String(i));
      if (!enumerated) throw new ProcessException('LabelsNotEnumerated', `The labels of '${name}' are not the numbers 0, 1, 2, …; give the labels to rename in 'source'.`);
      if (target.length > labels.length) throw new ProcessException('LabelMismatch', `'${name}' has ${labels.length} labels, 'target' has ${target.length}.`);
      positions = target.map((_, i) => i);
    } else {
      if (source.length !== target.length) throw new ProcessException('LabelMismatch', `'source' has ${source.length} labels, 'target' has ${target.length}.`);
      positions = source.map((s) => {
        const at = labels.findIndex((l) => l === s || String(l) === String(s));
        if (at < 0) throw new ProcessException('LabelNotAvailable', `The dimension '${name}' has no label '${s}'.`);
        return at;
      });
    }
    positions.forEach((at, i) => (labels[at] = target[i]));
    const renamed = new Set(positions);
    const kept = labels.filter((_, i) => !renamed.has(i));
    const all = labels.map(String);
    if (new Set(all).size !== all.length || target.some((t) => kept.some((k) => String(k) === String(t)))) {
      throw new ProcessException('LabelExists', `After renaming, '${name}' would have the same label twice.`);
    }
    const dims = cube.dims.map((d, i) => (i === index ? { ...d, labels } : d));
    return new RelabelCube(cube, { dims, grid: cube.grid, order: cube.order });
  },
);
