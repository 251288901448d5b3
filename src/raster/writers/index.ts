/** Loads every output writer so that GET /file_formats and save_result know them. */
import { registerWriter } from './registry';
import { gtiffWriter } from './GTiffWriter';
import { netcdfWriter } from './NetCDFWriter';
import { jpegWriter, pngWriter } from './QuickLookWriter';
import { jsonWriter } from './JSONWriter';

for (const writer of [gtiffWriter, netcdfWriter, pngWriter, jpegWriter, jsonWriter]) registerWriter(writer);

export { findWriter } from './registry';
export type { OutputWriter } from './registry';
