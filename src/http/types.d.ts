import type { User } from '../auth/UserStore';

declare global {
  namespace Express {
    interface Request {
      /** Unique id of this request, sent back in the X-Request-Id header and written to the log. */
      requestId: string;
      /** The authenticated user, set by the router for methods that take credentials. */
      user?: User;
    }
  }
}

export {};
