import type { ProcessDefinition } from '../types';

/** The data-cube processes (load_collection, reduce_dimension, save_result, …), backed by src/raster. */
export const cubeProcesses: ProcessDefinition[] = [];
