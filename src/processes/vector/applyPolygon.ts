import { defineProcess } from '../define';
import { parameterInvalid, requireCallback, requireCube } from '../cube/common';
import { isDataCube } from '../../raster/cube/DataCube';
import { WindowCube } from '../../raster/cube/WindowCube';
import { geometriesArgument } from '../../vector/cube';
import { invalidGeoJson } from '../../geometry/geojson';
import { PolygonMaskCube } from '../../vector/mask';
import { centreRange, pixelShape } from '../../vector/rasterize';
import { reprojectSet } from '../../geometry/reproject';
import { PolygonPart, PolygonPatchCube } from '../../vector/applyPolygon';

export const applyPolygon = defineProcess(
  'apply_polygon',
  {
    summary: 'Apply a process to the pixels of each polygon',
    description:
      'Runs the process once per polygon on a sub-cube: the smallest window of the grid holding the pixel centres inside the polygon or on its boundary, ' +
      'with the pixels outside it set to `mask_value`. The results are put back in place; pixels in no polygon get `mask_value`. ' +
      'The process must return a cube with the sub-cube\'s grid and the same dimensions for every polygon. Polygons must not share pixel centres.',
    parameters: {
      data: 'A raster data cube.',
      geometries: 'Polygons or multi-polygons as a vector data cube (or GeoJSON).',
      process: 'The child process that receives one sub-cube as `data` (with `context`) and returns a cube on the same grid.',
      mask_value: 'The value for pixels outside the polygons; `null` makes them no-data.',
      context: 'Extra data handed unchanged to the process.',
    },
    returns: 'A data cube with the grid of `data` and the dimensions the process returns.',
    exceptions: { GeometriesOverlap: 'Some polygons overlap: a pixel centre lies in more than one of them.' },
  },
  async (args) => {
    const data = requireCube(args.data, 'apply_polygon');
    const grid = data.grid;
    if (!grid) throw parameterInvalid('apply_polygon', 'data', 'the data cube has no spatial dimensions');
    // Geometries can only be placed on a grid whose CRS is known.
    if (!grid.crs) throw parameterInvalid('apply_polygon', 'data', 'the data cube has no coordinate reference system');
    const origin = { process: 'apply_polygon', parameter: 'geometries' };
    const set = reprojectSet(geometriesArgument(args.geometries, origin), grid.crs);
    const process = requireCallback(args.process, 'apply_polygon', 'process');
    const m = args.mask_value ?? null;
    if (m !== null && typeof m !== 'number' && typeof m !== 'boolean') throw parameterInvalid('apply_polygon', 'mask_value', 'a data cube holds numbers only');
    const maskValue = m === null ? NaN : Number(m);
    const parts: PolygonPart[] = [];
    for (const feature of set.features) {
      if (!feature.geometry) continue;
      if (feature.geometry.type !== 'Polygon' && feature.geometry.type !== 'MultiPolygon') throw invalidGeoJson(origin, `a ${feature.geometry.type} is not a polygon`);
      const shape = pixelShape(feature.geometry, grid);
      const range = centreRange(shape.bounds!);
      const c0 = Math.max(0, range[0]);
      const r0 = Math.max(0, range[1]);
      const c1 = Math.min(grid.width, range[2]);
      const r1 = Math.min(grid.height, range[3]);
      // Polygons without a pixel centre in the grid contribute nothing.
      if (c1 <= c0 || r1 <= r0) continue;
      const window = { x: c0, y: r0, width: c1 - c0, height: r1 - r0 };
      const sub = new PolygonMaskCube(new WindowCube(data, window), { crs: set.crs, features: [feature] }, maskValue, false);
      const result = await process.run({ data: sub, context: args.context ?? null });
      if (!isDataCube(result) || !result.grid || result.grid.width !== window.width || result.grid.height !== window.height) {
        throw parameterInvalid('apply_polygon', 'process', 'the process must return a data cube on the grid of the sub-cube it received');
      }
      if (parts.length > 0 && result.cellsPerPixel !== parts[0].result.cellsPerPixel) {
        throw parameterInvalid('apply_polygon', 'process', 'the process returned cubes of different dimensions for different polygons');
      }
      parts.push({ window, shape, result });
    }
    const template = parts[0]?.result ?? data;
    // The output has the full grid of `data` and the non-spatial dimensions of the process results.
    return new PolygonPatchCube({ dims: template.dims, grid, order: template.order }, parts, maskValue);
  },
);
