import type { ProcessDefinition } from '../types';
import { aggregateSpatial } from './aggregateSpatial';
import { applyPolygon } from './applyPolygon';
import { vectorToRandomPoints, vectorToRegularPoints } from './samplePoints';
import { filterSpatial } from './filterSpatial';
import { loadGeojson } from './loadGeojson';
import { loadUploadedFiles, loadUrl } from './loadFiles';
import { maskPolygon } from './maskPolygon';
import { filterVector, vectorBuffer, vectorReproject } from './vectorOperations';

/** Processes on vector data and between vector and raster data, backed by src/vector. */
export const vectorProcesses: ProcessDefinition[] = [
  aggregateSpatial,
  filterSpatial,
  maskPolygon,
  loadGeojson,
  vectorReproject,
  vectorBuffer,
  filterVector,
  loadUrl,
  loadUploadedFiles,
  applyPolygon,
  vectorToRegularPoints,
  vectorToRandomPoints,
];
