import type { Request } from 'express';
import type { ServerContext } from '../context';
import type { User } from '../auth/UserStore';
import { OpenEOError } from '../errors/OpenEOError';

/**
 * Reads `Authorization: Bearer basic//TOKEN` or `Bearer oidc/PROVIDER/TOKEN` (API 1.2), or a
 * plain `Bearer TOKEN` (API 1.3), which is an OpenID Connect JWT if one of our providers issued
 * it and a Basic token otherwise. Returns undefined when no credentials were sent; throws the
 * spec's error for bad ones.
 */
export async function authenticate(ctx: ServerContext, req: Request): Promise<User | undefined> {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) {
    const scheme = header.trim().split(/\s+/)[0];
    throw new OpenEOError('AuthenticationSchemeInvalid', {
      reason: `expected 'Bearer basic//<token>', got the '${scheme}' scheme`,
    });
  }
  const credential = match[1];
  let token = credential;
  if (credential.startsWith('basic//')) {
    token = credential.slice('basic//'.length);
  } else if (credential.startsWith('oidc/')) {
    if (ctx.config.oidc.providers.length === 0) {
      throw new OpenEOError('AuthenticationSchemeInvalid', { reason: 'OpenID Connect is not configured on this server' });
    }
    // The provider id has no slashes; everything after the second slash is the provider's token.
    const rest = credential.slice('oidc/'.length);
    const slash = rest.indexOf('/');
    if (slash < 0) throw new OpenEOError('TokenInvalid');
    return ctx.oidc.authenticate(rest.slice(0, slash), rest.slice(slash + 1));
  } else if (/^[a-z]+\/[^/]*\//.test(credential)) {
    throw new OpenEOError('AuthenticationSchemeInvalid', { reason: `unknown token type '${credential.split('/')[0]}'` });
  } else {
    const providerId = ctx.oidc.providerIdForJwt(credential);
    if (providerId !== undefined) return ctx.oidc.authenticate(providerId, credential);
  }
  const user = token ? ctx.users.userForToken(token) : undefined;
  if (!user) throw new OpenEOError('TokenInvalid');
  return user;
}
