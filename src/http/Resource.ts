import type { Request, Response } from 'express';
import type { ServerContext } from '../context';
import type { User } from '../auth/UserStore';

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

export type Handler = (req: Request, res: Response) => unknown | Promise<unknown>;

/** Whether a method needs a logged-in user, accepts one, or ignores credentials. */
export type AuthMode = 'required' | 'optional' | 'none';

/**
 * One openEO endpoint path. Subclasses implement the HTTP methods the path supports;
 * the router registers exactly those and lists them in the capabilities document.
 */
export abstract class Resource {
  /** The path as the openEO API writes it, e.g. `/collections/{collection_id}`. */
  abstract readonly path: string;

  /** Authentication per method; methods not listed ignore credentials. */
  protected readonly auth: Partial<Record<Method, AuthMode>> = {};

  get?(req: Request, res: Response): unknown;
  post?(req: Request, res: Response): unknown;
  put?(req: Request, res: Response): unknown;
  patch?(req: Request, res: Response): unknown;
  delete?(req: Request, res: Response): unknown;

  constructor(protected readonly ctx: ServerContext) {}

  authMode(method: Method): AuthMode {
    return this.auth[method] ?? 'none';
  }

  implementedMethods(): Method[] {
    return METHODS.filter((m) => typeof this[m] === 'function');
  }

  /** The user that the router authenticated; only call from methods whose auth mode is 'required'. */
  protected user(req: Request): User {
    if (!req.user) throw new Error(`no authenticated user on ${req.method} ${req.path}`);
    return req.user;
  }
}
