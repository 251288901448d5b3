import type { Logger } from 'pino';
import type { OidcConfig, OidcProviderConfig } from '../../config/types';
import { ConfigError } from '../../config/load';
import { OpenEOError } from '../../errors/OpenEOError';
import type { User, UserStore } from '../UserStore';
import { accessAllowed, hasProfileClaims, preferredUserName, verifiedEmail } from './claims';
import { ProviderUnavailableError } from './http';
import { DecodedJwt, JwtClaims, claimProblem, decodeJwt, isAllowedAlgorithm, verifySignature } from './jwt';
import { ProviderClient } from './ProviderClient';

interface Provider {
  config: OidcProviderConfig;
  client: ProviderClient;
}

const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_OPAQUE_TOKEN_LENGTH = 4096;

/** A token was refused; `reason` goes to the log only, the client gets the spec's TokenInvalid. */
class Refusal extends Error {}

/**
 * Turns OpenID Connect access tokens into local users: JWTs are verified against the
 * provider's published keys, opaque tokens are checked with its userinfo endpoint, and the
 * identity (issuer + subject) is mapped to an account, created at the first permitted login.
 */
export class OidcAuthenticator {
  private readonly providers = new Map<string, Provider>();

  constructor(
    private readonly config: OidcConfig,
    private readonly users: UserStore,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const timings = {
      timeoutMs: config.requestTimeoutSeconds * 1000,
      refreshMs: config.metadataRefreshSeconds * 1000,
      jwksMinRefreshMs: config.jwksMinRefreshSeconds * 1000,
      userinfoTtlMs: config.userinfoCacheSeconds * 1000,
      retryAfterFailureMs: config.retryAfterFailureSeconds * 1000,
    };
    for (const provider of config.providers) {
      if (this.providers.has(provider.id)) throw new ConfigError(`oidc.providers: the id '${provider.id}' is used twice`);
      this.providers.set(provider.id, { config: provider, client: new ProviderClient(provider.issuer, timings, now) });
    }
  }

  /** The configured providers in their configured order; the first is the default. */
  providerConfigs(): OidcProviderConfig[] {
    return this.config.providers;
  }

  /** Starts fetching discovery and keys in the background; an unreachable provider is only logged. */
  warmUp(): void {
    for (const { config, client } of this.providers.values()) {
      client.warmUp().catch((e: unknown) => {
        this.logger.warn({ provider: config.id, err: (e as Error).message }, 'OpenID Connect provider not reachable yet');
      });
    }
  }

  /** The id of the provider that issued a JWT, for plain `Bearer <JWT>` headers; undefined if none of ours did. */
  providerIdForJwt(token: string): string | undefined {
    const iss = decodeJwt(token)?.claims.iss;
    if (typeof iss !== 'string') return undefined;
    for (const [id, provider] of this.providers) if (provider.config.issuer === iss) return id;
    return undefined;
  }

  /** The user an access token of provider `providerId` belongs to; throws the matching openEO error otherwise. */
  async authenticate(providerId: string, token: string): Promise<User> {
    const provider = this.providers.get(providerId);
    if (!provider) {
      throw new OpenEOError('TokenInvalid', {}, `There is no sign-in provider '${providerId}' here; GET /credentials/oidc lists them.`);
    }
    try {
      const claims = await this.claimsFor(provider, token);
      return this.userFor(provider, claims);
    } catch (e) {
      if (e instanceof Refusal) {
        this.logger.info({ provider: providerId, reason: e.message }, 'OpenID Connect token refused');
        throw new OpenEOError('TokenInvalid');
      }
      if (e instanceof ProviderUnavailableError) {
        this.logger.warn({ provider: providerId, err: e.message }, 'OpenID Connect provider unavailable');
        throw new OpenEOError(
          'InfrastructureBusy',
          {},
          `The sign-in provider '${providerId}' cannot be reached at the moment; please try again later or sign in another way.`,
        );
      }
      throw e;
    }
  }

  private async claimsFor(provider: Provider, token: string): Promise<JwtClaims> {
    if (token === '') throw new Refusal('empty token');
    const jwt = decodeJwt(token);
    if (!jwt) {
      // Only well-formed bearer tokens (RFC 6750) of sane length are worth a question to the provider.
      if (token.length > MAX_OPAQUE_TOKEN_LENGTH || !BEARER_TOKEN.test(token)) throw new Refusal('not a well-formed access token');
      const info = await provider.client.userinfo(token);
      if (!info.ok) throw new Refusal(info.reason);
      return info.claims;
    }
    const claims = await this.verifyJwt(provider, jwt);
    if (hasProfileClaims(claims) && accessAllowed(provider.config.access, claims)) return claims;
    // Many providers keep email and entitlements out of access tokens; userinfo has them.
    try {
      const info = await provider.client.userinfo(token);
      if (info.ok && info.claims.sub === claims.sub) return { ...info.claims, ...claims };
    } catch (e) {
      if (!(e instanceof ProviderUnavailableError)) throw e;
    }
    return claims;
  }

  private async verifyJwt(provider: Provider, jwt: DecodedJwt): Promise<JwtClaims> {
    const { alg, kid, crit } = jwt.header;
    if (!isAllowedAlgorithm(alg)) throw new Refusal(`algorithm ${JSON.stringify(alg)} is not accepted`);
    if (crit !== undefined) throw new Refusal('the token requires header extensions we do not support');
    if (kid !== undefined && typeof kid !== 'string') throw new Refusal('the key id is not a string');
    const problem = claimProblem(jwt.claims, {
      issuer: provider.config.issuer,
      audience: provider.config.audience,
      nowSeconds: this.now() / 1000,
      skewSeconds: this.config.clockSkewSeconds,
    });
    if (problem) throw new Refusal(problem);
    const keys = await provider.client.keysFor(kid, alg);
    if (keys.length === 0) throw new Refusal(`no published key matches kid ${JSON.stringify(kid)} and ${alg}`);
    if (!keys.some((key) => verifySignature(jwt, key))) throw new Refusal('the signature does not match');
    return jwt.claims;
  }

  private userFor(provider: Provider, claims: JwtClaims): User {
    const { issuer, id: providerId } = provider.config;
    const subject = claims.sub as string;
    if (!accessAllowed(provider.config.access, claims)) {
      this.logger.info({ provider: providerId, subject }, 'OpenID Connect sign-in not permitted by the access rules');
      throw new OpenEOError(
        'PermissionsInsufficient',
        {},
        `Your account at '${provider.config.title}' is not permitted to use this back-end; ask its administrators for access.`,
      );
    }
    const email = verifiedEmail(claims) ?? null;
    const known = this.users.findByIdentity(issuer, subject);
    if (known) {
      if (email && email !== known.email) {
        this.users.setEmail(known.id, email);
        return { ...known, email };
      }
      return known;
    }
    const user = this.users.addForIdentity(issuer, subject, preferredUserName(claims), email);
    this.logger.info({ provider: providerId, subject, user: user.name }, 'account created at first OpenID Connect sign-in');
    return user;
  }
}
