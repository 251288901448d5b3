import { KeyObject, createHash, createPublicKey } from 'node:crypto';
import { ProviderUnavailableError, getJson } from './http';
import { JwtClaims, keyFitsAlgorithm } from './jwt';

export interface ProviderTimings {
  timeoutMs: number;
  /** Age after which discovery and keys are fetched again. */
  refreshMs: number;
  /** Least time between key set downloads triggered by an unknown key id. */
  jwksMinRefreshMs: number;
  userinfoTtlMs: number;
  /** How long a failure to reach the provider is remembered, so that requests fail fast meanwhile. */
  retryAfterFailureMs: number;
}

interface Discovery {
  jwksUri: string;
  userinfoEndpoint?: string;
}

interface SigningKey {
  kid?: string;
  alg?: string;
  key: KeyObject;
}

interface Cached<T> {
  value: T;
  fetchedAt: number;
}

export type UserinfoResult = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

// Bounds memory use under a flood of distinct tokens; the oldest answers are dropped first.
const MAX_USERINFO_ENTRIES = 10_000;

function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && /^https?:\/\/\S+$/.test(value);
}

/** Reads a JWKS document, keeping only public signature keys Node can import. */
function parseKeySet(body: unknown): SigningKey[] {
  const keys = (body as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) throw new ProviderUnavailableError('the key set has no "keys" list');
  const out: SigningKey[] = [];
  for (const jwk of keys) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const { kty, use, kid, alg } = jwk as Record<string, unknown>;
    if ((kty !== 'RSA' && kty !== 'EC') || (use !== undefined && use !== 'sig')) continue;
    try {
      const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      out.push({ key, kid: typeof kid === 'string' ? kid : undefined, alg: typeof alg === 'string' ? alg : undefined });
    } catch {
      // A key we cannot read cannot have signed anything we accept; the others still count.
    }
  }
  return out;
}

/**
 * Talks to one OpenID Connect provider: its discovery document, signing keys and userinfo
 * endpoint. Nothing is fetched until needed; answers are cached and failures remembered briefly,
 * so an unreachable provider costs one timeout, not one per request.
 */
export class ProviderClient {
  private discovery?: Cached<Discovery>;
  private keys?: Cached<SigningKey[]>;
  private lastKeyFetch = -Infinity;
  private failure?: { at: number; message: string };
  private pendingDiscovery?: Promise<Discovery>;
  private pendingKeys?: Promise<SigningKey[]>;
  private readonly userinfoCache = new Map<string, { result: UserinfoResult; expires: number }>();
  private readonly pendingUserinfo = new Map<string, Promise<UserinfoResult>>();

  constructor(
    readonly issuer: string,
    private readonly timings: ProviderTimings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads discovery and keys ahead of the first login; problems only show up in the returned promise. */
  async warmUp(): Promise<void> {
    await this.signingKeys();
  }

  /** Keys that may have signed a token with this `kid` and `alg`; fetches the key set again for an unknown kid. */
  async keysFor(kid: string | undefined, alg: string): Promise<KeyObject[]> {
    const pick = (keys: SigningKey[]) =>
      keys
        .filter((k) => (kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg) && keyFitsAlgorithm(k.key, alg))
        .map((k) => k.key);
    let found = pick(await this.signingKeys());
    // Providers rotate keys: a new kid means a new key set, but a stream of made-up kids must not cause a download each.
    if (found.length === 0 && this.now() - this.lastKeyFetch >= this.timings.jwksMinRefreshMs) {
      found = pick(await this.signingKeys(true));
    }
    return found;
  }

  /** Asks the userinfo endpoint about an (opaque) access token; answers are cached by the token's hash. */
  async userinfo(token: string): Promise<UserinfoResult> {
    const id = createHash('sha256').update(token).digest('base64url');
    const cached = this.userinfoCache.get(id);
    if (cached && cached.expires > this.now()) return cached.result;
    let pending = this.pendingUserinfo.get(id);
    if (!pending) {
      pending = this.fetchUserinfo(token).finally(() => this.pendingUserinfo.delete(id));
      this.pendingUserinfo.set(id, pending);
    }
    const result = await pending;
    if (this.timings.userinfoTtlMs > 0) {
      this.userinfoCache.delete(id);
      this.userinfoCache.set(id, { result, expires: this.now() + this.timings.userinfoTtlMs });
      while (this.userinfoCache.size > MAX_USERINFO_ENTRIES) this.userinfoCache.delete(this.userinfoCache.keys().next().value!);
    }
    return result;
  }

  private async fetchUserinfo(token: string): Promise<UserinfoResult> {
    const { userinfoEndpoint } = await this.getDiscovery();
    if (!userinfoEndpoint) return { ok: false, reason: 'the provider has no userinfo endpoint to check opaque tokens' };
    const res = await this.guard(() => getJson(userinfoEndpoint, this.timings.timeoutMs, { Authorization: `Bearer ${token}` }));
    // A client error is about the token, which the sender controls; it must not mark the provider as down for everyone.
    if (res.status >= 400 && res.status < 500) return { ok: false, reason: `userinfo refused the token (HTTP ${res.status})` };
    if (res.status !== 200) throw this.fail(`userinfo answered with HTTP ${res.status}`);
    const claims = res.body as JwtClaims | undefined;
    if (typeof claims !== 'object' || claims === null || typeof claims.sub !== 'string' || claims.sub === '') {
      throw this.fail('userinfo answered without a subject');
    }
    return { ok: true, claims };
  }

  private async getDiscovery(): Promise<Discovery> {
    if (this.discovery && this.now() - this.discovery.fetchedAt < this.timings.refreshMs) return this.discovery.value;
    this.pendingDiscovery ??= this.fetchDiscovery().finally(() => (this.pendingDiscovery = undefined));
    try {
      return await this.pendingDiscovery;
    } catch (e) {
      // A provider that is down for a moment keeps working with what we learnt before.
      if (this.discovery) return this.discovery.value;
      throw e;
    }
  }

  private async fetchDiscovery(): Promise<Discovery> {
    const url = `${this.issuer}/.well-known/openid-configuration`;
    const res = await this.guard(() => getJson(url, this.timings.timeoutMs));
    if (res.status !== 200) throw this.fail(`${url} answered with HTTP ${res.status}`);
    const doc = res.body as Record<string, unknown> | undefined;
    // OpenID Connect Discovery requires the document to name exactly the issuer it was fetched for.
    if (doc?.issuer !== this.issuer) throw this.fail(`the discovery document names issuer ${JSON.stringify(doc?.issuer)}`);
    if (!isHttpUrl(doc.jwks_uri)) throw this.fail('the discovery document has no jwks_uri');
    const value: Discovery = { jwksUri: doc.jwks_uri };
    if (isHttpUrl(doc.userinfo_endpoint)) value.userinfoEndpoint = doc.userinfo_endpoint;
    this.discovery = { value, fetchedAt: this.now() };
    return value;
  }

  private async signingKeys(force = false): Promise<SigningKey[]> {
    if (!force && this.keys && this.now() - this.keys.fetchedAt < this.timings.refreshMs) return this.keys.value;
    this.pendingKeys ??= this.fetchKeys().finally(() => (this.pendingKeys = undefined));
    try {
      return await this.pendingKeys;
    } catch (e) {
      if (this.keys) return this.keys.value;
      throw e;
    }
  }

  private async fetchKeys(): Promise<SigningKey[]> {
    const { jwksUri } = await this.getDiscovery();
    this.lastKeyFetch = this.now();
    const res = await this.guard(() => getJson(jwksUri, this.timings.timeoutMs));
    if (res.status !== 200) throw this.fail(`${jwksUri} answered with HTTP ${res.status}`);
    let keys: SigningKey[];
    try {
      keys = parseKeySet(res.body);
    } catch (e) {
      throw this.fail((e as Error).message);
    }
    this.keys = { value: keys, fetchedAt: this.now() };
    return keys;
  }

  /** Runs a request unless the provider failed a moment ago; records a new failure. */
  private async guard<T>(request: () => Promise<T>): Promise<T> {
    if (this.failure && this.now() - this.failure.at < this.timings.retryAfterFailureMs) {
      throw new ProviderUnavailableError(this.failure.message);
    }
    try {
      const result = await request();
      this.failure = undefined;
      return result;
    } catch (e) {
      if (e instanceof ProviderUnavailableError) throw this.fail(e.message);
      throw e;
    }
  }

  private fail(message: string): ProviderUnavailableError {
    this.failure = { at: this.now(), message };
    return new ProviderUnavailableError(message);
  }
}
