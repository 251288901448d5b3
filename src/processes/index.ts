import { cubeProcesses } from './cube';
import { libraryProcesses } from './library';
import { ProcessRegistry } from './registry';
import { vectorProcesses } from './vector';
import { stacProcesses } from './stac';

/** The registry of everything this back-end can run: our library plus the raster engine's cube processes. */
export function createProcessRegistry(): ProcessRegistry {
  return new ProcessRegistry([...libraryProcesses, ...cubeProcesses, ...vectorProcesses, ...stacProcesses]);
}

export { ProcessRegistry };
