import { defineProcess } from '../define';
import { MemoryCube } from '../../raster/cube/MemoryCube';

export const createDataCube = defineProcess(
  'create_data_cube',
  {
    summary: 'An empty data cube',
    description:
      'Creates a data cube without any dimension, which holds a single no-data value. Dimensions can then be added with ' +
      '`add_dimension`, and other cubes merged into it with `merge_cubes`.',
    returns: 'A data cube without dimensions.',
  },
  () => new MemoryCube({ dims: [], grid: null, order: [] }, new Float64Array([NaN])),
);
