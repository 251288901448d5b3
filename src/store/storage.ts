import fs from 'node:fs/promises';
import path from 'node:path';

/** Each user's own files live below this folder of the data directory, one folder per user id. */
export function userWorkspaceDir(dataDir: string, userId: string): string {
  return path.join(dataDir, 'workspace', userId);
}

/** A file removed or renamed between listing and stat (a concurrent delete or finished upload) counts as 0. */
async function sizeIfPresent(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Total size in bytes of the files in a folder tree; 0 when it does not exist. Symbolic links are not followed. */
export async function directorySize(dir: string): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += await sizeIfPresent(full);
  }
  return total;
}

export function userStorageUsage(dataDir: string, userId: string): Promise<number> {
  return directorySize(userWorkspaceDir(dataDir, userId));
}
