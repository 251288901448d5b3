import fs from 'node:fs';

/**
 * Resident memory of a process in MB, read from /proc (Linux). Undefined where /proc is not
 * available or the process is gone; the child's own heap limit still applies then.
 */
export function residentMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
