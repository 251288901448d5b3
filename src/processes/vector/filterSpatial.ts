import { defineProcess } from '../define';
import { parameterInvalid, requireCube } from '../cube/common';
import { WindowCube } from '../../raster/cube/WindowCube';
import { geometriesArgument } from '../../vector/cube';
import { PolygonMaskCube } from '../../vector/mask';
import { reprojectSet } from '../../geometry/reproject';
import { centreRange, pixelShape } from '../../vector/rasterize';

export const filterSpatial = defineProcess(
  'filter_spatial',
  {
    summary: 'Spatial filter by geometries',
    description:
      'Crops the cube to the pixels covered by the geometries and sets the remaining pixels of that rectangle to no-data. ' +
      'Polygons cover the pixels whose centre lies inside them or on their boundary, points the pixel they lie in, lines the pixels they cross. ' +
      'Geometries are transformed to the CRS of the raster.',
    parameters: {
      data: 'A raster data cube.',
      geometries: 'GeoJSON (geometry, Feature or FeatureCollection) or a vector data cube.',
    },
    returns: 'The cube cropped to the geometries, no-data outside them.',
  },
  (args) => {
    const data = requireCube(args.data, 'filter_spatial');
    const grid = data.grid;
    if (!grid) throw parameterInvalid('filter_spatial', 'data', 'the data cube has no spatial dimensions');
    // Geometries can only be placed on a grid whose CRS is known.
    if (!grid.crs) throw parameterInvalid('filter_spatial', 'data', 'the data cube has no coordinate reference system');
    const set = geometriesArgument(args.geometries, { process: 'filter_spatial', parameter: 'geometries' });
    const projected = reprojectSet(set, grid.crs);
    // The crop is the smallest window holding every pixel centre inside the geometries' bounds (borders included).
    let c0 = Infinity, r0 = Infinity, c1 = -Infinity, r1 = -Infinity;
    for (const f of projected.features) {
      const b = pixelShape(f.geometry, grid).bounds;
      if (!b) continue;
      const [a0, b0, a1, b1] = centreRange(b);
      c0 = Math.min(c0, a0); r0 = Math.min(r0, b0);
      c1 = Math.max(c1, a1); r1 = Math.max(r1, b1);
    }
    c0 = Math.max(0, c0); r0 = Math.max(0, r0);
    c1 = Math.min(grid.width, c1); r1 = Math.min(grid.height, r1);
    const window = c1 > c0 && r1 > r0 ? { x: c0, y: r0, width: c1 - c0, height: r1 - r0 } : { x: 0, y: 0, width: 0, height: 0 };
    return new PolygonMaskCube(new WindowCube(data, window), projected, NaN, false);
  },
);
