import type { ProcessDefinition } from '../types';
import { loadStac } from './loadStac';

/** Processes reading external STAC catalogues and APIs, backed by src/stac. */
export const stacProcesses: ProcessDefinition[] = [loadStac];
