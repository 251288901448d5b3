import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { parameterInvalid, requireCube } from '../cube/common';
import type { DataCube } from '../../raster/cube/DataCube';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import { cubeGeometries, findGeometryDimension, geometryDimension } from '../../vector/cube';
import { usesMetres } from '../../vector/operations';
import { RepeatGeometriesCube } from '../../vector/repeat';
import { randomPoints, randomSource, regularPoints } from '../../vector/sampling';
import type { GeometrySet, VectorFeature } from '../../geometry/types';

type Sampler = (feature: VectorFeature, index: number) => Array<[number, number]>;

/** Builds the sampled cube: one MultiPoint per geometry (grouped) or one Point per sample with the values of its source. */
function sampledCube(cube: DataCube, set: GeometrySet, sample: Sampler, group: boolean): DataCube {
  const old = findGeometryDimension(cube)!;
  const samples = set.features.map((f, i) => (f.geometry ? sample(f, i) : []));
  if (group) {
    const features = set.features.map((f, i): VectorFeature => ({
      ...f,
      geometry: samples[i].length > 0 ? { type: 'MultiPoint', coordinates: samples[i] } : null,
    }));
    return new RelabelCube(cube, { dims: cube.dims.map((d) => (d === old ? geometryDimension({ crs: set.crs, features }, old.name) : d)), grid: null, order: cube.order });
  }
  const features: VectorFeature[] = [];
  const sourceOf: number[] = [];
  samples.forEach((points, i) => {
    for (const p of points) {
      features.push({ geometry: { type: 'Point', coordinates: p }, properties: set.features[i].properties });
      sourceOf.push(i);
    }
  });
  return new RepeatGeometriesCube(cube, geometryDimension({ crs: set.crs, features }, old.name), sourceOf);
}

function vectorInput(value: unknown, process: string): { cube: DataCube; set: GeometrySet } {
  const cube = requireCube(value, process);
  if (!findGeometryDimension(cube)) throw parameterInvalid(process, 'data', 'expected a vector data cube (with a geometry dimension)');
  return { cube, set: cubeGeometries(cube) };
}

export const vectorToRegularPoints = defineProcess(
  'vector_to_regular_points',
  {
    summary: 'Regularly spaced points from geometries',
    description:
      'Samples points from each geometry: for polygons the centres of a grid of `distance` metres anchored at the upper-left corner of the polygon that lie inside it; ' +
      'for lines the start and then a point every `distance` metres along the line; points as they are. A geometry without samples yields its first coordinate. ' +
      'The geometries must be in a projected CRS in metres.',
    parameters: {
      data: 'A vector data cube.',
      distance: 'Spacing of the samples in metres.',
      group: 'One MultiPoint per geometry (true) or one Point per sample (false), each with the values and properties of its geometry.',
    },
    returns: 'A vector data cube of points.',
    exceptions: { UnitMismatch: 'The CRS of the geometries is not in metres.' },
  },
  (args) => {
    const { cube, set } = vectorInput(args.data, 'vector_to_regular_points');
    if (!usesMetres(set.crs)) throw new ProcessException('UnitMismatch', `The CRS of the geometries (${set.crs}) is not in metres; reproject them first.`);
    const distance = Number(args.distance);
    if (!(distance > 0)) throw parameterInvalid('vector_to_regular_points', 'distance', 'must be positive');
    return sampledCube(cube, set, (f) => regularPoints(f.geometry!, distance), args.group ?? true);
  },
);

export const vectorToRandomPoints = defineProcess(
  'vector_to_random_points',
  {
    summary: 'Random points from geometries',
    description:
      'Samples random points: uniformly inside polygons and along lines, and distinct members of point sets. Without counts one point per geometry is drawn; ' +
      '`total_count` is shared out evenly over the geometries, and `geometry_count` caps each geometry. The same `seed` gives the same points.',
    parameters: {
      data: 'A vector data cube.',
      geometry_count: 'The most points to draw per geometry.',
      total_count: 'The most points to draw overall; at least one per geometry.',
      group: 'One MultiPoint per geometry (true) or one Point per sample (false), each with the values and properties of its geometry.',
      seed: 'Seed for reproducible samples; `null` draws differently each time.',
    },
    returns: 'A vector data cube of points.',
    exceptions: { CountMismatch: 'The total number of points is lower than the number of geometries.' },
  },
  (args) => {
    const { cube, set } = vectorInput(args.data, 'vector_to_random_points');
    const nonEmpty = set.features.filter((f) => f.geometry).length;
    const perGeometry = args.geometry_count ?? null;
    const total = args.total_count ?? null;
    if (total !== null && total < nonEmpty) throw new ProcessException('CountMismatch', `total_count ${total} is lower than the number of geometries (${nonEmpty}).`);
    const counts = new Map<number, number>();
    let rank = 0;
    set.features.forEach((f, i) => {
      if (!f.geometry) return;
      let n = total === null ? (perGeometry ?? 1) : Math.floor(total / nonEmpty) + (rank < total % nonEmpty ? 1 : 0);
      if (perGeometry !== null) n = Math.min(n, perGeometry);
      counts.set(i, n);
      rank++;
    });
    const random = randomSource(args.seed ?? null);
    return sampledCube(cube, set, (f, i) => randomPoints(f.geometry!, counts.get(i) ?? 0, random), args.group ?? true);
  },
);
