import { defineProcess } from '../define';
import { WindowCube } from '../../raster/cube/WindowCube';
import { clipWindow } from '../../raster/cube/clip';
import { parseSpatialExtent } from '../../raster/read/bbox';
import { transformBounds } from '../../gdal/srs';
import { requireCube, parameterInvalid } from './common';

export const filterBbox = defineProcess(
  'filter_bbox',
  {
    summary: 'Spatial filter by bounding box',
    description:
      'Keeps the pixels whose centres lie inside the bounding box (borders included). The box may be given in any CRS (`crs`, WGS 84 by default) ' +
      'and is transformed to the CRS of the cube. A box outside the data gives a cube without pixels.',
    parameters: {
      data: 'A raster data cube.',
      extent: 'The bounding box: west, south, east, north and optionally `crs`.',
    },
    returns: 'The cube restricted to the bounding box; everything else is unchanged.',
  },
  (args) => {
    const cube = requireCube(args.data, 'filter_bbox');
    if (!cube.grid) throw parameterInvalid('filter_bbox', 'data', 'the data cube has no spatial dimensions');
    const extent = parseSpatialExtent(args.extent, 'filter_bbox', 'extent');
    if (!cube.grid.crs) throw parameterInvalid('filter_bbox', 'data', 'the data cube has no coordinate reference system');
    const bounds = transformBounds(extent.bounds, extent.crs, cube.grid.crs);
    const window = (bounds && clipWindow(cube.grid, bounds)) ?? { x: 0, y: 0, width: 0, height: 0 };
    return new WindowCube(cube, window);
  },
);
