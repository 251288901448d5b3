import express, { NextFunction, Request, Response } from 'express';
import type { ServerContext } from '../context';
import { OpenEOError } from '../errors/OpenEOError';
import { authenticate } from './authenticate';
import { Method, Resource } from './Resource';

/** One entry of the capabilities document's `endpoints` list. */
export interface Endpoint {
  path: string;
  methods: string[];
}

/** `/files/{path}` takes the rest of the URL (with slashes); other `{name}`s take one segment. */
function toExpressPath(openeoPath: string): string {
  return openeoPath.replace(/\{path\}$/, '*path').replace(/\{(\w+)\}/g, ':$1');
}

function wrap(ctx: ServerContext, resource: Resource, method: Method) {
  const handler = resource[method]!.bind(resource);
  const mode = resource.authMode(method);
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (mode !== 'none') {
        const user = await authenticate(ctx, req);
        if (!user && mode === 'required') throw new OpenEOError('AuthenticationRequired');
        req.user = user;
      }
      await handler(req, res);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Registers every method each resource implements, answers other methods on those paths
 * with 405, and returns the list of what is served, so capabilities never advertise more.
 */
export function mountResources(ctx: ServerContext, router: express.Router, resources: Resource[]): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const resource of resources) {
    const methods = resource.implementedMethods();
    if (methods.length === 0) continue;
    const path = toExpressPath(resource.path);
    for (const method of methods) router[method](path, wrap(ctx, resource, method));
    const allowed = ['OPTIONS', ...methods.map((m) => m.toUpperCase())].join(', ');
    router.all(path, (req: Request, _res: Response, next: NextFunction) => {
      next(
        new OpenEOError('MethodNotAllowed', { method: req.method, path: resource.path, allowed }).withHeader('Allow', allowed),
      );
    });
    endpoints.push({ path: resource.path, methods: methods.map((m) => m.toUpperCase()) });
  }
  return endpoints;
}
