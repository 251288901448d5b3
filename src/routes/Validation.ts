import type { Request, Response } from 'express';
import { Resource } from '../http/Resource';

/** `POST /validation`: every problem of a process graph, without running it. Always 200 for a readable request. */
export class Validation extends Resource {
  readonly path = '/validation';
  protected readonly auth = { post: 'optional' } as const;

  post(req: Request, res: Response): void {
    const errors = this.ctx.processing.validate(req.body, req.user);
    res.json({ errors: errors.map((e) => e.toJSON()) });
  }
}
