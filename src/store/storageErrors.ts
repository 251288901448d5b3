/**
 * The one classifier of storage failures (full disk, quota, read-only or failing file
 * system), so every place that writes files reports them the same way (openEO StorageFailure).
 */

/** File-system error codes that mean the disk is full. */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** File-system error codes that mean the data directory cannot be written for another reason. */
const UNWRITABLE_CODES = new Set(['EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE']);

export type StorageFailureKind = 'full' | 'unwritable';

/**
 * What kind of storage failure `error` is, or undefined for any other error. GDAL reports a
 * full disk only in its message, so that is read too.
 */
export function storageFailureKind(error: unknown): StorageFailureKind | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if ((typeof code === 'string' && FULL_CODES.has(code)) || /no space left on device|disk quota exceeded/i.test(message)) return 'full';
  if (typeof code === 'string' && UNWRITABLE_CODES.has(code)) return 'unwritable';
  return undefined;
}

/** True when the error means the disk is full (or the quota of the file system is used up). */
export function isDiskFull(error: unknown): boolean {
  return storageFailureKind(error) === 'full';
}
