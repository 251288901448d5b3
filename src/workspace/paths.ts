import fs from 'node:fs/promises';
import path from 'node:path';
import { OpenEOError } from '../errors/OpenEOError';

/** Longest allowed file or folder name in bytes; common file systems stop at 255. */
export const MAX_NAME_BYTES = 255;
/** Longest allowed workspace path (all names and separators) in bytes. */
export const MAX_PATH_BYTES = 1024;
/** Deepest allowed folder nesting. */
export const MAX_DEPTH = 32;

/**
 * Characters never allowed in a name: control characters (incl. NUL), both path
 * separators, and the characters the openEO file schema excludes (`:` also rules out
 * Windows drive letters and alternate data streams).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\/:'"]/;

function invalid(reason: string): OpenEOError {
  return new OpenEOError('FilePathInvalid', { reason });
}

/** Why a single file or folder name is not acceptable, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the path contains an empty folder name (double or trailing slash)';
  if (name === '.' || name === '..') return "'.' and '..' are not allowed in paths";
  if (FORBIDDEN_CHARACTERS.test(name)) {
    return 'names may not contain control characters, slashes or backslashes, colons or quotes';
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `a name is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/**
 * Turns a client-supplied workspace path into checked names, one per level. Accepts the
 * segments Express decoded from `/files/*path` or a `/`-separated string (from a process
 * argument). Throws FilePathInvalid for anything that could leave the user's folder or
 * that some file system could not store.
 */
export function parseWorkspacePath(input: string | string[] | undefined): string[] {
  if (input === undefined) throw invalid('no path given');
  const raw = Array.isArray(input) ? input : input.split('/');
  if (!Array.isArray(input) && input.startsWith('/')) throw invalid('absolute paths are not allowed');
  if (raw.length === 0) throw invalid('no path given');
  if (raw.length > MAX_DEPTH) throw invalid(`folders may be nested at most ${MAX_DEPTH} levels deep`);
  // One spelling per name, so a name typed on macOS (decomposed) and elsewhere is the same file.
  const names = raw.map((name) => (typeof name === 'string' ? name.normalize('NFC') : ''));
  for (const name of names) {
    const problem = nameProblem(name);
    if (problem) throw invalid(problem);
  }
  if (Buffer.byteLength(names.join('/'), 'utf8') > MAX_PATH_BYTES) throw invalid(`the path is longer than ${MAX_PATH_BYTES} bytes`);
  return names;
}

/** The absolute location of checked names below `root`; verifies once more that it stays inside. */
export function locate(root: string, names: string[]): string {
  const target = path.resolve(root, ...names);
  if (!target.startsWith(root + path.sep)) throw invalid('the path leaves the workspace');
  return target;
}

/**
 * Refuses paths whose folders on disk are anything but plain folders: a symbolic link
 * planted in the workspace (by an administrator or a job) must not lead elsewhere.
 * Missing folders are fine (uploads create them). Returns the type of the final entry.
 */
export async function inspectOnDisk(root: string, names: string[]): Promise<'missing' | 'file' | 'folder'> {
  let current = root;
  for (let i = 0; i < names.length; i++) {
    current = path.join(current, names[i]);
    let stats;
    try {
      stats = await fs.lstat(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'missing';
      if (code === 'ENOTDIR') throw invalid('a folder in the path is a file');
      throw error;
    }
    const last = i === names.length - 1;
    if (stats.isSymbolicLink()) throw invalid('the path goes through a symbolic link');
    if (last) {
      if (stats.isDirectory()) return 'folder';
      if (stats.isFile()) return 'file';
      throw invalid('the path names something that is not a regular file');
    }
    if (!stats.isDirectory()) throw invalid('a folder in the path is a file');
  }
  return 'missing';
}
