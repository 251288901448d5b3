import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { LabelDimension, cellsAround, windowPixels } from '../../raster/cube/model';
import { MapCube } from '../../raster/cube/MapCube';
import { requireCube } from './common';
import { fusedNdvi } from './fusion';

/** The index of a band given by name, else by a unique common name; -1 when missing or ambiguous. */
function findBand(dim: LabelDimension, wanted: string): number {
  const exact = dim.labels.indexOf(wanted);
  if (exact >= 0) return exact;
  const common = dim.labels.map((_, k) => k).filter((k) => dim.bands?.[k]?.commonName === wanted);
  return common.length === 1 ? common[0] : -1;
}

export const ndvi = defineProcess(
  'ndvi',
  {
    summary: 'Normalized Difference Vegetation Index',
    description:
      'Computes (nir - red) / (nir + red) for every pixel. The two bands are found by band name first, then by their common name. ' +
      'Without `target_band` the bands dimension is removed; with it, the index is added as a new band.',
    parameters: {
      data: 'A raster data cube with a bands dimension.',
      nir: 'Name or common name of the near-infrared band.',
      red: 'Name or common name of the red band.',
      target_band: 'Name of a new band to hold the index, or `null` to replace the bands dimension by the index.',
    },
    returns: 'The NDVI values, from -1 to 1, as a cube without bands dimension or with the added band.',
    exceptions: {
      NirBandAmbiguous: 'The near-infrared band cannot be identified: no band or several bands match.',
      RedBandAmbiguous: 'The red band cannot be identified: no band or several bands match.',
      DimensionAmbiguous: 'The data cube needs exactly one dimension of type bands.',
      BandExists: 'A band with the name given in `target_band` already exists.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'ndvi');
    const bandDims = cube.dims.filter((d) => d.type === 'bands');
    if (bandDims.length !== 1) throw new ProcessException('DimensionAmbiguous', 'The data cube needs exactly one dimension of type bands.');
    const index = cube.dims.indexOf(bandDims[0]);
    const dim = bandDims[0];
    const nir = findBand(dim, String(args.nir ?? 'nir'));
    if (nir < 0) throw new ProcessException('NirBandAmbiguous', `No single band matches '${String(args.nir ?? 'nir')}' for near-infrared.`);
    const red = findBand(dim, String(args.red ?? 'red'));
    if (red < 0) throw new ProcessException('RedBandAmbiguous', `No single band matches '${String(args.red ?? 'red')}' for red.`);
    const target: string | null = args.target_band ?? null;
    if (target !== null && dim.labels.includes(target)) throw new ProcessException('BandExists', `The band '${target}' already exists.`);

    const n = dim.labels.length;
    const resultBands = target === null ? 0 : n + 1;
    const dims =
      target === null
        ? cube.dims.filter((_, i) => i !== index)
        : cube.dims.map((d, i) => (i === index ? { ...d, labels: [...d.labels, target], bands: d.bands ? [...d.bands, undefined] : undefined } : d));
    const order = target === null ? cube.order.filter((name) => name !== dim.name) : cube.order;
    const fused = fusedNdvi(cube, index, nir, red, target !== null, { dims, grid: cube.grid, order });
    if (fused) return fused;

    return new MapCube(cube, { dims, grid: cube.grid, order }, (tile, win) => {
      const around = cellsAround(cube.dims, index);
      const outer = around.outer;
      const inner = around.inner * windowPixels(win);
      const perOuterOut = target === null ? inner : resultBands * inner;
      const out = new Float64Array(outer * perOuterOut);
      for (let a = 0; a < outer; a++) {
        const base = a * n * inner;
        const dest = a * perOuterOut + (target === null ? 0 : n * inner);
        if (target !== null) out.set(tile.subarray(base, base + n * inner), a * perOuterOut);
        const nirOffset = base + nir * inner;
        const redOffset = base + red * inner;
        for (let i = 0; i < inner; i++) {
          const x = tile[nirOffset + i];
          const y = tile[redOffset + i];
          out[dest + i] = (x - y) / (x + y);
        }
      }
      return out;
    });
  },
);
