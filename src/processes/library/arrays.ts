/** Array processes: element access, construction, search and callbacks over elements. */
import { defineProcess } from '../define';
import { OpenEOError } from '../../errors/OpenEOError';
import { ProcessException } from '../../errors/ProcessException';
import { PixelArray, PixelVector } from '../types';
import type { Callback } from '../types';
import { InvalidValue, LabeledArray, MAX_ARRAY_LENGTH, elementsOf, isPixelArray, isPixelVector, labelsOf, toPixel, withLabelsOf } from '../values';
import { reducer } from './reduce';

const tooLong = () => new OpenEOError('ProcessGraphComplexity', { reason: `an array would get more than ${MAX_ARRAY_LENGTH} elements` });

const unlabeledElement = () => new ProcessException('ArrayNotLabeled', 'The array has no labels; use `index` instead of `label`.');

const notAvailable = () => new ProcessException('ArrayElementNotAvailable', 'The array has no element at that index or label.');

function labelIndex(labels: ReadonlyArray<string | number>, label: unknown): number {
  return labels.findIndex((l) => l === label);
}

/** array_element on one pixel array: the vector of one label or index. */
function elementOfTile(data: PixelArray, index: number | undefined, label: unknown, returnNodata: boolean): PixelVector {
  if (index === undefined && !data.labeled) throw unlabeledElement();
  const k = index !== undefined ? index : labelIndex(data.labels, label);
  if (k >= 0 && k < data.vectors.length) return data.vectors[k];
  if (returnNodata) return new Float64Array(data.length).fill(NaN);
  throw notAvailable();
}

/** A primitive equal to `value` in the sense of array_find/array_contains (no deep comparison). */
function samePrimitive(a: unknown, b: unknown): boolean {
  return a !== null && typeof a !== 'object' && a === b;
}

/** Whether the labels can serve as x positions for interpolation. */
function numericPositions(data: unknown, n: number): number[] {
  const labels = labelsOf(data);
  if (labels && labels.every((l) => typeof l === 'number')) return labels as number[];
  return Array.from({ length: n }, (_, k) => k);
}

function interpolateLinear(values: unknown[], positions: number[]): unknown[] {
  const isGap = (v: unknown) => v === null || (typeof v === 'number' && v !== v);
  const out = [...values];
  let previous = -1;
  for (let k = 0; k < values.length; k++) {
    if (isGap(values[k])) continue;
    if (previous >= 0 && k - previous > 1) {
      const a = values[previous] as number;
      const b = values[k] as number;
      for (let j = previous + 1; j < k; j++) {
        const t = (positions[j] - positions[previous]) / (positions[k] - positions[previous]);
        // Weighted form keeps infinite neighbours infinite instead of turning them into NaN.
        out[j] = a === b ? a : (1 - t) * a + t * b;
      }
    }
    previous = k;
  }
  return out;
}

/** Runs a child process once per element; over pixel arrays once per label with whole vectors. */
async function applyToElements(data: unknown, process: Callback, context: unknown): Promise<unknown> {
  if (isPixelArray(data)) {
    const vectors: PixelVector[] = [];
    for (let k = 0; k < data.vectors.length; k++) {
      const result = await process.run({ x: data.vectors[k], index: k, label: data.labels[k], context });
      vectors.push(isPixelVector(result) ? result : new Float64Array(data.length).fill(toPixel(result)));
    }
    return new PixelArray(vectors, data.labels, data.length, data.labeled);
  }
  const values = elementsOf(data);
  const labels = labelsOf(data);
  const out: unknown[] = [];
  for (let k = 0; k < values.length; k++) {
    out.push(await process.run({ x: values[k], index: k, label: labels ? labels[k] : null, context }));
  }
  return withLabelsOf(data, out);
}

/** The labels of two joined labeled arrays; a label in both is a conflict the user must resolve. */
function joinedLabels(first: ReadonlyArray<string | number>, second: ReadonlyArray<string | number>): Array<string | number> {
  const labels = [...first, ...second];
  if (new Set(labels).size !== labels.length) {
    throw new ProcessException('ArrayLabelConflict', 'Both arrays have an element with the same label; rename one of them first.');
  }
  return labels;
}

/** The label array_append gives a new element of a labeled array: the one asked for, else the next index. */
function appendedLabel(labels: ReadonlyArray<string | number>, label: unknown): string | number {
  const next = label === undefined || label === null ? labels.length : (label as string | number);
  if (labels.includes(next)) throw new ProcessException('LabelExists', `The array already has an element labeled '${next}'.`);
  return next;
}

const notLabeled = () => new ProcessException('ArrayNotLabeled', 'A label was given but the array has no labels.');

/** An array element next to pixel arrays as one vector: per-pixel values as they are, plain values repeated. */
function tileVector(value: unknown, length: number): PixelVector {
  return isPixelVector(value) ? value : new Float64Array(length).fill(toPixel(value));
}

/** The vectors of an array joined with a pixel array, and its labels when it has some. */
function tileParts(array: unknown, length: number): { vectors: PixelVector[]; labels?: Array<string | number> } {
  if (isPixelArray(array)) return { vectors: array.vectors, labels: array.labeled ? array.labels : undefined };
  return { vectors: elementsOf(array).map((v) => tileVector(v, length)), labels: labelsOf(array) };
}

/** array_concat where at least one side is a pixel array: labels survive only when both sides have them. */
function concatTiles(array1: unknown, array2: unknown): PixelArray {
  const length = (isPixelArray(array1) ? array1 : (array2 as PixelArray)).length;
  const first = tileParts(array1, length);
  const second = tileParts(array2, length);
  const vectors = [...first.vectors, ...second.vectors];
  if (!first.labels || !second.labels) return new PixelArray(vectors, vectors.map((_, k) => k), length, false);
  return new PixelArray(vectors, joinedLabels(first.labels, second.labels), length);
}

/** array_append to a pixel array: the value (per pixel or plain) becomes one more vector. */
function appendToTile(data: PixelArray, value: unknown, label: unknown): PixelArray {
  const vectors = [...data.vectors, tileVector(value, data.length)];
  if (data.labeled) return new PixelArray(vectors, [...data.labels, appendedLabel(data.labels, label)], data.length);
  if (label !== undefined && label !== null) throw notLabeled();
  return new PixelArray(vectors, vectors.map((_, k) => k), data.length, false);
}

export const arrayProcesses = [
  defineProcess(
    'array_element',
    {
      summary: 'Get an array element',
      description: 'Returns the element at a zero-based `index` or with a given `label`. Exactly one of the two must be given.',
      parameters: {
        data: 'The array to read from.',
        index: 'Zero-based position of the element.',
        label: 'Label of the element; needs a labeled array.',
        return_nodata: 'Return no-data instead of failing when the element does not exist.',
      },
      returns: 'The element, or null.',
      exceptions: {
        ArrayElementNotAvailable: 'The array has no element at that index or label.',
        ArrayElementParameterMissing: 'Give either `index` or `label`.',
        ArrayElementParameterConflict: 'Give only one of `index` and `label`.',
        ArrayNotLabeled: 'The array has no labels; use `index` instead of `label`.',
      },
    },
    ({ data, index, label, return_nodata }) => {
      if (index !== undefined && label !== undefined && label !== null) {
        throw new ProcessException('ArrayElementParameterConflict', 'Give only one of `index` and `label`.');
      }
      if (index === undefined && (label === undefined || label === null)) {
        throw new ProcessException('ArrayElementParameterMissing', 'Give either `index` or `label`.');
      }
      if (isPixelArray(data)) return elementOfTile(data, index, label, return_nodata);
      const values = elementsOf(data);
      let k = index as number | undefined;
      if (k === undefined) {
        const labels = labelsOf(data);
        if (!labels) throw unlabeledElement();
        k = labelIndex(labels, label);
      }
      if (k >= 0 && k < values.length) return values[k];
      if (return_nodata) return null;
      throw notAvailable();
    },
  ),
  defineProcess(
    'array_create',
    {
      summary: 'Create an array',
      description: 'Builds an array from `data`, repeated `repeat` times.',
      parameters: { data: 'The elements to start with.', repeat: 'How many times `data` is repeated.' },
      returns: 'The new array.',
    },
    ({ data, repeat }) => {
      const values = elementsOf(data);
      if (values.length === 0) return [];
      if (values.length * repeat > MAX_ARRAY_LENGTH) throw tooLong();
      const out: unknown[] = [];
      for (let r = 0; r < repeat; r++) out.push(...values);
      return out;
    },
  ),
  defineProcess(
    'array_create_labeled',
    {
      summary: 'Create a labeled array',
      description: 'Pairs each element of `data` with the label at the same position of `labels`.',
      parameters: { data: 'The elements.', labels: 'One unique label per element.' },
      returns: 'The labeled array.',
      exceptions: { ArrayLengthMismatch: '`data` and `labels` must have the same number of elements.' },
    },
    ({ data, labels }) => {
      const values = elementsOf(data);
      if (values.length !== labels.length) {
        throw new ProcessException('ArrayLengthMismatch', '`data` and `labels` must have the same number of elements.');
      }
      return new LabeledArray(values, labels);
    },
  ),
  defineProcess(
    'array_concat',
    {
      summary: 'Join two arrays',
      description: 'Appends the elements of `array2` to those of `array1`. Labeled arrays stay labeled; their labels must not repeat.',
      parameters: { array1: 'The first array.', array2: 'The array appended to the first.' },
      returns: 'The joined array.',
      exceptions: { ArrayLabelConflict: 'Both arrays have an element with the same label.' },
    },
    ({ array1, array2 }) => {
      if (isPixelArray(array1) || isPixelArray(array2)) return concatTiles(array1, array2);
      const values = [...elementsOf(array1), ...elementsOf(array2)];
      const labels1 = labelsOf(array1);
      const labels2 = labelsOf(array2);
      return labels1 && labels2 ? new LabeledArray(values, joinedLabels(labels1, labels2)) : values;
    },
  ),
  defineProcess(
    'array_append',
    {
      summary: 'Append a value to an array',
      description: 'Adds `value` at the end of `data`; for labeled arrays `label` names the new element.',
      parameters: { data: 'The array to extend.', value: 'The value to append.', label: 'Label of the new element in a labeled array.' },
      returns: 'The extended array.',
      exceptions: { LabelExists: 'The array already has an element with this label.', ArrayNotLabeled: 'A label was given but the array has no labels.' },
    },
    ({ data, value, label }) => {
      if (isPixelArray(data)) return appendToTile(data, value, label);
      const values = [...elementsOf(data), value];
      const labels = labelsOf(data);
      if (labels) return new LabeledArray(values, [...labels, appendedLabel(labels, label)]);
      if (label === undefined || label === null) return values;
      if (elementsOf(data).length > 0) throw notLabeled();
      return new LabeledArray(values, [label]);
    },
  ),
  defineProcess(
    'array_contains',
    {
      summary: 'Does an array contain a value?',
      description: 'Tests whether `data` contains `value`. Only numbers, strings and booleans can be found; no-data, arrays and objects never match.',
      parameters: { data: 'The array to search.', value: 'The value to look for.' },
      returns: 'true when found, false otherwise.',
    },
    ({ data, value }) => elementsOf(data).some((v) => samePrimitive(v, value)),
  ),
  defineProcess(
    'array_find',
    {
      summary: 'Index of a value',
      description: 'The zero-based index of the first (or, with `reverse`, the last) element equal to `value`. No-data, arrays and objects are never found.',
      parameters: { data: 'The array to search.', value: 'The value to look for.', reverse: 'Search from the end.' },
      returns: 'The index, or null when not found.',
    },
    ({ data, value, reverse }) => {
      const values = elementsOf(data);
      for (let step = 0; step < values.length; step++) {
        const k = reverse ? values.length - 1 - step : step;
        if (samePrimitive(values[k], value)) return k;
      }
      return null;
    },
  ),
  defineProcess(
    'array_find_label',
    {
      summary: 'Index of a label',
      description: 'The zero-based index of the element with the given label.',
      parameters: { data: 'A labeled array.', label: 'The label to look for.' },
      returns: 'The index, or null when the label does not exist.',
    },
    ({ data, label }) => {
      const labels = isPixelArray(data) ? data.labels : labelsOf(data);
      if (!labels) return null;
      const k = labelIndex(labels, label);
      return k < 0 ? null : k;
    },
  ),
  defineProcess(
    'array_labels',
    {
      summary: 'Labels of an array',
      description: 'The labels of a labeled array, or the indices 0, 1, ... of an unlabeled one.',
      parameters: { data: 'The array.' },
      returns: 'The labels.',
    },
    ({ data }) => {
      if (isPixelArray(data)) return [...data.labels];
      return labelsOf(data) ?? elementsOf(data).map((_, k) => k);
    },
  ),
  defineProcess(
    'array_modify',
    {
      summary: 'Replace, insert or remove elements',
      description: 'Replaces `length` elements starting at `index` with `values`: a length of 0 inserts, an empty `values` removes.',
      parameters: { data: 'The array to change.', values: 'The elements to put in.', index: 'Where to start.', length: 'How many elements to replace.' },
      returns: 'The changed array.',
      exceptions: {
        ArrayElementNotAvailable: 'The index lies beyond the end of the array.',
        ArrayLabelConflict: 'The new elements have labels that exist in the array already.',
      },
    },
    ({ data, values, index, length }) => {
      const current = elementsOf(data);
      if (index > current.length) throw new ProcessException('ArrayElementNotAvailable', 'The index lies beyond the end of the array.');
      const out = [...current];
      out.splice(index, length, ...elementsOf(values));
      const labels = labelsOf(data);
      if (!labels) return out;
      const newLabels = labelsOf(values);
      if (!newLabels) return out;
      const kept = [...labels];
      kept.splice(index, length);
      if (newLabels.some((l) => kept.includes(l))) {
        throw new ProcessException('ArrayLabelConflict', 'The new elements have labels that exist in the array already.');
      }
      kept.splice(index, 0, ...newLabels);
      return new LabeledArray(out, kept);
    },
  ),
  defineProcess(
    'array_apply',
    {
      summary: 'Apply a process to each element',
      description: 'Runs the child process for every element of `data` and returns the results in the same order and with the same labels.',
      parameters: { data: 'The array to process.' },
      returns: 'The array of results.',
    },
    ({ data, process, context }) => applyToElements(data, process as Callback, context),
  ),
  defineProcess(
    'array_filter',
    {
      summary: 'Keep matching elements',
      description: 'Keeps the elements for which the child process `condition` returns true, with their labels.',
      parameters: { data: 'The array to filter.', condition: 'A child process returning true for elements to keep.' },
      returns: 'The filtered array.',
    },
    async ({ data, condition, context }) => {
      if (isPixelArray(data)) throw new InvalidValue('array_filter cannot be used on the pixels of a data cube (the result length would vary per pixel)');
      const values = elementsOf(data);
      const labels = labelsOf(data);
      const keptValues: unknown[] = [];
      const keptLabels: Array<string | number> = [];
      for (let k = 0; k < values.length; k++) {
        const keep = await (condition as Callback).run({ x: values[k], index: k, label: labels ? labels[k] : null, context });
        if (keep === true) {
          keptValues.push(values[k]);
          if (labels) keptLabels.push(labels[k]);
        }
      }
      return labels ? new LabeledArray(keptValues, keptLabels) : keptValues;
    },
  ),
  reducer(
    'array_interpolate_linear',
    {
      summary: 'Fill gaps by linear interpolation',
      description: 'Replaces no-data and NaN values that lie between two valid numbers by linear interpolation; gaps at the ends stay. Numeric labels serve as positions.',
      parameters: { data: 'The numbers to fill.' },
      returns: 'The array with interpolated gaps, with the same labels.',
    },
    (values, args) => withLabelsOf(args.data, interpolateLinear(values, numericPositions(args.data, values.length))),
  ),
];
