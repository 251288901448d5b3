import fs from 'node:fs/promises';
import gdal from 'gdal-async';
import { defineProcess } from '../define';
import type { ProcessContext } from '../types';
import { ProcessException } from '../../errors/ProcessException';
import { parameterInvalid } from '../cube/common';
import { OpenEOError } from '../../errors/OpenEOError';
import { fileFormatsDocument } from '../../raster/formats';
import { configureEngine } from '../../raster/engine';
import { FileStore } from '../../workspace/FileStore';
import { parseWorkspacePath } from '../../workspace/paths';
import { mergeGeoJson, rasterFilesCube } from '../../vector/files';
import { vectorCubeWithProperties } from './loadGeojson';
// Lists GeoJSON (and, through load_collection, the raster formats) under `input` in GET /file_formats.
import '../../vector/inputFormats';
import '../../raster/read/inputFormats';

/**
 * Raster formats whose files cannot refer to other files. VRT is left out on purpose: a user's
 * VRT could point GDAL at any file of the server.
 */
const RASTER_DRIVERS: Record<string, string> = { gtiff: 'GTiff', netcdf: 'netCDF', jp2openjpeg: 'JP2OpenJPEG' };

type Kind = { vector: true } | { vector: false; driver: string };

function formatKind(process: string, format: unknown): Kind {
  if (typeof format !== 'string') throw parameterInvalid(process, 'format', 'expected a format name');
  const listed = Object.keys(fileFormatsDocument().input).find((n) => n.toLowerCase() === format.toLowerCase());
  if (listed?.toLowerCase() === 'geojson') return { vector: true };
  const driver = listed ? RASTER_DRIVERS[listed.toLowerCase()] : undefined;
  if (!driver) {
    const usable = ['GeoJSON', ...Object.values(RASTER_DRIVERS)].filter((n) => n in fileFormatsDocument().input);
    throw parameterInvalid(process, 'format', `'${format}' cannot be loaded here; use one of ${usable.join(', ')}`);
  }
  return { vector: false, driver };
}

function noOptions(process: string, options: unknown): void {
  if (options === null || options === undefined) return;
  if (typeof options !== 'object' || Array.isArray(options)) throw parameterInvalid(process, 'options', 'expected an object');
  const keys = Object.keys(options);
  if (keys.length > 0) throw parameterInvalid(process, 'options', `the formats have no options (got ${keys.join(', ')})`);
}

/** Opens each dataset with the declared format's driver only, so a file cannot pass for another format. */
async function checkDriver(name: string, href: string, driver: string): Promise<void> {
  // Asynchronous: a synchronous open of a URL would block the event loop for the whole download.
  try {
    (await gdal.openAsync(href, 'r', [driver])).close();
  } catch {
    throw new ProcessException('FormatUnsuitable', `${name} cannot be read as ${driver}.`);
  }
}

async function fetchText(url: string, ctx: ProcessContext): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(60_000)]) });
  } catch (e) {
    throw parameterInvalid('load_url', 'url', `${url} cannot be fetched (${(e as Error).message})`);
  }
  if (!response.ok) throw parameterInvalid('load_url', 'url', `${url} answered HTTP ${response.status}`);
  return response.text();
}

export const loadUrl = defineProcess(
  'load_url',
  {
    summary: 'Load a file from a URL',
    description:
      'Loads GeoJSON from an http(s) URL as a vector data cube, or a raster file (GeoTIFF/COG, NetCDF, JPEG 2000) as a raster data cube read through GDAL ' +
      '(/vsicurl/, so only the needed parts of a COG are fetched). Rasters keep their own grid and CRS.',
    parameters: {
      url: 'The http(s) URL of the file.',
      format: 'The input format, e.g. `GeoJSON` or `GTiff` (see `GET /file_formats`), case-insensitive.',
      options: 'Format options; the formats offered here have none.',
    },
    returns: 'A vector data cube for GeoJSON, else a raster data cube.',
    exceptions: { FormatUnsuitable: 'The file cannot be read in the given format.' },
  },
  async (args, ctx) => {
    const url = String(args.url);
    if (!/^https?:\/\//i.test(url)) throw parameterInvalid('load_url', 'url', 'only http and https URLs can be loaded');
    const kind = formatKind('load_url', args.format);
    noOptions('load_url', args.options);
    if (kind.vector) {
      return vectorCubeWithProperties(mergeGeoJson([{ name: url, text: await fetchText(url, ctx) }], { process: 'load_url', parameter: 'url' }), []);
    }
    configureEngine(ctx.config);
    const href = `/vsicurl/${url}`;
    await checkDriver(url, href, kind.driver);
    return rasterFilesCube([{ name: url, href }], 'load_url');
  },
);

export const loadUploadedFiles = defineProcess(
  'load_uploaded_files',
  {
    summary: 'Load files from your workspace',
    description:
      'Loads files you uploaded (`/files`) as one data cube: GeoJSON files as one vector data cube (all their features), raster files through GDAL ' +
      'as one raster data cube in which every file (or time step of a file) is an item, mosaicked and stacked like the items of a collection.',
    parameters: {
      paths: 'Paths of the files in your workspace; `/a/b.tif`, `a/b.tif` and `./a/b.tif` are the same file.',
      format: 'The input format, e.g. `GeoJSON` or `GTiff` (see `GET /file_formats`), case-insensitive.',
      options: 'Format options; the formats offered here have none.',
    },
    returns: 'A vector data cube for GeoJSON, else a raster data cube.',
    exceptions: {
      FormatUnsuitable: 'A file cannot be read in the given format.',
      FileNotFound: 'A file does not exist in your workspace.',
    },
  },
  async (args, ctx) => {
    if (!ctx.user) throw new OpenEOError('AuthenticationRequired');
    const paths = args.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      throw parameterInvalid('load_uploaded_files', 'paths', 'expected a list of file paths');
    }
    const kind = formatKind('load_uploaded_files', args.format);
    noOptions('load_uploaded_files', args.options);
    const store = new FileStore(ctx.config);
    const files: Array<{ name: string; href: string }> = [];
    for (const p of paths as string[]) {
      const relative = p.replace(/^(\.?\/)+/, '');
      files.push({ name: p, href: await store.resolveExisting(ctx.user.id, parseWorkspacePath(relative)) });
    }
    if (kind.vector) {
      const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await fs.readFile(f.href, 'utf8') })));
      return vectorCubeWithProperties(mergeGeoJson(texts, { process: 'load_uploaded_files', parameter: 'paths' }), []);
    }
    configureEngine(ctx.config);
    for (const f of files) await checkDriver(f.name, f.href, kind.driver);
    return rasterFilesCube(files, 'load_uploaded_files');
  },
);
