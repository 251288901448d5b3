import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { PixelArray } from '../types';
import { parameterInvalid, requireCallback, requireCube, toTileVector } from '../cube/common';
import { AggregatedCube, GeometryReducer } from '../../vector/aggregate';
import { geometriesArgument } from '../../vector/cube';
import type { Callback } from '../types';

const TARGET_LABELS = ['value', 'total_count', 'valid_count'];

/** Runs the reducer once per geometry over all its cells at once (`data` = the geometry's pixels). */
function callbackReducer(reducer: Callback, context: unknown): GeometryReducer {
  return async (pixels, cells) => {
    const labels = pixels.map((_, i) => i);
    const result = await reducer.run({ data: new PixelArray(pixels, labels, cells), context });
    return toTileVector(result, cells, 'aggregate_spatial', 'reducer');
  };
}

/** Adds, after each reduced value, the number of pixels and of valid pixels (target_dimension). */
function withCounts(reduce: GeometryReducer): GeometryReducer {
  return async (pixels, cells) => {
    const values = await reduce(pixels, cells);
    const out = new Float64Array(cells * 3);
    for (let c = 0; c < cells; c++) {
      let valid = 0;
      for (const p of pixels) if (p[c] === p[c]) valid++;
      out[c * 3] = values[c];
      out[c * 3 + 1] = pixels.length;
      out[c * 3 + 2] = valid;
    }
    return out;
  };
}

export const aggregateSpatial = defineProcess(
  'aggregate_spatial',
  {
    summary: 'Zonal statistics for geometries',
    description:
      'Computes one value per geometry (and per label of every other dimension, e.g. date × band) from the pixels the geometry covers, ' +
      'giving a vector data cube. Geometries are transformed to the CRS of the raster. A polygon covers the pixels whose centre lies inside it or on its boundary ' +
      '(holes excluded); a point covers the pixel it lies in; a line covers every pixel it crosses. The reducer receives the values of those ' +
      'pixels as an array in no particular order. Geometries that cover no pixel centre get no-data without calling the reducer. ' +
      'The raster is read tile by tile, only where geometries are.',
    parameters: {
      data: 'A raster data cube.',
      geometries: 'A vector data cube (e.g. from load_geojson) or GeoJSON: a geometry, a Feature or a FeatureCollection (one value per Feature).',
      reducer: 'The child process that turns the pixel values of one geometry (`data`, with `context`) into one value.',
      target_dimension: 'When set, a dimension of this name is added holding the reduced value, the number of pixels and the number of valid pixels.',
      context: 'Extra data handed unchanged to the reducer.',
    },
    returns: 'A vector data cube: the spatial dimensions are replaced by a geometry dimension holding the given geometries.',
    exceptions: { TargetDimensionExists: 'The data cube already has a dimension with the name given as target_dimension.' },
  },
  (args, ctx) => {
    const cube = requireCube(args.data, 'aggregate_spatial');
    if (!cube.grid) throw parameterInvalid('aggregate_spatial', 'data', 'the data cube has no spatial dimensions');
    // Geometries can only be placed on a grid whose CRS is known.
    if (!cube.grid.crs) throw parameterInvalid('aggregate_spatial', 'data', 'the data cube has no coordinate reference system');
    const geometries = geometriesArgument(args.geometries, { process: 'aggregate_spatial', parameter: 'geometries' });
    let reduce = callbackReducer(requireCallback(args.reducer, 'aggregate_spatial', 'reducer'), args.context ?? null);
    const target = args.target_dimension ?? null;
    if (target !== null && typeof target !== 'string') throw parameterInvalid('aggregate_spatial', 'target_dimension', 'expected a name or null');
    const extraDims = [];
    if (target !== null) {
      if (cube.order.includes(target) || target === 'geometry') {
        throw new ProcessException('TargetDimensionExists', `The data cube already has a dimension '${target}'.`);
      }
      extraDims.push({ name: target, type: 'other' as const, labels: [...TARGET_LABELS] });
      reduce = withCounts(reduce);
    }
    return new AggregatedCube(cube, geometries, reduce, ctx.config.processing.tileSize, extraDims);
  },
);
