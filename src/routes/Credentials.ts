import type { Request, Response } from 'express';
import { OpenEOError } from '../errors/OpenEOError';
import { Resource } from '../http/Resource';
import { publishedProviders } from '../auth/oidc/providerList';

/** Splits an HTTP Basic header into user name and password, or explains why it can't. */
function parseBasic(header: string | undefined): { name: string; password: string } {
  if (!header || header.trim() === '') throw new OpenEOError('AuthenticationRequired');
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) {
    throw new OpenEOError('AuthenticationSchemeInvalid', { reason: 'send the user name and password with HTTP Basic' });
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OpenEOError('CredentialsInvalid');
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `GET /credentials/basic`: trades a user name and password for an access token. */
export class CredentialsBasic extends Resource {
  readonly path = '/credentials/basic';

  async get(req: Request, res: Response): Promise<void> {
    const { name, password } = parseBasic(req.headers.authorization);
    const { auth } = this.ctx.config;
    const result = await this.ctx.users.checkLogin(name, password, auth);
    if (!result.ok) {
      if (result.reason === 'locked') {
        throw new OpenEOError('TooManyRequests', {
          reason: `Too many failed logins for this account; try again in ${result.retryAfterSeconds} seconds.`,
        }).withHeader('Retry-After', String(result.retryAfterSeconds));
      }
      this.ctx.logger.warn({ reqId: req.requestId, user: name }, 'failed login');
      throw new OpenEOError('CredentialsInvalid');
    }
    req.user = result.user;
    const token = this.ctx.users.issueToken(result.user.id, auth.tokenLifetimeSeconds);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ access_token: token, user_id: result.user.id });
  }
}

/**
 * `GET /credentials/oidc`: the configured OpenID Connect providers, the first being the default.
 * Only mounted when at least one provider is configured (see routes/index.ts).
 */
export class CredentialsOidc extends Resource {
  readonly path = '/credentials/oidc';

  get(_req: Request, res: Response): void {
    res.json({ providers: publishedProviders(this.ctx.oidc.providerConfigs()) });
  }
}
