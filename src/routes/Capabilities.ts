import type { Request, Response } from 'express';
import type { ServerContext } from '../context';
import type { Endpoint } from '../http/router';
import { Resource } from '../http/Resource';
import { API_VERSION, STAC_VERSION } from '../version';

/** `GET /`: what this back-end is and which endpoints it serves. */
export class Capabilities extends Resource {
  readonly path = '/';

  constructor(ctx: ServerContext, private readonly endpoints: () => Endpoint[]) {
    super(ctx);
  }

  get(_req: Request, res: Response): void {
    const { config } = this.ctx;
    const base = config.publicUrl;
    res.json({
      api_version: API_VERSION,
      backend_version: this.ctx.backendVersion,
      stac_version: STAC_VERSION,
      type: 'Catalog',
      id: config.service.id,
      title: config.service.title,
      description: config.service.description,
      production: config.production,
      conformsTo: CONFORMANCE_CLASSES,
      endpoints: this.endpoints(),
      billing: { currency: null },
      links: [
        { href: `${base}/.well-known/openeo`, rel: 'version-history', type: 'application/json', title: 'Supported openEO API versions' },
        { href: `${base}/conformance`, rel: 'conformance', type: 'application/json', title: 'Conformance classes' },
        { href: `${base}/collections`, rel: 'data', type: 'application/json', title: 'Collections' },
        { href: `${base}/`, rel: 'self', type: 'application/json', title: 'This document' },
        ...(config.service.contactEmail
          ? [{ href: `mailto:${config.service.contactEmail}`, rel: 'about', title: 'Contact the administrators' }]
          : []),
      ],
    });
  }
}

export const CONFORMANCE_CLASSES = [
  `https://api.openeo.org/${API_VERSION}`,
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
];

/** `GET /conformance`: the same classes, for OGC API clients. */
export class Conformance extends Resource {
  readonly path = '/conformance';

  get(_req: Request, res: Response): void {
    res.json({ conformsTo: CONFORMANCE_CLASSES });
  }
}

/** `GET /.well-known/openeo`: the API versions served and where. */
export class WellKnown extends Resource {
  readonly path = '/.well-known/openeo';

  get(_req: Request, res: Response): void {
    res.json({
      versions: [{ url: `${this.ctx.config.publicUrl}/`, production: this.ctx.config.production, api_version: API_VERSION }],
    });
  }
}
