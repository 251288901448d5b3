import { defineProcess } from '../define';
import { DataCube } from '../../raster/cube/DataCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { sameGrid } from '../../raster/cube/cellMapping';
import { TileContext, TileWindow, windowPixels } from '../../raster/cube/model';
import { parameterInvalid, requireCube } from './common';
import { temporalDimensionIndex } from './temporalGroups';

/** anomaly: each value minus the normal of its period (normals as climatological_normal makes them). */

/** The normals label a label of `data` corresponds to, for a period. */
function normalLabel(label: string, period: string): string {
  switch (period) {
    case 'hour':
      return label.slice(-2);
    case 'year':
    case 'decade':
    case 'decade-ad':
      return label;
    default: {
      // YYYY-xxx: the part after the year.
      const m = /^-?\d{4,}-(.+)$/.exec(label);
      return m ? m[1] : label;
    }
  }
}

/** `data` minus `normals`, where normals is already laid out like data (or has no x/y and is repeated per pixel). */
class DifferenceCube extends DataCube {
  constructor(
    private readonly data: DataCube,
    private readonly normals: DataCube,
  ) {
    super({ dims: data.dims, grid: data.grid, order: data.order });
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const pixels = windowPixels(win);
    const [a, b] = await Promise.all([
      this.data.tile(win, ctx),
      this.normals.grid ? this.normals.tile(win, ctx) : this.normals.tile({ x: 0, y: 0, width: 1, height: 1 }, ctx),
    ]);
    if (this.normals.grid) {
      for (let i = 0; i < a.length; i++) a[i] -= b[i];
    } else {
      for (let i = 0; i < a.length; i++) a[i] -= b[Math.floor(i / pixels)];
    }
    return a;
  }
}

export const anomaly = defineProcess(
  'anomaly',
  {
    summary: 'Difference to the normals',
    description:
      'Subtracts from every value the normal of its period: a label such as `2023-07` (from aggregate_temporal_period) is matched ' +
      'with the normals label `07`, `2023-jja` with `jja`, `2023-05-01-13` with `13`; for years and decades the labels must be equal, ' +
      'and with `single-period` / `climatology-period` the one normal applies to all. Both cubes need the same other dimensions; ' +
      'the normals have the same x/y grid as `data` or no x/y dimensions at all.',
    parameters: {
      data: 'A data cube with one temporal dimension labelled by period, as aggregate_temporal_period makes them.',
      normals: 'The normals, e.g. from climatological_normal, with one temporal dimension labelled by period.',
      period: 'The period of the labels of `data` and `normals`.',
    },
    returns: 'The data cube of anomalies, with the dimensions of `data`.',
  },
  (args) => {
    const data = requireCube(args.data, 'anomaly');
    const normals = requireCube(args.normals, 'anomaly', 'normals');
    const period = String(args.period);
    const ti = temporalDimensionIndex(data, null);
    const ni = temporalDimensionIndex(normals, null);
    if (normals.grid && !sameGrid(normals.grid, data.grid)) throw parameterInvalid('anomaly', 'normals', 'the normals must have the x/y grid of the data or none');
    const matching =
      normals.dims.length === data.dims.length &&
      normals.dims.every((d, i) =>
        i === ni ? i === ti : d.name === data.dims[i].name && d.labels.length === data.dims[i].labels.length && d.labels.every((l, k) => String(l) === String(data.dims[i].labels[k])),
      );
    if (!matching) throw parameterInvalid('anomaly', 'normals', 'the normals need the same dimensions and labels as the data, apart from time');
    const normalLabels = normals.dims[ni].labels.map(String);
    const single = period === 'single-period' || period === 'climatology-period';
    if (single && normalLabels.length !== 1) throw parameterInvalid('anomaly', 'normals', `with period '${period}' the normals need exactly one date`);
    const picks = data.dims[ti].labels.map((label) => {
      if (single) return 0;
      const wanted = normalLabel(String(label), period);
      const k = normalLabels.indexOf(wanted);
      if (k < 0) throw parameterInvalid('anomaly', 'normals', `no normal '${wanted}' for the label '${String(label)}'`);
      return k;
    });
    const aligned = SubsetCube.select(normals, ni, picks);
    return new DifferenceCube(data, aligned);
  },
);
