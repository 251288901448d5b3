import { defineProcess } from '../define';
import { MapCube } from '../../raster/cube/MapCube';
import { requireCallback, requireCube, toTileVector } from './common';
import { fusedApply } from './fusion';
import { applyUdf, udfChild } from './runUdf';

export const apply = defineProcess(
  'apply',
  {
    summary: 'Apply a process to each value',
    description:
      'Runs the child process for every value of the data cube and keeps the dimensions and labels. ' +
      'The child process receives the values of a whole tile at once as `x`; it must compute each value independently.',
    parameters: {
      data: 'A data cube.',
      process: 'The child process, computing a new value from `x` (and `context`).',
      context: 'Extra data handed unchanged to the child process.',
    },
    returns: 'A data cube with the same dimensions and the computed values.',
  },
  (args, ctx) => {
    const cube = requireCube(args.data, 'apply');
    const process = requireCallback(args.process, 'apply', 'process');
    const context = args.context ?? null;
    // A UDF as the whole child process gets whole tiles, not single values.
    const udf = udfChild(process, 'x', context);
    if (udf) return applyUdf(cube, udf, ctx);
    const fused = fusedApply(cube, process, context);
    if (fused) return fused;
    return new MapCube(cube, { dims: cube.dims, grid: cube.grid, order: cube.order }, async (tile) => {
      const result = await process.run({ x: tile, context });
      return toTileVector(result, tile.length, 'apply', 'process');
    });
  },
);
