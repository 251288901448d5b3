import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { PixelArray } from '../types';
import { MapCube } from '../../raster/cube/MapCube';
import { cellsPerPixel, windowPixels } from '../../raster/cube/model';
import { splitAlong } from '../../raster/cube/alongDimension';
import { reduceAlongXY } from './reduceDimensionXY';
import { requireCallback, requireCube, toTileVector } from './common';
import { fusedReduce } from './fusion';
import { reduceDimensionUdf, udfChild } from './runUdf';

export const reduceDimension = defineProcess(
  'reduce_dimension',
  {
    summary: 'Reduce a dimension',
    description:
      'Removes a dimension by combining, for every pixel, all values along it into one with the reducer. ' +
      'The reducer receives `data` as a labeled array (e.g. all dates of a pixel) and is evaluated for whole tiles at once.',
    parameters: {
      data: 'A data cube.',
      reducer: 'The child process that turns the values along the dimension (`data`, with `context`) into one value.',
      dimension: 'Name of the dimension to reduce.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'The data cube without the reduced dimension.',
    exceptions: {
      DimensionNotAvailable: 'The data cube has no dimension of that name.',
    },
  },
  (args, ctx) => {
    const cube = requireCube(args.data, 'reduce_dimension');
    const reducer = requireCallback(args.reducer, 'reduce_dimension', 'reducer');
    const name = String(args.dimension);
    const context = args.context ?? null;
    if (cube.grid && (name === cube.grid.xName || name === cube.grid.yName)) return reduceAlongXY(cube, name, reducer, context);
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index < 0) throw new ProcessException('DimensionNotAvailable', `The data cube has no dimension '${name}'.`);
    // A UDF as the whole reducer gets whole tiles, not the values of one pixel.
    const udf = udfChild(reducer, 'data', context);
    if (udf) return reduceDimensionUdf(cube, name, udf, ctx);
    const labels = cube.dims[index].labels;
    const dims = cube.dims.filter((_, i) => i !== index);
    const order = cube.order.filter((n) => n !== name);
    const fused = fusedReduce(cube, index, reducer, context, { dims, grid: cube.grid, order });
    if (fused) return fused;
    return new MapCube(cube, { dims, grid: cube.grid, order }, async (tile, win) => {
      const vectors = splitAlong(tile, cube, index, windowPixels(win));
      const expected = cellsPerPixel({ dims }) * windowPixels(win);
      const result = await reducer.run({ data: new PixelArray(vectors, labels, expected), context });
      return toTileVector(result, expected, 'reduce_dimension', 'reducer');
    });
  },
);
