import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { OpenedFile } from './FileStore';
import { guessMediaType } from './mediaTypes';
import { parseRange } from './ranges';

/** The file name for Content-Disposition, with a plain fallback for old clients. */
function dispositionFor(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Streams an opened workspace file as the response, whole or one requested byte range,
 * and closes it afterwards. Uploaded content is always offered as a download and never
 * sniffed, so a user's file cannot act as a page of this server.
 */
export async function sendWorkspaceFile(req: Request, res: Response, file: OpenedFile): Promise<void> {
  try {
    const range = parseRange(req.headers.range, file.size);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Last-Modified', file.modified.toUTCString());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', dispositionFor(file.name));
    res.setHeader('Cache-Control', 'private, no-cache');
    if (range === 'unsatisfiable') {
      res.status(416).setHeader('Content-Range', `bytes */${file.size}`);
      res.end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.size - 1;
    res.status(range ? 206 : 200);
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${file.size}`);
    res.setHeader('Content-Type', guessMediaType(file.name));
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || file.size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(file.handle.createReadStream({ start, end, autoClose: false }), res);
    } catch {
      // The client went away or the disk failed mid-transfer; the status line is already out.
      res.destroy();
    }
  } finally {
    await file.handle.close().catch(() => undefined);
  }
}
