import type { Request } from 'express';
import type { ServerContext } from '../context';
import type { User } from '../auth/UserStore';
import { OpenEOError } from '../errors/OpenEOError';

/**
 * Reads `Authorization: Bearer basic//TOKEN` (API 1.2) or a plain `Bearer TOKEN` (API 1.3).
 * Returns undefined when no credentials were sent; throws the spec's error for bad ones.
 */
export function authenticate(ctx: ServerContext, req: Request): User | undefined {
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
    throw new OpenEOError('AuthenticationSchemeInvalid', { reason: 'OpenID Connect is not configured on this server' });
  } else if (/^[a-z]+\/[^/]*\//.test(credential)) {
    throw new OpenEOError('AuthenticationSchemeInvalid', { reason: `unknown token type '${credential.split('/')[0]}'` });
  }
  const user = token ? ctx.users.userForToken(token) : undefined;
  if (!user) throw new OpenEOError('TokenInvalid');
  return user;
}
