import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { WindowCube } from '../../raster/cube/WindowCube';
import { axisCoordinates } from '../../raster/cube/model';
import { parameterInvalid, requireCallback, requireCube } from './common';

/** Whatever the condition returned for one label, as a decision. */
function accepted(result: unknown): boolean {
  if (result === null || result === undefined) return false;
  if (typeof result === 'boolean') return result;
  if (typeof result === 'number') return result !== 0 && !Number.isNaN(result);
  throw parameterInvalid('filter_labels', 'condition', 'the condition must return a boolean for each label');
}

export const filterLabels = defineProcess(
  'filter_labels',
  {
    summary: 'Keep the labels a condition accepts',
    description:
      'Evaluates the condition once per label of a dimension (the label is `value`) and keeps the labels for which it is true, in ' +
      'their order. On x or y the condition sees pixel-centre coordinates, and the kept coordinates must form one contiguous run.',
    parameters: {
      data: 'A data cube.',
      condition: 'The child process that decides, from a label (`value`) and `context`, whether to keep it.',
      dimension: 'Name of the dimension to filter.',
      context: 'Extra data handed unchanged to the condition.',
    },
    returns: 'The data cube with only the accepted labels on that dimension.',
    exceptions: { DimensionNotAvailable: 'The data cube has no dimension of that name.' },
  },
  async (args) => {
    const cube = requireCube(args.data, 'filter_labels');
    const condition = requireCallback(args.condition, 'filter_labels', 'condition');
    const name = String(args.dimension);
    const context = args.context ?? null;
    const keep = async (labels: Array<string | number>): Promise<number[]> => {
      const kept: number[] = [];
      for (let k = 0; k < labels.length; k++) if (accepted(await condition.run({ value: labels[k], context }))) kept.push(k);
      return kept;
    };
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index >= 0 && cube.dims[index].type === 'geometry') {
      throw parameterInvalid('filter_labels', 'dimension', 'geometries are selected with filter_spatial or filter_vector, not by label');
    }
    if (index >= 0) return SubsetCube.select(cube, index, await keep(cube.dims[index].labels));
    const grid = cube.grid;
    if (!grid || (name !== grid.xName && name !== grid.yName)) {
      throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
    }
    const axis = name === grid.xName ? 'x' : 'y';
    const kept = await keep(axisCoordinates(grid, axis));
    if (kept.length === 0) throw parameterInvalid('filter_labels', 'condition', `no ${axis} coordinate is kept, the result would be empty`);
    const first = kept[0];
    if (kept.some((k, i) => k !== first + i)) throw parameterInvalid('filter_labels', 'condition', `the kept ${axis} coordinates must be contiguous`);
    const win = axis === 'x'
      ? { x: first, y: 0, width: kept.length, height: grid.height }
      : { x: 0, y: first, width: grid.width, height: kept.length };
    return new WindowCube(cube as DataCube, win);
  },
);
