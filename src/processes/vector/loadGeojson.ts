import { defineProcess } from '../define';
import { parameterInvalid } from '../cube/common';
import { MemoryCube } from '../../raster/cube/MemoryCube';
import type { DataCube } from '../../raster/cube/DataCube';
import { geometryDimension, geometryOnlyCube } from '../../vector/cube';
import { invalidGeoJson, parseGeoJson } from '../../geometry/geojson';
import type { GeometrySet } from '../../geometry/types';

function numeric(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  // Cubes hold numbers: text and missing values become no-data.
  return NaN;
}

/**
 * The vector cube of a geometry set, with a `properties` dimension built from the named
 * feature properties: one label per property, or for a single array-valued property one
 * label per array index.
 */
export function vectorCubeWithProperties(set: GeometrySet, properties: string[]): DataCube {
  if (properties.length === 0) return geometryOnlyCube(set);
  const valuesOf = (f: GeometrySet['features'][number], name: string) => f.properties?.[name];
  const single = properties.length === 1 ? properties[0] : undefined;
  const arrayValued = single !== undefined && set.features.some((f) => Array.isArray(valuesOf(f, single)));
  let labels: Array<string | number>;
  let row: (f: GeometrySet['features'][number]) => number[];
  if (arrayValued) {
    const length = Math.max(0, ...set.features.map((f) => (Array.isArray(valuesOf(f, single!)) ? (valuesOf(f, single!) as unknown[]).length : 0)));
    labels = Array.from({ length }, (_, i) => i);
    row = (f) => {
      const v = valuesOf(f, single!);
      return labels.map((_, i) => (Array.isArray(v) ? numeric(v[i]) : NaN));
    };
  } else {
    labels = [...properties];
    row = (f) => properties.map((p) => numeric(valuesOf(f, p)));
  }
  const values = new Float64Array(set.features.length * labels.length);
  set.features.forEach((f, g) => values.set(row(f), g * labels.length));
  return new MemoryCube({ dims: [geometryDimension(set), { name: 'properties', type: 'other', labels }], grid: null }, values);
}

export const loadGeojson = defineProcess(
  'load_geojson',
  {
    summary: 'Vector data cube from GeoJSON',
    description:
      'Turns a GeoJSON geometry, Feature or FeatureCollection into a vector data cube with one `geometry` label per geometry or Feature. ' +
      'Coordinates are WGS 84 longitude/latitude unless the document names another CRS in a `crs` member. Numeric (and boolean) properties can become a `properties` dimension; other values become no-data.',
    parameters: {
      data: 'A GeoJSON geometry, Feature or FeatureCollection (GeometryCollection is not supported).',
      properties: 'Names of Feature properties to turn into a `properties` dimension; one array-valued property gives one label per array index.',
    },
    returns: 'A vector data cube.',
  },
  (args) => {
    const origin = { process: 'load_geojson', parameter: 'data' };
    const set = parseGeoJson(args.data, origin);
    if (set.features.some((f) => f.geometry?.type === 'GeometryCollection')) throw invalidGeoJson(origin, 'GeometryCollection is not supported');
    const properties = args.properties ?? [];
    if (!Array.isArray(properties) || !properties.every((p) => typeof p === 'string')) {
      throw parameterInvalid('load_geojson', 'properties', 'expected a list of property names');
    }
    return vectorCubeWithProperties(set, properties);
  },
);
