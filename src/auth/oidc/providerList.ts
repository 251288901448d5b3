import type { OidcProviderConfig } from '../../config/types';

/** One entry of `GET /credentials/oidc`; our own settings (audience, access) are not published. */
export interface PublishedProvider {
  id: string;
  issuer: string;
  title: string;
  description?: string;
  scopes?: string[];
  default_clients?: { id: string; grant_types: string[]; redirect_urls?: string[] }[];
}

export function publishedProviders(providers: OidcProviderConfig[]): PublishedProvider[] {
  return providers.map((p) => {
    const out: PublishedProvider = { id: p.id, issuer: p.issuer, title: p.title };
    if (p.description !== undefined) out.description = p.description;
    if (p.scopes !== undefined) out.scopes = [...p.scopes];
    if (p.default_clients !== undefined) {
      out.default_clients = p.default_clients.map((c) => ({
        id: c.id,
        grant_types: [...c.grant_types],
        ...(c.redirect_urls !== undefined ? { redirect_urls: [...c.redirect_urls] } : {}),
      }));
    }
    return out;
  });
}
