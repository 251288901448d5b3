import express from 'express';
import type { ServerContext } from './context';
import { cors, errorHandler, notFound, requestLog } from './http/middleware';
import { Endpoint, mountResources } from './http/router';
import { sendJsonWithoutCharset } from './http/jsonMediaType';
import { createResources } from './routes';

/** Builds the Express application for a context; listening is left to the caller. */
export function createApp(ctx: ServerContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  sendJsonWithoutCharset(app);

  app.use(requestLog(ctx));
  app.use(cors(ctx));
  // Clients sometimes send JSON with other content types (text/plain from browsers avoiding preflight).
  const json = express.json({ limit: ctx.config.limits.requestBodyBytes, type: ['application/json', 'application/*+json', 'text/plain'] });
  // Workspace uploads are streamed to disk as they are, whatever their content type.
  app.use((req, res, next) => (req.path.startsWith('/files/') ? next() : json(req, res, next)));

  let endpoints: Endpoint[] = [];
  const router = express.Router({ strict: false });
  endpoints = mountResources(ctx, router, createResources(ctx, () => endpoints));
  app.use(router);

  app.use(notFound);
  app.use(errorHandler(ctx));
  return app;
}
