import gdal from 'gdal-async';
import path from 'node:path';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { DataCube, isDataCube } from '../raster/cube/DataCube';
import { MapCube } from '../raster/cube/MapCube';
import { spatialReference } from '../gdal/srs';
import { gdalBuffer } from '../gdal/typedArrays';
import { tileWindows } from '../raster/tiles';
import { outputBands } from './bandLayout';
import { OUTPUT_DATA_TYPES } from './dataTypes';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';
import { removeQuietly, scratchPath } from './tempFiles';
import { writeTiledGeoTiff } from './tiledGeoTiff';
import { scratchCompression } from '../gdal/capabilities';

const PARAMETERS: Record<string, Record<string, unknown>> = {
  bands: {
    type: 'array',
    minItems: 1,
    maxItems: 3,
    items: { type: 'string' },
    description:
      'One label (gray) or three labels (red, green, blue) of the bands to show, matched against band labels or `date/band` descriptions. Default: all bands when there are three, else the first.',
  },
  min: {
    type: ['number', 'array', 'null'],
    items: { type: 'number' },
    default: null,
    description: 'Value shown black, one number or one per shown band; default: each band minimum.',
  },
  max: {
    type: ['number', 'array', 'null'],
    items: { type: 'number' },
    default: null,
    description: 'Value shown white, one number or one per shown band; default: each band maximum.',
  },
};

/** Indices of the output bands to show, from the `bands` option or the defaults. */
function pickBands(cube: DataCube, options: FormatOptions): number[] {
  const all = outputBands(cube);
  const wanted = options.raw('bands');
  if (wanted === undefined || wanted === null) return all.length === 3 ? [0, 1, 2] : [0];
  if (!Array.isArray(wanted) || (wanted.length !== 1 && wanted.length !== 3) || !wanted.every((w) => typeof w === 'string')) {
    throw options.invalid("option 'bands' must list one or three band labels");
  }
  return wanted.map((label: string) => {
    const index = all.findIndex((b) => b.description === label || Object.values(b.labels).map(String).includes(label));
    if (index < 0) throw options.invalid(`there is no band '${label}' to show`);
    return index;
  });
}

function perBand(options: FormatOptions, key: string, count: number): Array<number | null> {
  const v = options.raw(key);
  if (v === undefined || v === null) return new Array(count).fill(null);
  if (typeof v === 'number') return new Array(count).fill(v);
  if (Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'number')) return v as number[];
  throw options.invalid(`option '${key}' must be a number or ${count} numbers`);
}

/** A cube with only the chosen output bands, as one 'bands' dimension. */
function selectPlanes(cube: DataCube, planes: number[]): DataCube {
  const described = outputBands(cube);
  const dims = [{ name: 'bands', type: 'bands' as const, labels: planes.map((p) => described[p].description) }];
  return new MapCube(cube, { dims, grid: cube.grid }, (tile, win) => {
    const pixels = win.width * win.height;
    const out = new Float64Array(planes.length * pixels);
    planes.forEach((p, i) => out.set(tile.subarray(p * pixels, (p + 1) * pixels), i * pixels));
    return out;
  });
}

/**
 * PNG and JPEG quick looks: one gray or three RGB bands stretched linearly from min to max
 * onto 0–255. PNG gets an alpha band that hides no-data; JPEG shows it black.
 */
function quickLookWriter(name: 'PNG' | 'JPEG', extension: string, mediaType: string): OutputWriter {
  const withAlpha = name === 'PNG';
  return {
    info: {
      name,
      title: `${name} quick look`,
      description: `An 8-bit ${name} preview (gray or RGB, linear stretch)${withAlpha ? ' with transparent no-data' : ''}; not georeferenced.`,
      gis_data_types: ['raster'],
      parameters: PARAMETERS,
    },
    aliases: name === 'JPEG' ? ['JPG'] : [],

    async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
      const options = new FormatOptions(name, rawOptions, PARAMETERS);
      if (!isDataCube(data) || !data.grid) throw new ProcessException('FormatUnsuitable', `${name} can only show raster data cubes with x and y dimensions.`);
      if (data.isEmpty) throw new ProcessException('DataCubeEmpty', `The data cube is empty; ${name} cannot store it.`);
      const planes = pickBands(data, options);
      const mins = perBand(options, 'min', planes.length);
      const maxs = perBand(options, 'max', planes.length);
      const selected = selectPlanes(data, planes);
      const grid = selected.grid!;
      const tileSize = ctx.config.processing.tileSize;
      const floatScratch = scratchPath(ctx.workDir, 'tif');
      const byteScratch = scratchPath(ctx.workDir, 'tif');
      const filename = `${basename}.${extension}`;
      const target = path.join(ctx.workDir, filename);
      try {
        // Pass 1: evaluate the cube once, keeping values and statistics for the stretch.
        const { statistics } = await writeTiledGeoTiff(selected, ctx, {
          path: floatScratch,
          dataType: OUTPUT_DATA_TYPES.float32,
          nodata: NaN,
          tileSize,
          creationOptions: scratchCompression(),
        });
        const lows = planes.map((_, i) => mins[i] ?? statistics[i].min);
        const highs = planes.map((_, i) => maxs[i] ?? statistics[i].max);
        // Pass 2: stretch into bytes.
        const bandCount = planes.length + (withAlpha ? 1 : 0);
        const src = await gdal.openAsync(floatScratch);
        const dst = await gdal.openAsync(byteScratch, 'w', 'GTiff', grid.width, grid.height, bandCount, gdal.GDT_Byte, ['TILED=YES']);
        try {
          dst.geoTransform = [...grid.transform];
          if (grid.crs) dst.srs = spatialReference(grid.crs);
          for (const win of tileWindows(grid, tileSize)) {
            ctx.signal.throwIfAborted();
            const pixels = win.width * win.height;
            const alpha = new Uint8Array(pixels);
            for (let i = 0; i < planes.length; i++) {
              const values = new Float32Array(pixels);
              await (await src.bands.getAsync(i + 1)).pixels.readAsync(win.x, win.y, win.width, win.height, gdalBuffer(values));
              const bytes = new Uint8Array(pixels);
              const lo = lows[i];
              const span = highs[i] - lo;
              for (let p = 0; p < pixels; p++) {
                const v = values[p];
                if (v !== v) continue;
                alpha[p] = 255;
                const scaled = span > 0 ? ((v - lo) / span) * 255 : 255;
                bytes[p] = scaled <= 0 ? 0 : scaled >= 255 ? 255 : Math.round(scaled);
              }
              await (await dst.bands.getAsync(i + 1)).pixels.writeAsync(win.x, win.y, win.width, win.height, gdalBuffer(bytes));
            }
            if (withAlpha) await (await dst.bands.getAsync(bandCount)).pixels.writeAsync(win.x, win.y, win.width, win.height, gdalBuffer(alpha));
          }
          if (withAlpha) (await dst.bands.getAsync(bandCount)).colorInterpretation = gdal.GCI_AlphaBand;
          await dst.flushAsync();
          const out = await gdal.drivers.get(name).createCopyAsync(target, dst);
          out.close();
        } finally {
          src.close();
          dst.close();
        }
      } finally {
        await removeQuietly(floatScratch, byteScratch, `${target}.aux.xml`);
      }
      return { path: target, filename, mediaType, format: name };
    },
  };
}

export const pngWriter = quickLookWriter('PNG', 'png', 'image/png');
export const jpegWriter = quickLookWriter('JPEG', 'jpg', 'image/jpeg');
