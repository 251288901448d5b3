import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ServerContext } from '../context';
import { OpenEOError, isOpenEOError } from '../errors/OpenEOError';
import { isDatabaseBusy, isDatabaseStorageError } from '../store/database';

export const EXPOSED_HEADERS = [
  'Link',
  'Location',
  'OpenEO-Costs',
  'OpenEO-Identifier',
  'X-Request-Id',
  'Content-Range',
  'Accept-Ranges',
  'Content-Disposition',
];

/** CORS headers on every response; preflight requests end here with 204. */
export function cors(ctx: ServerContext) {
  const allowOrigin = ctx.config.cors.allowOrigin;
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Access-Control-Allow-Origin', allowOrigin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
    if (allowOrigin !== '*') res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Range, Accept-Language');
      res.setHeader('Access-Control-Allow-Methods', 'OPTIONS, GET, POST, PATCH, PUT, DELETE, HEAD');
      res.setHeader('Access-Control-Max-Age', '3600');
      res.setHeader('Content-Type', 'application/json');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Gives each request an id and writes one structured log line when the response is done. */
export function requestLog(ctx: ServerContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    req.requestId = randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.logger.info(
        {
          reqId: req.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
          user: req.user?.name,
        },
        'request',
      );
    });
    next();
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new OpenEOError('NotFound', {}, `There is nothing at ${req.path}.`));
}

/** Body-parser failures arrive as plain errors carrying a `type`. */
function fromParserError(error: { type?: string; message?: string; status?: number }, ctx: ServerContext): OpenEOError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new OpenEOError('BadRequest', { reason: `the body is not valid JSON (${error.message ?? 'parse error'})` });
    case 'entity.too.large':
      return new OpenEOError('PayloadTooLarge', { limit: `${ctx.config.limits.requestBodyBytes} bytes` });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new OpenEOError('BadRequest', { reason: error.message ?? 'unsupported encoding' });
    case 'request.aborted':
      return new OpenEOError('BadRequest', { reason: 'the request was aborted by the client' });
  }
  // Express itself reports client mistakes such as an undecodable %-escape in the path as 400.
  if (error.status === 400) {
    return new OpenEOError('BadRequest', { reason: error.message ?? 'malformed request' });
  }
  return undefined;
}

/**
 * The last handler: every error becomes an openEO error object. Unexpected ones are logged
 * with their stack under the error id; the client sees only the id and a generic message.
 */
export function errorHandler(ctx: ServerContext) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let error: OpenEOError;
    if (isOpenEOError(err)) {
      error = err;
      error.id = req.requestId;
      if (error.status >= 500) ctx.logger.error({ reqId: req.requestId, errId: error.id, err }, error.message);
    } else {
      const parsed = typeof err === 'object' && err !== null ? fromParserError(err as { type?: string }, ctx) : undefined;
      if (parsed) {
        error = parsed;
        error.id = req.requestId;
      } else if (isDatabaseBusy(err)) {
        // Another program (an admin tool, a backup) holds the database; nothing was changed.
        error = new OpenEOError('InfrastructureBusy', {}, 'The database is busy with another program; nothing was changed, please try again in a moment.').withHeader('Retry-After', '2');
        error.id = req.requestId;
        ctx.logger.warn({ reqId: req.requestId, err }, 'database busy');
      } else if (isDatabaseStorageError(err)) {
        error = new OpenEOError('StorageFailure');
        error.id = req.requestId;
        ctx.logger.error({ reqId: req.requestId, errId: error.id, err }, 'database could not be written');
      } else {
        error = new OpenEOError('Internal', {}, 'The server failed unexpectedly; the administrator can find the details in the log under this error id.');
        error.id = req.requestId;
        ctx.logger.error({ reqId: req.requestId, errId: error.id, err }, 'unexpected error');
      }
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(error.status).json(error.toJSON());
  };
}
