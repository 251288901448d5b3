/** A provider endpoint could not be used: network error, timeout, or an answer that makes no sense. */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

export interface JsonResponse {
  status: number;
  /** The parsed body; undefined when the status is not 200 or the body is empty. */
  body: unknown;
}

// Discovery documents and key sets are a few kilobytes; anything far larger is not what we asked for.
const MAX_BODY_BYTES = 1024 * 1024;

async function readLimited(res: Response, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) throw new ProviderUnavailableError(`${url} answered with ${declared} bytes, more than allowed`);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ProviderUnavailableError(`${url} answered with more than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs a JSON document from an identity provider within `timeoutMs`. Status codes other than
 * 200 are returned to the caller (userinfo uses them); failures to talk at all throw.
 */
export async function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<JsonResponse> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const reason = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(e);
    throw new ProviderUnavailableError(`cannot reach ${url}: ${reason}`);
  }
  let text: string;
  try {
    text = await readLimited(res, url);
  } catch (e) {
    if (e instanceof ProviderUnavailableError) throw e;
    throw new ProviderUnavailableError(`reading the answer of ${url} failed: ${describeFetchError(e)}`);
  }
  if (res.status !== 200) return { status: res.status, body: undefined };
  try {
    return { status: 200, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    throw new ProviderUnavailableError(`${url} did not answer with JSON`);
  }
}

function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // Node's fetch hides the socket error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = (e as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) return `${e.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
  return e.message;
}
