/** How a file format is described in `GET /file_formats`. */
export interface FileFormatInfo {
  /** The format name as clients pass it to save_result, e.g. `GTiff`. */
  name: string;
  title: string;
  description?: string;
  gis_data_types: Array<'raster' | 'vector' | 'table' | 'other'>;
  /** JSON Schemas of the options, keyed by option name. */
  parameters: Record<string, Record<string, unknown>>;
  links?: Array<{ href: string; rel: string; title?: string }>;
}

const outputFormats = new Map<string, FileFormatInfo>();
const inputFormats = new Map<string, FileFormatInfo>();

/** Writers and readers call these when their module loads, so only working formats are listed. */
export function registerOutputFormat(info: FileFormatInfo): void {
  outputFormats.set(info.name, info);
}

export function registerInputFormat(info: FileFormatInfo): void {
  inputFormats.set(info.name, info);
}

function toDocument(formats: Map<string, FileFormatInfo>): Record<string, Omit<FileFormatInfo, 'name'>> {
  const out: Record<string, Omit<FileFormatInfo, 'name'>> = {};
  for (const { name, ...rest } of formats.values()) out[name] = rest;
  return out;
}

export function fileFormatsDocument(): { input: object; output: object } {
  return { input: toDocument(inputFormats), output: toDocument(outputFormats) };
}
