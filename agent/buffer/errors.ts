/** Typed errors of the raw-sample buffer (the `SampleBuffer` port and its adapters). */

/**
 * A buffer operation that cannot be done: an undeclared or redefined series, a non-finite value, a
 * database newer than this program, or a write still busy after every retry (`cause` holds the
 * adapter's error).
 */
export class BufferError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The database or its directory cannot be written: a read-only file system (an SD card the kernel
 * remounted read-only after errors), missing write permission, or a read-only file. `path` is what
 * is read-only, `reason` why, in words (`read-only file system (EROFS)`).
 */
export class ReadOnlyStorageError extends BufferError {
  constructor(readonly path: string, readonly reason: string, options?: ErrorOptions) {
    super(`${path} is read-only (${reason}): nothing can be stored there; sensorctl status, export and serve still read it. ${unwritableFix(reason)}`, options);
  }
}

/** What to do about a read-only file system under the data directory (the SD card's classic failure). */
export const READ_ONLY_FIX = "Fix: check the SD card (dmesg | grep -iE 'mmc|ext4|read-only'), then remount it read-write (sudo mount -o remount,rw /) or give the service user write access (sudo chown -R sensorctl: <data dir>)";

/** What to do about a data directory this user may not write (EACCES/EPERM: a permission, not the card). */
export const NO_PERMISSION_FIX = 'Fix: run the command as the service user (sudo -u sensorctl sensorctl ...) or give this user write access (sudo chown -R sensorctl: <data dir>)';

/** What to do when the data directory's path names a file (ENOTDIR). */
export const NOT_A_DIRECTORY_FIX = 'Fix: --data-dir (or SENSORCTL_DATA_DIR) must name a directory, not a file';

/**
 * The fix to show for an unwritable data directory, chosen by `reason` (as `storageWritability` words
 * it): a path through a file (ENOTDIR) the directory fix, a permission problem (EACCES/EPERM) the
 * permission fix, anything else the SD-card fix.
 */
export function unwritableFix(reason: string): string {
  if (/\bENOTDIR\b/.test(reason)) return NOT_A_DIRECTORY_FIX;
  return /\b(EACCES|EPERM)\b/.test(reason) ? NO_PERMISSION_FIX : READ_ONLY_FIX;
}

/**
 * The disk under the database is full (SQLITE_FULL / ENOSPC): nothing could be stored. `path` is the
 * data directory, `freeBytes` what the file system reported free right after (undefined when it
 * could not tell). Not a sensor fault: the sampler counts the reading as lost (`disk-full`) and
 * tries again at its next regular read.
 */
export class StorageFullError extends BufferError {
  constructor(readonly path: string, readonly freeBytes: number | undefined, options?: ErrorOptions) {
    super(`disk full at ${path}, ${freeBytes ?? 'unknown'} bytes free`, options);
  }
}
