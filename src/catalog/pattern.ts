/**
 * File name patterns such as `S2_{date}_{band}.tif`: `{date}` and `{band}` are special,
 * any other `{name}` is kept as an item property (e.g. a tile id), `*` matches anything.
 */
export interface PatternMatch {
  /** RFC 3339 datetime parsed from `{date}`. */
  datetime: string;
  band?: string;
  /** Values of the other placeholders, in pattern order. */
  extra: Record<string, string>;
}

export interface FilePattern {
  readonly source: string;
  readonly hasBand: boolean;
  match(fileName: string): PatternMatch | undefined;
}

const PLACEHOLDER = /\{(\w+)\}|\*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^$()[\]\\|]/g, '\\$&');
}

/** Throws with a readable reason when the pattern cannot describe a time series. */
export function compilePattern(pattern: string): FilePattern {
  const names: string[] = [];
  let regex = '';
  let last = 0;
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    regex += escapeRegExp(pattern.slice(last, m.index));
    if (m[0] === '*') {
      regex += '.*?';
    } else {
      const name = m[1];
      if (names.includes(name)) throw new Error(`placeholder {${name}} appears twice in pattern '${pattern}'`);
      names.push(name);
      // Dates are digits with optional separators; other values stop at the next literal.
      regex += name === 'date' ? '(\\d{4}-?\\d{2}-?\\d{2}(?:[T_]?\\d{2}:?\\d{2}(?::?\\d{2})?Z?)?)' : '([^/]+?)';
    }
    last = m.index! + m[0].length;
  }
  regex += escapeRegExp(pattern.slice(last));
  if (!names.includes('date')) throw new Error(`pattern '${pattern}' has no {date} placeholder`);
  const compiled = new RegExp(`^${regex}$`);
  return {
    source: pattern,
    hasBand: names.includes('band'),
    match(fileName: string): PatternMatch | undefined {
      const m = compiled.exec(fileName);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      names.forEach((name, i) => (values[name] = m[i + 1]));
      const datetime = parseCompactDate(values.date);
      if (!datetime) return undefined;
      const { date: _date, band, ...extra } = values;
      return { datetime, band, extra };
    },
  };
}

/**
 * `20230105`, `2023-01-05`, `20230105T103021`, `2023-01-05T10:30:21Z` → RFC 3339 in UTC.
 * Returns undefined for impossible dates such as month 13.
 */
export function parseCompactDate(text: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T_]?(\d{2}):?(\d{2})(?::?(\d{2}))?Z?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const date = new Date(ms);
  if (date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  return toRfc3339(ms);
}

/** Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ` (fractions only when present). */
export function toRfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}
