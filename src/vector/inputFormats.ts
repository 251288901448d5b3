import { registerInputFormat } from '../raster/formats';

/** GeoJSON is read by load_geojson, load_url and load_uploaded_files (parsed by our own code, so always available). */
registerInputFormat({
  name: 'GeoJSON',
  title: 'GeoJSON',
  description: 'Geometries with properties (RFC 7946), read as vector data cubes.',
  gis_data_types: ['vector'],
  parameters: {},
});
