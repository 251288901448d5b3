/** Loads every output writer so that GET /file_formats and save_result know them. */
import { registerWriter } from './registry';
import { gtiffWriter } from './GTiffWriter';
import { netcdfWriter } from './NetCDFWriter';
import { jpegWriter, pngWriter } from './QuickLookWriter';
import { jsonWriter } from './JSONWriter';
import { geojsonWriter } from './GeoJSONWriter';
import { csvWriter } from './CSVWriter';

import { hasDriver, hasProgram } from '../gdal/capabilities';

// Only formats this installation can actually write are offered.
const available = [
  hasDriver('COG') && gtiffWriter,
  hasDriver('netCDF') && hasProgram('gdalmdiminfo') && netcdfWriter,
  hasDriver('PNG') && pngWriter,
  hasDriver('JPEG') && jpegWriter,
  jsonWriter,
  geojsonWriter,
  csvWriter,
];
for (const writer of available) if (writer) registerWriter(writer);

export { findWriter } from './registry';
export type { OutputWriter } from './registry';
