/**
 * run_udf on a vector cube (e.g. what aggregate_spatial returns): the whole cube goes to the UDF
 * in one call, the geometry dimension labelled by geometry index. The result must keep that
 * dimension with the same labels, so its geometries carry over; other dimensions may change.
 */
import { DataCube } from '../raster/cube/DataCube';
import { MemoryCube } from '../raster/cube/MemoryCube';
import type { TileContext } from '../raster/cube/model';
import { findGeometryDimension } from '../vector/cube';
import { sessionFor } from './sessions';
import { udfError } from './session';
import { UdfCode, callOnValues, describeDimensions } from './tiles';
import type { UdfRun } from './UdfCube';

export async function udfOnVectorCube(cube: DataCube, run: UdfRun, udf: UdfCode, ctx: TileContext): Promise<DataCube> {
  const geometry = findGeometryDimension(cube);
  if (!geometry) throw udfError('run_udf needs a raster data cube or a vector cube with a geometry dimension.');
  const values = await cube.tile({ x: 0, y: 0, width: 1, height: 1 }, ctx);
  const { session, release } = sessionFor(run);
  let result;
  try {
    result = await callOnValues(session, udf, cube.dims, values);
  } finally {
    release();
  }
  // An unchanged geometry dimension comes back as the very same object, geometries included.
  if (!result.dims.includes(geometry)) {
    throw udfError(
      `The UDF returned the dimensions ${describeDimensions(result.dims)}: on a vector cube it must keep the dimension '${geometry.name}' with its ${geometry.labels.length} geometry indices as labels.`,
    );
  }
  return new MemoryCube({ dims: result.dims, grid: null, order: result.dims.map((d) => d.name) }, result.values);
}
