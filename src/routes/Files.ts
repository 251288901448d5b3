import type { Request, Response } from 'express';
import { OpenEOError } from '../errors/OpenEOError';
import { pageLinks, readPageRequest, takePage } from '../http/paging';
import { Resource } from '../http/Resource';
import { sendDownload, workspaceDownload } from '../workspace/download';
import { parseWorkspacePath } from '../workspace/paths';

/** `GET /files`: the user's files, optionally in pages. */
export class Files extends Resource {
  readonly path = '/files';
  protected readonly auth = { get: 'required' } as const;

  async get(req: Request, res: Response): Promise<void> {
    const user = this.user(req);
    const page = readPageRequest(req.query);
    const all = await this.ctx.workspace.files.list(user.id);
    const { items, hasMore } = takePage(all, (file) => file.path, page);
    const links = pageLinks(`${this.ctx.config.publicUrl}/files`, page, { lastKey: items.at(-1)?.path, hasMore });
    res.json({ files: items, links });
  }
}

/** Reads the declared body size; a malformed header is the client's mistake, not ours. */
function contentLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header)) throw new OpenEOError('BadRequest', { reason: 'Content-Length is not a number' });
  return Number(header);
}

/** `/files/{path}`: download, upload (streamed) and delete one file. */
export class FileItem extends Resource {
  readonly path = '/files/{path}';
  protected readonly auth = { get: 'required', put: 'required', delete: 'required' } as const;

  async get(req: Request, res: Response): Promise<void> {
    const names = parseWorkspacePath(req.params.path);
    const file = await this.ctx.workspace.files.open(this.user(req).id, names);
    await sendDownload(req, res, workspaceDownload(file));
  }

  async put(req: Request, res: Response): Promise<void> {
    const names = parseWorkspacePath(req.params.path);
    const stored = await this.ctx.workspace.files.upload(this.user(req), names, req, contentLength(req));
    res.json(stored);
  }

  async delete(req: Request, res: Response): Promise<void> {
    const names = parseWorkspacePath(req.params.path);
    await this.ctx.workspace.files.remove(this.user(req).id, names);
    res.status(204).end();
  }
}
