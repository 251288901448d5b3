import fs from 'node:fs';
import type { Request, Response } from 'express';
import { OpenEOError } from '../errors/OpenEOError';
import { Resource } from '../http/Resource';
import type { SyncOutcome } from '../processes/sync';
import { isLogLevel } from '../processes/runLogs';

/** Quotes a file name for Content-Disposition, with an RFC 5987 variant for non-ASCII names. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Sends the outcome of a run: the first saved file, or the result as JSON. */
async function send(res: Response, outcome: SyncOutcome): Promise<void> {
  if (outcome.kind === 'json') {
    outcome.releaseSlot();
    res.json(outcome.value);
    return;
  }
  const { output } = outcome;
  const stat = await fs.promises.stat(output.path);
  res.setHeader('Content-Type', output.mediaType);
  res.setHeader('Content-Disposition', attachment(output.filename));
  res.setHeader('Content-Length', String(stat.size));
  await new Promise<void>((resolve, reject) => {
    const stream = fs.createReadStream(output.path);
    stream.on('error', reject);
    // Once the whole file is read, what remains is in the socket's buffers; a client that got it
    // may already ask again before 'finish' fires, so the slot is free from here on.
    stream.on('end', () => outcome.releaseSlot());
    res.on('finish', resolve);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

/** `POST /result`: runs a process graph synchronously and returns its result. */
export class Result extends Resource {
  readonly path = '/result';
  protected readonly auth = { post: 'required' } as const;

  async post(req: Request, res: Response): Promise<void> {
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const outcome = await this.ctx.processing.runSync(req.body, this.user(req), clientGone.signal);
    try {
      res.setHeader('OpenEO-Identifier', outcome.runId);
      res.setHeader('Link', `<${this.ctx.config.publicUrl}/result/logs/${outcome.runId}>; rel="monitor"`);
      await send(res, outcome);
    } finally {
      await outcome.cleanup();
    }
  }
}

/** `GET /result/logs/{run_id}`: the log of a synchronous run (the `monitor` link of POST /result). */
export class ResultLogs extends Resource {
  readonly path = '/result/logs/{run_id}';
  protected readonly auth = { get: 'required' } as const;

  get(req: Request, res: Response): void {
    const runId = String(req.params.run_id);
    const level = req.query.level;
    if (level !== undefined && level !== '' && !isLogLevel(level)) {
      throw new OpenEOError('BadRequest', { reason: "'level' must be one of error, warning, info, debug" });
    }
    const minLevel = isLogLevel(level) ? level : 'debug';
    const logs = this.ctx.processing.runLogs.entries(runId, this.user(req).id, minLevel);
    if (!logs) throw new OpenEOError('NotFound', {}, `There is no log of a synchronous run '${runId}' for you.`);
    res.json({ level: minLevel, logs, links: [] });
  }
}
