/** Text processes. No-data input gives no-data output. */
import { defineProcess } from '../define';
import { elementsOf } from '../values';

function fold(text: string, caseSensitive: boolean): string {
  return caseSensitive ? text : text.toLocaleLowerCase();
}

function textTest(id: string, summary: string, description: string, test: (data: string, pattern: string) => unknown) {
  return defineProcess(
    id,
    {
      summary,
      description,
      parameters: { data: 'The text to search in.', pattern: 'The text to look for.', case_sensitive: 'Compare case-sensitively (true, the default) or not.' },
      returns: 'The result, or null for no-data.',
    },
    ({ data, pattern, case_sensitive }) => (data === null ? null : test(fold(data, case_sensitive), fold(pattern, case_sensitive))),
  );
}

/** How text_concat writes non-string values. */
function asText(value: unknown): string {
  return value === null ? 'null' : String(value);
}

export const textProcesses = [
  textTest('text_begins', 'Text starts with', 'Tests whether `data` starts with `pattern`.', (d, p) => d.startsWith(p)),
  textTest('text_ends', 'Text ends with', 'Tests whether `data` ends with `pattern`.', (d, p) => d.endsWith(p)),
  textTest('text_contains', 'Text contains', 'Tests whether `pattern` occurs anywhere in `data`.', (d, p) => d.includes(p)),
  textTest('text_find', 'Find text', 'The zero-based position of the first occurrence of `pattern` in `data`.', (d, p) => {
    const at = d.indexOf(p);
    return at < 0 ? null : at;
  }),
  defineProcess(
    'text_concat',
    {
      summary: 'Join texts',
      description: 'Joins the elements of `data` into one text, converting numbers, booleans and no-data to their text form, with `separator` between them.',
      parameters: { data: 'The values to join.', separator: 'Put between two elements.' },
      returns: 'The joined text.',
    },
    ({ data, separator }) => elementsOf(data).map(asText).join(asText(separator)),
  ),
];
