import { defineProcess } from '../define';
import { ProcessException } from '../../errors/ProcessException';
import { parameterInvalid, requireCube } from '../cube/common';
import type { DataCube } from '../../raster/cube/DataCube';
import { RelabelCube } from '../../raster/cube/RelabelCube';
import { SubsetCube } from '../../raster/cube/SubsetCube';
import { crsToString } from '../../raster/cube/crs';
import { crsProblem } from '../../gdal/srs';
import { cubeGeometries, findGeometryDimension, geometryDimension } from '../../vector/cube';
import { SpatialRelation, bufferSet, matchingIndices, usesMetres } from '../../vector/operations';
import { reprojectSet } from '../../geometry/reproject';
import type { GeometrySet } from '../../geometry/types';

function requireVectorCube(value: unknown, process: string, parameter: string): DataCube {
  const cube = requireCube(value, process, parameter);
  if (!findGeometryDimension(cube)) throw parameterInvalid(process, parameter, 'expected a vector data cube (with a geometry dimension)');
  return cube;
}

/** The same values with other geometries in the geometry dimension (one per label, in the same order; labels become 0 … n-1). */
function withGeometries(cube: DataCube, set: GeometrySet): DataCube {
  const old = findGeometryDimension(cube)!;
  const replacement = geometryDimension(set, old.name);
  return new RelabelCube(cube, { dims: cube.dims.map((d) => (d === old ? replacement : d)), grid: null, order: cube.order });
}

export const vectorReproject = defineProcess(
  'vector_reproject',
  {
    summary: 'Reproject geometries',
    description: 'Transforms the geometries of the geometry dimension to another coordinate reference system; the values are unchanged.',
    parameters: {
      data: 'A vector data cube.',
      projection: 'The target CRS as EPSG code or WKT2 text.',
      dimension: 'Name of the geometry dimension; `null` for the (only) geometry dimension.',
    },
    returns: 'The vector data cube with transformed geometries.',
    exceptions: { DimensionNotAvailable: 'The data cube has no geometry dimension of that name.' },
  },
  (args) => {
    const cube = requireVectorCube(args.data, 'vector_reproject', 'data');
    const dim = findGeometryDimension(cube)!;
    if (args.dimension !== null && args.dimension !== undefined && args.dimension !== dim.name) {
      throw new ProcessException('DimensionNotAvailable', `The data cube has no geometry dimension '${String(args.dimension)}'.`);
    }
    const { crs } = crsToString(args.projection);
    const problem = crs ? crsProblem(crs) : 'no CRS given';
    if (problem) throw parameterInvalid('vector_reproject', 'projection', `unknown CRS (${problem})`);
    return withGeometries(cube, reprojectSet(cubeGeometries(cube), crs));
  },
);

export const vectorBuffer = defineProcess(
  'vector_buffer',
  {
    summary: 'Buffer geometries',
    description:
      'Grows (positive distance) or shrinks (negative distance) every geometry by a distance in metres; the results are polygons, and geometries that vanish become empty. ' +
      'The geometries must be in a projected CRS in metres: reproject lon/lat geometries first with vector_reproject.',
    parameters: {
      geometries: 'A vector data cube.',
      distance: 'The buffer distance in metres; negative values shrink.',
    },
    returns: 'The vector data cube with buffered geometries; properties and values are kept.',
    exceptions: { UnitMismatch: 'The CRS of the geometries is not in metres.' },
  },
  (args) => {
    const cube = requireVectorCube(args.geometries, 'vector_buffer', 'geometries');
    const set = cubeGeometries(cube);
    if (!usesMetres(set.crs)) throw new ProcessException('UnitMismatch', `The CRS of the geometries (${set.crs}) is not in metres; reproject them first.`);
    return withGeometries(cube, bufferSet(set, Number(args.distance)));
  },
);

export const filterVector = defineProcess(
  'filter_vector',
  {
    summary: 'Select geometries by a spatial relation',
    description:
      'Keeps the geometries of `data` that stand in the given relation to the union of the base geometries (transformed to the CRS of `data`); empty geometries are dropped.',
    parameters: {
      data: 'A vector data cube with the candidate geometries.',
      geometries: 'A vector data cube with the base geometries.',
      relation: 'The spatial predicate a candidate must satisfy against the base geometries.',
    },
    returns: 'The vector data cube with only the matching geometries.',
  },
  (args) => {
    const cube = requireVectorCube(args.data, 'filter_vector', 'data');
    const base = requireVectorCube(args.geometries, 'filter_vector', 'geometries');
    const relation = (args.relation ?? 'intersects') as SpatialRelation;
    const keep = matchingIndices(cubeGeometries(cube), cubeGeometries(base), relation);
    const dimIndex = cube.dims.indexOf(findGeometryDimension(cube)!);
    return SubsetCube.select(cube, dimIndex, keep);
  },
);
