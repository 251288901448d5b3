import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KeyObject, constants, createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A signing key of the test provider, published in its JWKS under `kid`. */
export interface TestKey {
  kid: string;
  alg: 'RS256' | 'PS256' | 'ES256' | 'ES384';
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export function makeKey(kid: string, alg: TestKey['alg']): TestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, privateKey: pair.privateKey, publicJwk };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signs `claims` as a compact JWS; `header` overrides (e.g. a foreign kid) are applied as given. */
export function signJwt(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const head = b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header });
  const input = `${head}.${b64(claims)}`;
  const hash = key.alg === 'ES384' ? 'sha384' : 'sha256';
  let signature: Buffer;
  if (key.alg.startsWith('ES')) signature = sign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (key.alg === 'PS256') {
    signature = sign(hash, Buffer.from(input), { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  } else signature = sign(hash, Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned token (`alg: none`), as an attacker would send it. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The classic key-confusion forgery: HS256 keyed with the provider's public key (as PEM). */
export function hmacWithPublicKey(key: TestKey, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  const secret = createPublicKey(key.privateKey).export({ format: 'pem', type: 'spki' });
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/**
 * A tiny OpenID Connect provider on 127.0.0.1: discovery, a JWKS whose keys the test can rotate,
 * and a userinfo endpoint for opaque tokens. It counts requests so tests can see caching.
 */
export class TestIdp {
  readonly calls = { discovery: 0, jwks: 0, userinfo: 0 };
  keys: TestKey[] = [];
  /** Access tokens the userinfo endpoint recognises, with the claims it returns for them. */
  readonly userinfoClaims = new Map<string, Record<string, unknown>>();
  private server?: http.Server;
  issuer = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/uni`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Registers an opaque token for userinfo and returns it. */
  opaque(claims: Record<string, unknown>): string {
    const token = randomBytes(24).toString('hex');
    this.userinfoClaims.set(token, claims);
    return token;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/realms/uni/.well-known/openid-configuration') {
      this.calls.discovery++;
      json(200, {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/certs`,
        userinfo_endpoint: `${this.issuer}/userinfo`,
        authorization_endpoint: `${this.issuer}/auth`,
        token_endpoint: `${this.issuer}/token`,
      });
    } else if (path === '/realms/uni/certs') {
      this.calls.jwks++;
      json(200, { keys: this.keys.map((k) => k.publicJwk) });
    } else if (path === '/realms/uni/userinfo') {
      this.calls.userinfo++;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const claims = token === undefined ? undefined : this.userinfoClaims.get(token);
      if (claims) json(200, claims);
      else json(401, { error: 'invalid_token' });
    } else {
      json(404, { error: 'not_found' });
    }
  }
}
