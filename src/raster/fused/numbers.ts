/**
 * The only way a value reaches generated kernel source: a number written so that it reads back
 * as exactly the same number. Anything else is refused, so no text from a request can ever
 * become code.
 */

const PLAIN_NUMBER = /^\d+(\.\d+)?(e[+-]\d+)?$/;

/** Source text of `value` (parenthesised when negative, so it can stand next to any operator). */
export function numberLiteral(value: number): string {
  if (typeof value !== 'number') throw new TypeError('only numbers can be written into a kernel');
  if (value !== value) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '(-Infinity)';
  if (Object.is(value, -0)) return '(-0)';
  // String() gives the shortest text that parses back to the same double.
  const magnitude = String(Math.abs(value));
  if (!PLAIN_NUMBER.test(magnitude)) throw new Error(`unexpected number text ${magnitude}`);
  return value < 0 ? `(-${magnitude})` : magnitude;
}
