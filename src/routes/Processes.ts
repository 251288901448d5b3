import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';
import { pageOfProcesses } from '../processes/listing';

/** `GET /processes`: the predefined processes this back-end runs, optionally in pages. */
export class Processes extends Resource {
  readonly path = '/processes';

  get(req: Request, res: Response): void {
    const specs = this.ctx.processing.registry.specs();
    res.json(pageOfProcesses(specs, req.query, `${this.ctx.config.publicUrl}/processes`));
  }
}
