import { defineProcess } from '../define';
import { parameterInvalid, requireCube } from '../cube/common';
import { geometriesArgument } from '../../vector/cube';
import { invalidGeoJson } from '../../geometry/geojson';
import { PolygonMaskCube } from '../../vector/mask';
import type { GeometrySet } from '../../geometry/types';

/** mask_polygon accepts polygons only; empty geometries are dropped. */
function polygonsOnly(set: GeometrySet): GeometrySet {
  const features = set.features.filter((f) => f.geometry !== null);
  for (const f of features) {
    const type = f.geometry!.type;
    if (type !== 'Polygon' && type !== 'MultiPolygon') {
      throw invalidGeoJson({ process: 'mask_polygon', parameter: 'mask' }, `a ${type} cannot mask, only Polygon and MultiPolygon can`);
    }
  }
  return { crs: set.crs, features };
}

export const maskPolygon = defineProcess(
  'mask_polygon',
  {
    summary: 'Mask with polygons',
    description:
      'Replaces the pixels outside all polygons (or, with `inside`, the pixels inside any polygon) with `replacement`. ' +
      'A pixel is inside when its centre lies inside a polygon or on its boundary (holes excluded). Polygons are transformed to the CRS of the raster and rasterised tile by tile.',
    parameters: {
      data: 'A raster data cube.',
      mask: 'Polygons or multi-polygons as GeoJSON (geometry, Feature or FeatureCollection) or as a vector data cube.',
      replacement: 'The value for masked pixels; `null` makes them no-data.',
      inside: 'Mask the pixels inside the polygons instead of those outside.',
    },
    returns: 'The data cube with masked pixels replaced; its shape is unchanged.',
  },
  (args) => {
    const data = requireCube(args.data, 'mask_polygon');
    if (!data.grid) throw parameterInvalid('mask_polygon', 'data', 'the data cube has no spatial dimensions');
    // Geometries can only be placed on a grid whose CRS is known.
    if (!data.grid.crs) throw parameterInvalid('mask_polygon', 'data', 'the data cube has no coordinate reference system');
    const polygons = polygonsOnly(geometriesArgument(args.mask, { process: 'mask_polygon', parameter: 'mask' }));
    const r = args.replacement ?? null;
    if (r !== null && typeof r !== 'number' && typeof r !== 'boolean') throw parameterInvalid('mask_polygon', 'replacement', 'a data cube holds numbers only');
    const inside = args.inside ?? false;
    if (typeof inside !== 'boolean') throw parameterInvalid('mask_polygon', 'inside', 'expected true or false');
    return new PolygonMaskCube(data, polygons, r === null ? NaN : Number(r), inside);
  },
);
