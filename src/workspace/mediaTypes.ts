import path from 'node:path';

/**
 * Media types for downloads, guessed from the file extension. HTML, SVG and JavaScript
 * are deliberately absent: served from the API's own origin they could run scripts,
 * so they go out as opaque bytes.
 */
const BY_EXTENSION: Record<string, string> = {
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml',
  '.nc': 'application/netcdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.gpkg': 'application/geopackage+sqlite3',
  '.kml': 'application/vnd.google-earth.kml+xml',
  '.pdf': 'application/pdf',
  '.parquet': 'application/vnd.apache.parquet',
};

export function guessMediaType(fileName: string): string {
  return BY_EXTENSION[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}
