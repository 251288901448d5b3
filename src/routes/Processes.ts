import type { Request, Response } from 'express';
import { readLimit } from '../http/paging';
import { Resource } from '../http/Resource';

/**
 * `GET /processes`: all predefined processes this back-end runs. Never paged: the JS client's
 * `listProcesses()` (and so `buildProcess()` and the Web Editor) asks for `limit=50` and reads
 * only the first page, and the API lets a back-end answer a limited request with everything.
 * A malformed `limit` is still refused.
 */
export class Processes extends Resource {
  readonly path = '/processes';

  get(req: Request, res: Response): void {
    readLimit(req.query);
    res.json({ processes: this.ctx.processing.registry.specs(), links: [] });
  }
}
