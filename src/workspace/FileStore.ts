import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/types';
import type { User } from '../auth/UserStore';
import { OpenEOError } from '../errors/OpenEOError';
import { directorySize, userWorkspaceDir } from '../store/storage';
import { inspectOnDisk, locate, nameProblem } from './paths';

/** A file as `GET /files` lists it. */
export interface WorkspaceFile {
  path: string;
  size: number;
  modified: string;
}

/** An open workspace file, ready to stream; the caller closes `handle`. */
export interface OpenedFile {
  handle: fs.FileHandle;
  name: string;
  size: number;
  modified: Date;
}

/** Temp files of uploads older than this were left by a crashed server and are removed. */
const STALE_UPLOAD_MS = 24 * 3600 * 1000;

function byteCount(bytes: number): string {
  return `${bytes} bytes`;
}

function describe(relativePath: string, stats: { size: number; mtime: Date }): WorkspaceFile {
  return { path: relativePath, size: stats.size, modified: stats.mtime.toISOString() };
}

/** Signals that the client went away before the whole body arrived. */
class UploadAborted extends Error {}

/**
 * The users' own files below `<dataDir>/workspace/<user id>`. Uploads are written to a
 * temp file next to the user folders (same file system) and renamed into place only
 * when complete, so readers never see a partial file and concurrent uploads to one
 * path simply replace each other whole.
 */
export class FileStore {
  /** Bytes currently being received per user, so parallel uploads share one quota. */
  private readonly receiving = new Map<string, number>();
  private readonly uploadDir: string;

  constructor(private readonly config: Config) {
    // A dot name cannot collide with a user id (UUIDs), so this folder is never a workspace.
    this.uploadDir = path.join(config.dataDir, 'workspace', '.uploads');
    void this.removeStaleUploads().catch(() => undefined);
  }

  root(userId: string): string {
    return path.resolve(userWorkspaceDir(this.config.dataDir, userId));
  }

  quotaOf(user: User): number {
    return user.storageQuota ?? this.config.auth.defaultStorageQuotaBytes;
  }

  usage(userId: string): Promise<number> {
    return directorySize(this.root(userId));
  }

  /** Every regular file of the user, sorted by path. Links and oddly named entries are left out. */
  async list(userId: string): Promise<WorkspaceFile[]> {
    const root = this.root(userId);
    const files: WorkspaceFile[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (nameProblem(entry.name)) continue;
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, relative);
        else if (entry.isFile()) {
          try {
            files.push(describe(relative, await fs.stat(full)));
          } catch {
            // Deleted while listing.
          }
        }
      }
    };
    await walk(root, '');
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Opens a file for reading without following links; FileNotFound or FileOperationUnsupported otherwise. */
  async open(userId: string, names: string[]): Promise<OpenedFile> {
    const root = this.root(userId);
    const target = locate(root, names);
    const kind = await inspectOnDisk(root, names);
    if (kind === 'missing') throw new OpenEOError('FileNotFound', { file: names.join('/') });
    if (kind === 'folder') throw new OpenEOError('FileOperationUnsupported');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(target, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OpenEOError('FileNotFound', { file: names.join('/') });
      if (code === 'ELOOP') throw new OpenEOError('FilePathInvalid', { reason: 'the path goes through a symbolic link' });
      throw error;
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new OpenEOError('FileOperationUnsupported');
    }
    return { handle, name: names[names.length - 1], size: stats.size, modified: stats.mtime };
  }

  /** Absolute path of an existing regular file, for processes that read workspace files. */
  async resolveExisting(userId: string, names: string[]): Promise<string> {
    const root = this.root(userId);
    const target = locate(root, names);
    const kind = await inspectOnDisk(root, names);
    if (kind === 'missing') throw new OpenEOError('FileNotFound', { file: names.join('/') });
    if (kind === 'folder') throw new OpenEOError('FileOperationUnsupported');
    return target;
  }

  /**
   * Streams `body` into the file at `names`, enforcing the file size limit and the user's
   * quota while the bytes arrive. `declaredLength` (Content-Length) lets hopeless uploads
   * fail before any byte is stored. On any failure nothing is left behind.
   */
  async upload(user: User, names: string[], body: Readable, declaredLength?: number): Promise<WorkspaceFile> {
    const maxBytes = this.config.limits.maxUploadBytes;
    if (declaredLength !== undefined && declaredLength > maxBytes) {
      throw new OpenEOError('FileSizeExceeded', { size: byteCount(maxBytes) });
    }
    const root = this.root(user.id);
    const target = locate(root, names);
    const kind = await inspectOnDisk(root, names);
    if (kind === 'folder') throw new OpenEOError('FilePathInvalid', { reason: 'a folder exists at this path' });
    // The file being replaced frees its space when the new one takes its place.
    const replacedSize = kind === 'file' ? (await fs.lstat(target)).size : 0;
    const quota = this.quotaOf(user);
    const usedAtStart = (await this.usage(user.id)) - replacedSize;
    const othersReceiving = this.receiving.get(user.id) ?? 0;
    if (declaredLength !== undefined && usedAtStart + othersReceiving + declaredLength > quota) {
      throw new OpenEOError('StorageQuotaExceeded');
    }

    await fs.mkdir(this.uploadDir, { recursive: true });
    const temp = path.join(this.uploadDir, `${randomUUID()}.part`);
    let received = 0;
    const limiter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        received += chunk.length;
        this.addReceiving(user.id, chunk.length);
        if (received > maxBytes) return done(new OpenEOError('FileSizeExceeded', { size: byteCount(maxBytes) }));
        if (usedAtStart + (this.receiving.get(user.id) ?? 0) > quota) return done(new OpenEOError('StorageQuotaExceeded'));
        done(null, chunk);
      },
    });
    try {
      await this.receive(body, limiter, temp);
      if (declaredLength !== undefined && received !== declaredLength) {
        throw new OpenEOError('BadRequest', { reason: `the body has ${received} bytes but Content-Length said ${declaredLength}` });
      }
      await this.moveIntoPlace(root, names, temp);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    } finally {
      this.addReceiving(user.id, -received);
    }
    return describe(names.join('/'), await fs.stat(target));
  }

  /** Deletes a file and then every folder above it that became empty. */
  async remove(userId: string, names: string[]): Promise<void> {
    const root = this.root(userId);
    const target = locate(root, names);
    const kind = await inspectOnDisk(root, names);
    if (kind === 'missing') throw new OpenEOError('FileNotFound', { file: names.join('/') });
    if (kind === 'folder') throw new OpenEOError('FileOperationUnsupported');
    try {
      await fs.unlink(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new OpenEOError('FileNotFound', { file: names.join('/') });
      throw error;
    }
    for (let dir = path.dirname(target); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break; // not empty (or just refilled by an upload): keep it and everything above
      }
    }
  }

  private addReceiving(userId: string, bytes: number): void {
    const total = (this.receiving.get(userId) ?? 0) + bytes;
    if (total <= 0) this.receiving.delete(userId);
    else this.receiving.set(userId, total);
  }

  /**
   * Copies the body through the limiter into the temp file. The body is never destroyed
   * here: when a limit trips, the rest of it is read and dropped so the client still
   * gets the error response instead of a reset connection.
   */
  private async receive(body: Readable, limiter: Transform, temp: string): Promise<void> {
    const sink = (await fs.open(temp, 'wx', 0o640)).createWriteStream();
    const onAbort = () => {
      if (!(body as Readable & { complete?: boolean }).complete) limiter.destroy(new UploadAborted('the client aborted the upload'));
    };
    body.once('close', onAbort);
    body.once('error', (error) => limiter.destroy(error));
    body.pipe(limiter);
    try {
      await pipeline(limiter, sink);
    } catch (error) {
      body.unpipe(limiter);
      if (!body.destroyed) body.resume();
      if (error instanceof UploadAborted) throw new OpenEOError('BadRequest', { reason: 'the upload was aborted before it was complete' });
      throw error;
    } finally {
      body.off('close', onAbort);
    }
  }

  /** Creates the folders and renames the temp file over the target, retrying if a delete removed a folder meanwhile. */
  private async moveIntoPlace(root: string, names: string[], temp: string): Promise<void> {
    const target = locate(root, names);
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR' || code === 'EEXIST') {
          throw new OpenEOError('FilePathInvalid', { reason: 'a folder in the path is a file' });
        }
        throw error;
      }
      // Checked again after creating folders: nothing on disk may have turned into a link.
      if ((await inspectOnDisk(root, names)) === 'folder') {
        throw new OpenEOError('FilePathInvalid', { reason: 'a folder exists at this path' });
      }
      try {
        await fs.rename(temp, target);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && attempt < 3) continue;
        if (code === 'EISDIR' || code === 'ENOTEMPTY') {
          throw new OpenEOError('FilePathInvalid', { reason: 'a folder exists at this path' });
        }
        throw error;
      }
    }
  }

  private async removeStaleUploads(): Promise<void> {
    const now = Date.now();
    for (const name of await fs.readdir(this.uploadDir)) {
      const file = path.join(this.uploadDir, name);
      const stats = await fs.lstat(file);
      if (now - stats.mtimeMs > STALE_UPLOAD_MS) await fs.rm(file, { force: true });
    }
  }
}
