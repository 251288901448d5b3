/** The options of the GTiff format and their validated values, shared by one-piece and block-wise writing. */
import { driverSupports } from '../gdal/capabilities';
import { OUTPUT_DATA_TYPES, type OutputDataType } from './dataTypes';
import { FormatOptions } from './options';
import { type NodataRequest, nodataRequest } from './nodataPolicy';

/** Lossless compressions offered when the COG driver of this GDAL build supports them. */
const COMPRESSIONS = (['DEFLATE', 'LZW', 'ZSTD', 'NONE'] as const).filter((c) => c === 'NONE' || driverSupports('COG', c));
const RESAMPLINGS = ['nearest', 'average', 'bilinear', 'cubic', 'mode'] as const;

export const GTIFF_PARAMETERS: Record<string, Record<string, unknown>> = {
  compression: { type: 'string', enum: [...COMPRESSIONS], default: 'DEFLATE', description: 'Lossless compression of the tiles.' },
  datatype: {
    type: 'string',
    enum: Object.keys(OUTPUT_DATA_TYPES),
    default: 'float32',
    description: 'Data type of the stored values; integers are rounded and clamped.',
  },
  nodata: {
    type: ['number', 'null'],
    description:
      'No-data value to declare (always, even if the cube has no missing pixels), or null to declare none. ' +
      'Left out, no-data is declared only when the cube has missing pixels: NaN for floating point types, ' +
      "else the type's largest value (smallest for signed types) or, if valid data uses it, the other end of the range; " +
      'when valid data uses both, the request is refused.',
  },
  tile_size: { type: 'integer', enum: [256, 512, 1024], default: 512, description: 'Edge length of the internal TIFF tiles.' },
  overviews: {
    type: 'boolean',
    default: false,
    description: 'Add reduced-resolution overviews for fast display of large images (costs one more pass over the result).',
  },
  overview_resampling: { type: 'string', enum: [...RESAMPLINGS], default: 'nearest', description: 'How overview pixels are computed.' },
};

export interface GTiffSettings {
  /** Kept for error messages that name an option. */
  options: FormatOptions;
  dataType: OutputDataType;
  nodata: NodataRequest;
  compression: (typeof COMPRESSIONS)[number];
  blockSize: number;
  overviews: boolean;
  resampling: (typeof RESAMPLINGS)[number];
}

/** Reads save_result's options for GTiff; a wrong option is a ProcessParameterInvalid error naming it. */
export function gtiffSettings(raw: Record<string, unknown>): GTiffSettings {
  const options = new FormatOptions('GTiff', raw, GTIFF_PARAMETERS);
  const dataType = OUTPUT_DATA_TYPES[options.enumValue('datatype', Object.keys(OUTPUT_DATA_TYPES), 'float32')];
  const nodata = nodataRequest(options, dataType);
  const compression = options.enumValue('compression', COMPRESSIONS, 'DEFLATE');
  const blockSize = options.integer('tile_size', 512, 256, 1024);
  if (![256, 512, 1024].includes(blockSize)) throw options.invalid("option 'tile_size' must be 256, 512 or 1024");
  const overviews = options.boolean('overviews', false);
  const resampling = options.enumValue('overview_resampling', RESAMPLINGS, 'nearest');
  return { options, dataType, nodata, compression, blockSize, overviews, resampling };
}
