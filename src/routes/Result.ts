import type { Request, Response } from 'express';
import { OpenEOError } from '../errors/OpenEOError';
import { Resource } from '../http/Resource';
import type { SyncOutcome } from '../processes/sync';
import { requestedLogLevel } from '../processes/runLogs';
import { openDownload, sendDownload } from '../workspace/download';

/** Sends the outcome of a run: the first saved file, or the result as JSON. */
async function send(req: Request, res: Response, outcome: SyncOutcome): Promise<void> {
  if (outcome.kind === 'json') {
    outcome.releaseSlot();
    res.json(outcome.value);
    return;
  }
  const { output } = outcome;
  const file = await openDownload(output.path, output.filename, output.mediaType);
  // Once the whole file is read, what remains is in the socket's buffers; a client that got it
  // may already ask again before the response ends, so the slot is free from here on.
  await sendDownload(req, res, file, () => outcome.releaseSlot());
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
      await send(req, res, outcome);
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
    const minLevel = requestedLogLevel(req.query.level);
    const logs = this.ctx.processing.runLogs.entries(runId, this.user(req).id, minLevel);
    if (!logs) throw new OpenEOError('NotFound', {}, `There is no log of a synchronous run '${runId}' for you.`);
    res.json({ level: minLevel, logs, links: [] });
  }
}
