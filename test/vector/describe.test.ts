import { describeDimensions } from '../../src/raster/cube/describe';
import { geometryOnlyCube } from '../../src/vector/cube';
import { parseGeoJson } from '../../src/geometry/geojson';

test('a geometry dimension is described as API 1.2 asks: axes, bbox, geometry types, reference system, string values', () => {
  const set = parseGeoJson(
    {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [8.5, 47.1] } },
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[8, 47], [9, 47], [9, 48], [8, 47]]] } },
      ],
    },
    { process: 'test', parameter: 'data' },
  );
  expect(describeDimensions(geometryOnlyCube(set))).toEqual({
    geometry: { type: 'geometry', axes: ['x', 'y'], bbox: [8, 47, 9, 48], geometry_types: ['Point', 'Polygon'], reference_system: 4326, values: ['0', '1'] },
  });
});
