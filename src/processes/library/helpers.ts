/** Small builders so that each process definition is a few lines. */
import { defineProcess, processFacts, ProcessText } from '../define';
import { FastOp, mapNumeric, zipNumeric } from '../lift';
import type { ProcessDefinition } from '../types';

/** A process of one number (its only parameter, usually `x`), defined by a number → number kernel. */
export function unaryMath(id: string, text: ProcessText, kernel: (x: number) => number): ProcessDefinition {
  const name = processFacts(id)?.parameters[0]?.name ?? 'x';
  return defineProcess(id, text, (args) => mapNumeric(args[name], kernel));
}

/** A process of two numbers, defined by a kernel; `names` are the parameter names in order. */
export function binaryMath(
  id: string,
  text: ProcessText,
  kernel: (a: number, b: number) => number,
  names: [string, string] = ['x', 'y'],
  fast?: FastOp,
): ProcessDefinition {
  return defineProcess(id, text, (args) => zipNumeric(args[names[0]], args[names[1]], kernel, fast));
}

/** A process without arguments returning a constant number. */
export function constantNumber(id: string, text: ProcessText, value: number): ProcessDefinition {
  return defineProcess(id, text, () => value);
}
