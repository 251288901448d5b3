import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import type { LabelDimension } from '../../raster/cube/model';
import { relabelledInstants } from '../../raster/cube/time';
import { dimensionNotAvailable, hasDimension, parameterInvalid, requireCube } from './common';

/** rename_labels: new labels for a dimension; order and values stay. */
export const renameLabels = defineProcess(
  'rename_labels',
  {
    summary: 'Rename dimension labels',
    description:
      'Renames labels of a dimension from `source` to `target`; order and values stay. Without `source`, the labels must be ' +
      'the numbers 0, 1, 2, … and are replaced by the `target` label at that index.',
    parameters: {
      data: 'The data cube.',
      dimension: 'Name of the dimension whose labels are renamed.',
      target: 'The new labels.',
      source: 'The labels to rename, matched by position with `target`; empty to use the enumerated labels.',
    },
    returns: 'The data cube with the renamed labels.',
    exceptions: {
      LabelsNotEnumerated: 'No `source` was given, but the labels are not the numbers 0, 1, 2, ….',
      LabelMismatch: '`source` and `target` have different numbers of labels.',
      LabelNotAvailable: 'A label in `source` does not exist in the dimension.',
      LabelExists: 'A label in `target` exists already in the dimension.',
    },
  },
  (args) => {
    const cube = requireCube(args.data, 'rename_labels');
    const name = String(args.dimension);
    const index = cube.dims.findIndex((d) => d.name === name);
    if (index < 0) {
      if (hasDimension(cube, name)) throw parameterInvalid('rename_labels', 'dimension', 'the labels of x and y are coordinates and cannot be renamed');
      throw dimensionNotAvailable(name);
    }
    const dim = cube.dims[index];
    const target = (args.target ?? []) as Array<string | number>;
    const source = (args.source ?? []) as Array<string | number>;
    const labels = [...dim.labels];
    let positions: number[];
    if (source.length === 0) {
      const enumerated = labels.every((l, i) => l === i || l === String(i));
      if (!enumerated) throw new ProcessException('LabelsNotEnumerated', `The labels of '${name}' are not the numbers 0, 1, 2, …; give the labels to rename in 'source'.`);
      if (target.length > labels.length) throw new ProcessException('LabelMismatch', `'${name}' has ${labels.length} labels, 'target' has ${target.length}.`);
      positions = target.map((_, i) => i);
    } else {
      if (source.length !== target.length) throw new ProcessException('LabelMismatch', `'source' has ${source.length} labels, 'target' has ${target.length}.`);
      positions = source.map((s) => {
        const at = labels.findIndex((l) => l === s || String(l) === String(s));
        if (at < 0) throw new ProcessException('LabelNotAvailable', `The dimension '${name}' has no label '${s}'.`);
        return at;
      });
    }
    positions.forEach((at, i) => (labels[at] = target[i]));
    const renamed = new Set(positions);
    const kept = labels.filter((_, i) => !renamed.has(i));
    const all = labels.map(String);
    if (new Set(all).size !== all.length || target.some((t) => kept.some((k) => String(k) === String(t)))) {
      throw new ProcessException('LabelExists', `After renaming, '${name}' would have the same label twice.`);
    }
    // Renamed time labels keep the instants they stood for (e.g. for the time coordinate of NetCDF output).
    const relabelled: LabelDimension = { ...dim, labels, labelInstants: dim.type === 'temporal' ? relabelledInstants(dim, labels) : undefined };
    if (!relabelled.labelInstants) delete relabelled.labelInstants;
    const dims = cube.dims.map((d, i) => (i === index ? relabelled : d));
    return new RelabelCube(cube, { dims, grid: cube.grid, order: cube.order });
  },
);
