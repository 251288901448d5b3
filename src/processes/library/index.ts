import type { ProcessDefinition } from '../types';
import { arrayProcesses } from './arrays';
import { checkProcesses } from './checks';
import { dateProcesses } from './dates';
import { inspectProcess } from './inspect';
import { comparisonProcesses } from './comparison';
import { logicProcesses } from './logic';
import { mathProcesses } from './math';
import { orderingProcesses } from './ordering';
import { statisticsProcesses } from './statistics';
import { textProcesses } from './text';
import { trigonometryProcesses } from './trigonometry';

/** Every non-cube process: scalar math, comparison, logic, arrays, statistics and text. */
export const libraryProcesses: ProcessDefinition[] = [
  ...mathProcesses,
  ...trigonometryProcesses,
  ...comparisonProcesses,
  ...logicProcesses,
  ...checkProcesses,
  ...statisticsProcesses,
  ...arrayProcesses,
  ...orderingProcesses,
  ...textProcesses,
  ...dateProcesses,
  inspectProcess,
];
