import path from 'node:path';
import { OpenEOError } from '../errors/OpenEOError';

type Json = Record<string, any>;

/** A STAC document address: an http(s) URL (load_stac's schema allows nothing else). */
export type Href = string;

export function isUrl(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

export function stacError(reason: string): OpenEOError {
  return new OpenEOError('ProcessParameterInvalid', { process: 'load_stac', parameter: 'url', reason });
}

/**
 * Reads STAC documents for load_stac over http(s), with the run's abort signal. Local asset paths
 * named by documents are only accepted inside `roots` (the folders the administrator published as
 * collections), so a document cannot make the server read arbitrary files.
 */
export class StacReader {
  constructor(
    private readonly roots: string[],
    private readonly signal: AbortSignal,
  ) {}

  /** Whether a local path lies inside one of the allowed folders. */
  allowsLocal(file: string): boolean {
    const resolved = path.resolve(file);
    return this.roots.some((root) => resolved === root || resolved.startsWith(root + path.sep));
  }

  /** A link target relative to the document that contains it. */
  resolve(href: string, base: Href): Href {
    return new URL(href, base).toString();
  }

  async read(href: Href, query?: Record<string, string>): Promise<Json> {
    if (!isUrl(href)) throw stacError(`${href} is not an http(s) URL`);
    const url = new URL(href);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.any([this.signal, AbortSignal.timeout(60_000)]), headers: { accept: 'application/json, application/geo+json' } });
    } catch (e) {
      throw stacError(`${url} cannot be fetched (${(e as Error).message})`);
    }
    if (response.status === 404) throw new OpenEOError('FileNotFound', { file: url.toString() });
    if (!response.ok) throw stacError(`${url} answered HTTP ${response.status}`);
    const text = await response.text();
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw stacError(`${href} is not JSON`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw stacError(`${href} is not a STAC document`);
    return doc as Json;
  }
}
