import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import { LabelDimension, axisCoordinates } from '../../raster/cube/model';
import { dimensionNotAvailable, hasDimension, parameterInvalid, requireCube } from './common';

/**
 * dimension_labels, add_dimension, drop_dimension and rename_dimension: processes that only
 * read or change a cube's dimensions; the values pass through unchanged.
 */

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
    if (!dim) throw dimensionNotAvailable(name);
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
    if (!hasDimension(cube, name)) throw dimensionNotAvailable(name);
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
    if (!hasDimension(cube, source)) throw dimensionNotAvailable(source);
    if (hasDimension(cube, target)) throw new ProcessException('DimensionExists', `The data cube already has a dimension '${target}'.`);
    const rename = (n: string) => (n === source ? target : n);
    const grid = cube.grid ? { ...cube.grid, xName: rename(cube.grid.xName), yName: rename(cube.grid.yName) } : null;
    return new RelabelCube(cube, { dims: cube.dims.map((d) => ({ ...d, name: rename(d.name) })), grid, order: cube.order.map(rename) });
  },
);
