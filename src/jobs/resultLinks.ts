import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Signs and checks download links for job results with HMAC-SHA256 over the job id, the file
 * name and the expiry time. The key is generated once per server and kept in the data directory,
 * so links stay valid across restarts until they expire.
 */
export class ResultLinks {
  private readonly key: Buffer;

  constructor(
    dataDir: string,
    private readonly publicUrl: string,
    private readonly lifetimeSeconds: number,
  ) {
    this.key = loadOrCreateKey(path.join(dataDir, 'jobs', 'link-signing.key'));
  }

  private sign(jobId: string, file: string, expires: number): string {
    return crypto.createHmac('sha256', this.key).update(`${jobId}\n${file}\n${expires}`).digest('base64url');
  }

  /** When links created now stop working, in seconds since the epoch. */
  expiryFromNow(): number {
    return Math.floor(Date.now() / 1000) + this.lifetimeSeconds;
  }

  url(jobId: string, file: string, expires: number): string {
    const encodedFile = file.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl}/jobs/${encodeURIComponent(jobId)}/results/${encodedFile}?expires=${expires}&signature=${this.sign(jobId, file, expires)}`;
  }

  /** 'valid', 'expired' (correct signature, past expiry) or 'invalid'. Constant-time comparison. */
  check(jobId: string, file: string, expires: unknown, signature: unknown): 'valid' | 'expired' | 'invalid' {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
    const expected = Buffer.from(this.sign(jobId, file, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) < Date.now() / 1000 ? 'expired' : 'valid';
  }
}

function loadOrCreateKey(file: string): Buffer {
  try {
    const existing = fs.readFileSync(file);
    if (existing.length >= 32) return existing;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(32);
  // 'wx' fails if another process created the key meanwhile; then that key is the one to use.
  try {
    fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
    throw e;
  }
}
