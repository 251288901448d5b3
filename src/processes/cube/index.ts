import type { ProcessDefinition } from '../types';
import { loadCollection } from './loadCollection';
import { saveResult } from './saveResult';
import { filterBbox } from './filterBbox';
import { filterTemporal } from './filterTemporal';
import { filterBands } from './filterBands';
import { apply } from './apply';
import { reduceDimension } from './reduceDimension';
import { ndvi } from './ndvi';
import { mask } from './mask';
import { applyDimension } from './applyDimension';
import { mergeCubes } from './mergeCubes';
import { aggregateTemporal, aggregateTemporalPeriod } from './aggregateTemporal';
import { filterLabels } from './filterLabels';
import { trimCube } from './trimCube';
import { applyKernel } from './applyKernel';
import { resampleCubeSpatial, resampleSpatial } from './resampleSpatial';
import { applyNeighborhood } from './applyNeighborhood';
import { resampleCubeTemporal } from './resampleCubeTemporal';
import { anomaly } from './anomaly';
import { climatologicalNormal } from './climatology';
import { createDataCube } from './createDataCube';
import { flattenDimensions, unflattenDimension } from './flattenDimensions';
import { aggregateSpatialWindow } from './aggregateSpatialWindow';
import { fitCurve, predictCurve } from './curves';
import { reduceSpatialProcess } from './reduceSpatial';
import { addDimension, dimensionLabels, dropDimension, renameDimension } from './dimensionMetadata';
import { renameLabels } from './renameLabels';

/**
 * The data-cube processes (load_collection, reduce_dimension, save_result, …), backed by src/raster.
 * normalized_difference is not here: the library's element-wise version (src/processes/library/math.ts)
 * already works on whole tiles.
 */
export const cubeProcesses: ProcessDefinition[] = [
  loadCollection,
  saveResult,
  filterBbox,
  filterTemporal,
  filterBands,
  apply,
  reduceDimension,
  ndvi,
  dimensionLabels,
  addDimension,
  dropDimension,
  renameDimension,
  renameLabels,
  mask,
  mergeCubes,
  applyDimension,
  aggregateTemporalPeriod,
  aggregateTemporal,
  filterLabels,
  trimCube,
  applyKernel,
  resampleSpatial,
  resampleCubeSpatial,
  applyNeighborhood,
  resampleCubeTemporal,
  climatologicalNormal,
  anomaly,
  createDataCube,
  flattenDimensions,
  unflattenDimension,
  aggregateSpatialWindow,
  fitCurve,
  predictCurve,
  reduceSpatialProcess,
];
