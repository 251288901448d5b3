import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { DataCube } from '../../raster/cube/DataCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { inInterval, isEmptyInterval, parseInterval } from '../../raster/cube/time';
import { requireCube, parameterInvalid } from './common';

export const filterTemporal = defineProcess(
  'filter_temporal',
  {
    summary: 'Temporal filter by interval',
    description:
      'Keeps the labels of temporal dimensions that lie in the half-open interval `[start, end)`. Dates without time mean midnight UTC; ' +
      'a `null` end leaves that side open. Without `dimension`, all temporal dimensions are filtered.',
    parameters: {
      data: 'A data cube with at least one temporal dimension.',
      extent: 'The interval `[start, end)`; one of the two may be `null`.',
      dimension: 'Name of the temporal dimension to filter; `null` filters all temporal dimensions.',
    },
    returns: 'The cube with only the labels inside the interval on the filtered dimensions.',
    exceptions: {
      DimensionNotAvailable: 'The cube has no temporal dimension of that name.',
      TemporalExtentEmpty: 'The interval is empty: its end is not after its start.',
    },
  },
  (args) => {
    let cube: DataCube = requireCube(args.data, 'filter_temporal');
    const interval = parseInterval(args.extent);
    if ('error' in interval) throw parameterInvalid('filter_temporal', 'extent', interval.error);
    if (isEmptyInterval(interval)) throw new ProcessException('TemporalExtentEmpty', 'The temporal extent is empty: its end is not after its start.');
    const name = args.dimension ?? null;
    const targets = cube.dims.filter((d) => d.type === 'temporal' && (name === null || d.name === name)).map((d) => d.name);
    if (targets.length === 0) {
      const what = name === null ? 'The data cube has no temporal dimension.' : `The data cube has no temporal dimension '${name}'.`;
      throw new ProcessException('DimensionNotAvailable', what);
    }
    for (const target of targets) {
      const index = cube.dims.findIndex((d) => d.name === target);
      const keep: number[] = [];
      cube.dims[index].labels.forEach((label, k) => {
        if (inInterval(String(label), interval)) keep.push(k);
      });
      cube = SubsetCube.select(cube, index, keep);
    }
    return cube;
  },
);
