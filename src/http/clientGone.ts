import type { Response } from 'express';

/** Aborts when the connection closes before the response was sent in full (the client went away). */
export function clientGoneSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}
