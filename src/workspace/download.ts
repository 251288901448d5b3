import fs from 'node:fs/promises';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { OpenEOError } from '../errors/OpenEOError';
import type { OpenedFile } from './FileStore';
import { guessMediaType } from './mediaTypes';
import { parseRange } from './ranges';

/** An open file to send; `sendDownload` closes `handle`. */
export interface Download extends OpenedFile {
  mediaType: string;
}

/** The file name for Content-Disposition, with a plain fallback for old clients. */
function dispositionFor(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Opens a file on disk as a download named `name` (a run's output, a job's result). */
export async function openDownload(file: string, name: string, mediaType: string): Promise<Download> {
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    return { handle, name, size: stat.size, modified: stat.mtime, mediaType };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The one file sender of the API (`/files`, POST /result, job results): streams the file as the
 * response, whole or one requested byte range (GET and HEAD only), and closes it afterwards.
 * Content is always offered as a download and never sniffed, so a user's file cannot act as a
 * page of this server. `onRead` is called once the whole file has been read from disk.
 */
export async function sendDownload(req: Request, res: Response, file: Download, onRead?: () => void): Promise<void> {
  try {
    const ranged = req.method === 'GET' || req.method === 'HEAD';
    const range = ranged ? parseRange(req.headers.range, file.size) : undefined;
    if (range === 'unsatisfiable') {
      throw new OpenEOError('RangeNotSatisfiable', { size: file.size }).withHeader('Content-Range', `bytes */${file.size}`);
    }
    if (ranged) res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Last-Modified', file.modified.toUTCString());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', dispositionFor(file.name));
    res.setHeader('Cache-Control', 'private, no-cache');
    const start = range?.start ?? 0;
    const end = range?.end ?? file.size - 1;
    res.status(range ? 206 : 200);
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${file.size}`);
    res.setHeader('Content-Type', file.mediaType);
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || file.size === 0) {
      onRead?.();
      res.end();
      return;
    }
    const stream = file.handle.createReadStream({ start, end, autoClose: false });
    if (onRead) stream.once('end', onRead);
    try {
      await pipeline(stream, res);
    } catch {
      // The client went away or the disk failed mid-transfer; the status line is already out.
      res.destroy();
    }
  } finally {
    await file.handle.close().catch(() => undefined);
  }
}

/** An opened workspace file as a download; its media type follows its name. */
export function workspaceDownload(file: OpenedFile): Download {
  return { ...file, mediaType: guessMediaType(file.name) };
}
