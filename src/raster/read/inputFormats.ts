import { registerInputFormat } from '../formats';
import { hasDriver } from '../../gdal/capabilities';

/**
 * Raster formats that collections may be stored in (read through GDAL by load_collection),
 * listed under `input` in GET /file_formats when this GDAL build can read them.
 */
const INPUT_FORMATS = [
  { name: 'GTiff', driver: 'GTiff', title: 'GeoTIFF', description: 'GeoTIFF and Cloud-Optimized GeoTIFF files.' },
  { name: 'netCDF', driver: 'netCDF', title: 'Network Common Data Form', description: 'NetCDF files with CF time and coordinates.' },
  { name: 'JP2OpenJPEG', driver: 'JP2OpenJPEG', title: 'JPEG 2000', description: 'JPEG 2000 files such as Sentinel-2 granules.' },
  { name: 'VRT', driver: 'VRT', title: 'GDAL Virtual Raster', description: 'GDAL virtual rasters referring to other files.' },
];

for (const format of INPUT_FORMATS) {
  if (!hasDriver(format.driver)) continue;
  registerInputFormat({ name: format.name, title: format.title, description: format.description, gis_data_types: ['raster'], parameters: {} });
}
