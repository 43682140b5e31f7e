/**
 * How big SQLite's write-ahead log (`sensorctl.db-wal`) may get, and how often the daemon folds it
 * back into the main file. Pure policy: the SQLite adapter applies the limit (`journal_size_limit`),
 * the daemon schedules the checkpoint, `status` shows the size and `doctor` judges it.
 *
 * Why: a long-lived reader (a big export or build) pins the WAL, which then grows with every write
 * (161 MiB seen). SQLite reuses the file afterwards but never shrinks it on its own; a TRUNCATE
 * checkpoint does, once no reader needs the old frames.
 */

/** Size the WAL file is cut back to after a checkpoint resets it (`PRAGMA journal_size_limit`), bytes. */
export const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;
/**
 * How often the daemon tries a TRUNCATE checkpoint, ms (a reader closed at t is gone by t + this).
 * Hourly, not more often: a checkpoint copies every page changed since the last one into the main
 * file, so the pages every minute commit rewrites (the newest leaves, `state`) reach the card once
 * an hour instead of four times (issue 13). The WAL then holds about an hour of commits (< 1 MiB at
 * 4 series every 10 s); SQLite's own checkpoint at 1000 WAL pages still applies. Durability is the
 * same: a commit is in the WAL (written back by the kernel within ~30 s) whenever it is checkpointed.
 */
export const WAL_CHECKPOINT_EVERY_MS = 60 * 60_000;
/** `doctor` warns above this WAL size, bytes (a reader held the WAL for long, or checkpoints fail). */
export const WAL_WARN_BYTES = 16 * 1024 * 1024;
/** `doctor` fails above this WAL size, bytes (checkpoints are not happening; reads slow down, the card fills). */
export const WAL_FAIL_BYTES = 128 * 1024 * 1024;

/** Verdict on a WAL of `walBytes`: ok up to `WAL_WARN_BYTES`, warn up to `WAL_FAIL_BYTES`, fail above. */
export function walVerdict(walBytes: number): 'ok' | 'warn' | 'fail' {
  if (walBytes > WAL_FAIL_BYTES) return 'fail';
  if (walBytes > WAL_WARN_BYTES) return 'warn';
  return 'ok';
}
