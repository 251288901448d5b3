import type { Request, Response } from 'express';
import { OpenEOError } from '../errors/OpenEOError';
import { readLimit } from '../http/paging';
import { Resource } from '../http/Resource';
import { storeUserProcess } from '../processes/storeUserProcess';
import { summarise } from '../workspace/userProcessDocument';

/**
 * `GET /process_graphs`: summaries of all the user's own processes. Never paged: the JS client's
 * `listProcesses('user')` asks for `limit=50` and reads only the first page. A malformed `limit`
 * is still refused.
 */
export class ProcessGraphs extends Resource {
  readonly path = '/process_graphs';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    readLimit(req.query);
    const processes = this.ctx.workspace.processGraphs.list(this.user(req).id);
    res.json({ processes: processes.map(summarise), links: [] });
  }
}

/** `/process_graphs/{process_graph_id}`: one user-defined process. */
export class ProcessGraphItem extends Resource {
  readonly path = '/process_graphs/{process_graph_id}';
  protected readonly auth = { get: 'required', put: 'required', delete: 'required' } as const;

  get(req: Request, res: Response): void {
    const id = String(req.params.process_graph_id);
    const process = this.ctx.workspace.processGraphs.find(this.user(req).id, id);
    if (!process) throw new OpenEOError('ProcessGraphNotFound', { identifier: id });
    res.json(process);
  }

  put(req: Request, res: Response): void {
    const id = String(req.params.process_graph_id);
    storeUserProcess(this.ctx, this.user(req).id, id, req.body);
    res.status(200).end();
  }

  delete(req: Request, res: Response): void {
    const id = String(req.params.process_graph_id);
    if (!this.ctx.workspace.processGraphs.remove(this.user(req).id, id)) {
      throw new OpenEOError('ProcessGraphNotFound', { identifier: id });
    }
    res.status(204).end();
  }
}
