import fs from 'node:fs';
import path from 'node:path';

export const API_VERSION = '1.2.0';
export const STAC_VERSION = '1.0.0';

/** This back-end's own version, read from package.json next to src/ or dist/. */
export function readBackendVersion(): string {
  const file = path.join(__dirname, '..', 'package.json');
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
