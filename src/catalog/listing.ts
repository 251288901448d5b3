import fs from 'node:fs';
import path from 'node:path';

export interface ListedFile {
  /** Path relative to the listed folder, with `/` separators. */
  rel: string;
  abs: string;
  stat: fs.Stats;
}

/**
 * Every file below `root` (hidden entries skipped), with its stat. The joined
 * names, sizes and modification times are the fingerprint that tells a rescan whether
 * anything changed, so nothing is opened when nothing did.
 */
export async function listFiles(root: string, keep: (rel: string) => boolean = () => true): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      // A folder removed between readdir and here is simply gone.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && prefix) return;
      throw e;
    }
    const files: Array<{ rel: string; abs: string }> = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(abs, rel);
      else if (keep(rel)) files.push({ rel, abs });
    }
    // Stats in parallel batches: thousands of files one by one would take a noticeable time.
    for (let i = 0; i < files.length; i += 64) {
      const batch = files.slice(i, i + 64);
      const stats = await Promise.all(batch.map((f) => fs.promises.stat(f.abs).catch(() => undefined)));
      batch.forEach((f, j) => {
        const stat = stats[j];
        if (stat?.isFile()) out.push({ ...f, stat });
      });
    }
  }
  await walk(root, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function fingerprint(files: ListedFile[]): string {
  return files.map((f) => `${f.rel}\t${f.stat.size}\t${f.stat.mtimeMs}`).join('\n');
}
