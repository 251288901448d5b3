import { defineProcess } from '../define';
import { saveOutput } from '../../output/save';
import { parameterInvalid } from './common';

export const saveResult = defineProcess(
  'save_result',
  {
    summary: 'Save the result in a file format',
    description:
      'Writes the data in one of the output formats listed by `GET /file_formats` (the name is case-insensitive). ' +
      'Raster formats store every combination of non-spatial labels (e.g. date × band) as one band.',
    parameters: {
      data: 'The data to store, usually a data cube.',
      format: 'An output format name from `GET /file_formats`, e.g. `GTiff`, `netCDF`, `PNG` or `JSON`.',
      options: 'Format-specific options as listed by `GET /file_formats`.',
    },
    returns: 'Always true once the file is written.',
    exceptions: {
      FormatUnsuitable: 'The data cannot be stored in this format.',
      DataCubeEmpty: 'The data cube has no values and the format cannot store an empty cube.',
    },
  },
  async (args, ctx) => {
    if (typeof args.format !== 'string') throw parameterInvalid('save_result', 'format', 'expected a format name');
    const options = args.options ?? {};
    if (typeof options !== 'object' || Array.isArray(options)) throw parameterInvalid('save_result', 'options', 'expected an object');
    await saveOutput(args.data, args.format, options as Record<string, unknown>, ctx);
    return true;
  },
);
