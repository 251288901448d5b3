import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { requireCube } from './common';

export const filterBands = defineProcess(
  'filter_bands',
  {
    summary: 'Filter the bands by names or wavelengths',
    description:
      'Keeps the bands given by name (or common name, which may match several bands; names matching nothing are ignored) and those whose centre wavelength lies in one of the ' +
      'wavelength ranges, in the order requested: first the names, then the ranges. Each band appears once.',
    parameters: {
      data: 'A data cube with a bands dimension.',
      bands: 'Band names or common names to keep.',
      wavelengths: 'Ranges `[min, max]` in micrometres; bands whose centre wavelength lies in a range (borders included) are kept.',
    },
    returns: 'The cube with the selected bands only.',
    exceptions: {
      BandFilterParameterMissing: 'Neither `bands` nor `wavelengths` selects anything: give at least one of them.',
      DimensionMissing: 'The data cube has no bands dimension.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'filter_bands');
    const names = (args.bands ?? []) as string[];
    const ranges = (args.wavelengths ?? []) as Array<[number, number]>;
    if (names.length === 0 && ranges.length === 0) {
      throw new ProcessException('BandFilterParameterMissing', 'Give band names or wavelength ranges to filter the bands.');
    }
    const index = cube.dims.findIndex((d) => d.type === 'bands');
    if (index < 0) throw new ProcessException('DimensionMissing', 'The data cube has no bands dimension.');
    const dim = cube.dims[index];
    const keep: number[] = [];
    const add = (k: number) => {
      if (!keep.includes(k)) keep.push(k);
    };
    for (const name of names) {
      const exact = dim.labels.indexOf(name);
      if (exact >= 0) {
        add(exact);
        continue;
      }
      const common = dim.labels.map((_, k) => k).filter((k) => dim.bands?.[k]?.commonName === name);
      // Names matching no band select nothing (the conformance cases expect no error).
      common.forEach(add);
    }
    for (const [min, max] of ranges) {
      dim.labels.forEach((_, k) => {
        const w = dim.bands?.[k]?.centerWavelength;
        if (w !== undefined && w >= min && w <= max) add(k);
      });
    }
    return SubsetCube.select(cube, index, keep);
  },
);
