import { KeyObject, constants, verify } from 'node:crypto';

/** Signature algorithms we accept: asymmetric only, so neither `none` nor HMAC can ever pass. */
interface Algorithm {
  hash: 'sha256' | 'sha384' | 'sha512';
  keyType: 'rsa' | 'ec';
  pss?: boolean;
  /** For ECDSA: the curve the key must be on (Node's name) and the raw r||s length. */
  curve?: string;
  signatureBytes?: number;
}

const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { hash: 'sha256', keyType: 'rsa' },
  RS384: { hash: 'sha384', keyType: 'rsa' },
  RS512: { hash: 'sha512', keyType: 'rsa' },
  PS256: { hash: 'sha256', keyType: 'rsa', pss: true },
  ES256: { hash: 'sha256', keyType: 'ec', curve: 'prime256v1', signatureBytes: 64 },
  ES384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1', signatureBytes: 96 },
};

export const ALLOWED_ALGORITHMS = Object.keys(ALGORITHMS);

// Keys shorter than this are breakable; no serious provider uses them.
const MIN_RSA_BITS = 2048;
// Access tokens are a few kilobytes at most; refuse to parse anything huge.
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  crit?: unknown;
  [name: string]: unknown;
}

export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  if (part === '' || !BASE64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a compact JWS into its parts without checking anything; undefined if it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !BASE64URL.test(parts[2])) return undefined;
  const header = decodeJsonPart(parts[0]);
  const claims = decodeJsonPart(parts[1]);
  if (!header || !claims) return undefined;
  return {
    header,
    claims,
    signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

export function isAllowedAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHMS, alg);
}

/** Whether `key` is of the kind `alg` needs (so an EC key is never tried with an RSA algorithm). */
export function keyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  const spec = ALGORITHMS[alg];
  if (!spec || key.type !== 'public') return false;
  const details = key.asymmetricKeyDetails ?? {};
  if (spec.keyType === 'rsa') {
    const rsaType = key.asymmetricKeyType === 'rsa' || (spec.pss === true && key.asymmetricKeyType === 'rsa-pss');
    return rsaType && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
  }
  return key.asymmetricKeyType === 'ec' && details.namedCurve === spec.curve;
}

/** Checks the signature of `jwt` with `key` using the algorithm named in its header. */
export function verifySignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const alg = jwt.header.alg;
  if (!isAllowedAlgorithm(alg) || !keyFitsAlgorithm(key, alg)) return false;
  const spec = ALGORITHMS[alg];
  if (spec.signatureBytes !== undefined && jwt.signature.length !== spec.signatureBytes) return false;
  try {
    if (spec.keyType === 'ec') return verify(spec.hash, jwt.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
    if (spec.pss) {
      return verify(
        spec.hash,
        jwt.signingInput,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        jwt.signature,
      );
    }
    return verify(spec.hash, jwt.signingInput, key, jwt.signature);
  } catch {
    return false;
  }
}

export interface ClaimExpectations {
  issuer: string;
  /** When given, `aud` must contain one of these. */
  audience?: string[];
  nowSeconds: number;
  skewSeconds: number;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Returns why the registered claims make the token unusable, or undefined when they are fine. */
export function claimProblem(claims: JwtClaims, expect: ClaimExpectations): string | undefined {
  const { nowSeconds: now, skewSeconds: skew } = expect;
  if (claims.iss !== expect.issuer) return 'it was issued by another provider';
  if (typeof claims.sub !== 'string' || claims.sub === '') return 'it names no subject';
  if (!isNumber(claims.exp)) return 'it has no expiry time';
  if (now > claims.exp + skew) return 'it has expired';
  if (claims.nbf !== undefined && (!isNumber(claims.nbf) || now < claims.nbf - skew)) return 'it is not valid yet';
  if (claims.iat !== undefined && (!isNumber(claims.iat) || now < claims.iat - skew)) return 'it was issued in the future';
  if (expect.audience) {
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => typeof a === 'string' && expect.audience!.includes(a))) return 'it is meant for another audience';
  }
  return undefined;
}
