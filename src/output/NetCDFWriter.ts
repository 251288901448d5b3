import path from 'node:path';
import gdal from 'gdal-async';
import type { ProcessContext, SavedOutput } from '../run/context';
import { ProcessException } from '../errors/ProcessException';
import { isDataCube } from '../raster/cube/DataCube';
import type { LabelDimension } from '../raster/cube/model';
import { OUTPUT_DATA_TYPES } from './dataTypes';
import { FormatOptions } from './options';
import { OutputWriter } from './registry';
import { removeQuietly, scratchPath } from './tempFiles';
import { writeTiledGeoTiff } from './tiledGeoTiff';
import { scratchCompression } from '../gdal/capabilities';
import { netcdfLayout } from './netcdfLayout';
import { writeNetcdfClassic } from './netcdfClassic';
import { gridMappingAttributes } from './netcdfGridMapping';
import { gdalBuffer } from '../gdal/typedArrays';

const PARAMETERS: Record<string, Record<string, unknown>> = {
  datatype: { type: 'string', enum: ['float32', 'float64'], default: 'float32', description: 'Data type of the band variables.' },
};

/**
 * NetCDF (classic data model: CDF-2, or CDF-5 when a variable exceeds 4 GiB) following CF: dimensions (t,) y, x with coordinate variables,
 * time as seconds since 1970-01-01 (standard calendar), one variable per band in band order and
 * the CRS as grid mapping. The cube is written tile by tile to a scratch GeoTIFF whose planes are
 * then copied variable by variable (GDAL's multidimensional writer would sort the variables by name).
 */
export const netcdfWriter: OutputWriter = {
  info: {
    name: 'netCDF',
    title: 'Network Common Data Form (NetCDF, CF)',
    description:
      'One variable per band, in band order, over the dimensions t, y and x, with CF time and grid mapping. Time labels that are ' +
      'periods (e.g. of aggregate_temporal_period) are written as the period start, the label in the coordinate t_label.',
    gis_data_types: ['raster'],
    parameters: PARAMETERS,
  },
  aliases: ['NetCDF', 'nc'],

  async write(data: unknown, rawOptions: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput> {
    const options = new FormatOptions('netCDF', rawOptions, PARAMETERS);
    const dataType = OUTPUT_DATA_TYPES[options.enumValue('datatype', ['float32', 'float64'], 'float32')];
    if (!isDataCube(data) || !data.grid) throw new ProcessException('FormatUnsuitable', 'NetCDF output needs a data cube with x and y dimensions.');
    unsuitableDimensions(data.dims);
    if (data.isEmpty) throw new ProcessException('DataCubeEmpty', 'The data cube is empty; NetCDF output cannot store it.');
    const scratchTif = scratchPath(ctx.workDir, 'tif');
    const filename = `${basename}.nc`;
    const target = path.join(ctx.workDir, filename);
    try {
      await writeTiledGeoTiff(data, ctx, {
        path: scratchTif,
        dataType,
        nodata: NaN,
        tileSize: ctx.config.processing.tileSize,
        creationOptions: scratchCompression(),
      });
      ctx.signal.throwIfAborted();
      const gridMapping = data.grid.crs ? await gridMappingAttributes(data.grid.crs, ctx.workDir) : null;
      const scratch = await gdal.openAsync(scratchTif);
      try {
        const width = data.grid.width;
        const double = dataType.gdal === gdal.GDT_Float64;
        const read = async (plane: number, row: number, rows: number) => {
          const out = gdalBuffer(double ? new Float64Array(width * rows) : new Float32Array(width * rows));
          await (await scratch.bands.getAsync(plane + 1)).pixels.readAsync(0, row, width, rows, out);
          return out;
        };
        await removeQuietly(target);
        await writeNetcdfClassic(target, netcdfLayout(data, read, double ? 'double' : 'float', gridMapping), ctx.signal);
      } finally {
        scratch.close();
      }
    } finally {
      await removeQuietly(scratchTif);
    }
    return { path: target, filename, mediaType: 'application/netcdf', format: 'netCDF' };
  },
};

/** One variable per band over (t,) y, x holds one temporal and one other dimension at most: name what is too much and how to fix it. */
function unsuitableDimensions(dims: LabelDimension[]): void {
  const temporal = dims.filter((d) => d.type === 'temporal');
  const others = dims.filter((d) => d.type !== 'temporal');
  if (temporal.length <= 1 && others.length <= 1) return;
  const names = (list: LabelDimension[]) => list.map((d) => `'${d.name}'`).join(', ');
  const problems: string[] = [];
  if (temporal.length > 1) problems.push(`several temporal dimensions (${names(temporal)})`);
  if (others.length > 1) problems.push(`several non-temporal dimensions besides x and y (${names(others)}), of which only one can become the variables`);
  throw new ProcessException(
    'FormatUnsuitable',
    `NetCDF output holds x, y, at most one temporal and one other (e.g. bands) dimension, but the data cube has ${problems.join(' and ')}. ` +
      'Reduce the extra dimensions (reduce_dimension), remove those with a single label (drop_dimension), or save them as separate results.',
  );
}
