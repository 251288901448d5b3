import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/** A scratch file path inside the run's work directory, removed by `cleanup`. */
export function scratchPath(workDir: string, extension: string): string {
  return path.join(workDir, `.scratch-${randomUUID()}.${extension}`);
}

export async function removeQuietly(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => fs.rm(p, { force: true })));
}
