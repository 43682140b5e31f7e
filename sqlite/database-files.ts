/**
 * Sizes of the SQLite database's files on disk, from the filesystem (no query, so a scrape never
 * waits for a write transaction): the main file and the write-ahead log beside it (`<path>-wal`).
 */
import { accessSync, closeSync, constants, existsSync, openSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bytes of `path` and `path-wal`; 0 for a file that does not exist (no WAL between checkpoints, `:memory:`). */
export function databaseFileSizes(path: string): { fileBytes: number; walBytes: number } {
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return { fileBytes: path === ':memory:' ? 0 : size(path), walBytes: path === ':memory:' ? 0 : size(`${path}-wal`) };
}

/** Whether the database at `dbPath` can be written: its directory (SQLite creates `-wal`/`-shm` there) and its files. */
export type Writability = { isWritable: true } | { isWritable: false; path: string; reason: string };

function reasonOf(err: unknown): string {
  const code = (err as { code?: string }).code ?? 'unknown error';
  if (code === 'EROFS') return 'read-only file system (EROFS)';
  if (code === 'EACCES' || code === 'EPERM') return `no write permission (${code})`;
  const message = (err as Error).message ?? '';
  return `cannot write (${message.startsWith(`${code}: `) ? message : `${code}: ${message}`})`; // Node's fs messages already start with the code
}

/**
 * Probe, with the filesystem (not SQLite), whether the database at `dbPath` can be written: create
 * and remove a hidden file in its directory, then check write access to the database file and its
 * `-wal`/`-shm` when they exist. A directory that does not exist yet counts as writable (creating
 * it reports its own error). Works for root too: a read-only mount refuses root as well (EROFS),
 * where a mode bit would not.
 */
export function storageWritability(dbPath: string): Writability {
  if (dbPath === ':memory:') return { isWritable: true };
  const dir = dirname(dbPath);
  if (!existsSync(dir)) return { isWritable: true };
  const probe = join(dir, `.sensorctl-write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (err) {
    return { isWritable: false, path: dir, reason: reasonOf(err) };
  }
  for (const p of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
    if (!existsSync(p)) continue;
    try {
      accessSync(p, constants.W_OK);
    } catch (err) {
      return { isWritable: false, path: p, reason: reasonOf(err) };
    }
  }
  return { isWritable: true };
}

/** Bytes free for an unprivileged writer on the file system holding `dir` (`statfs` f_bavail × f_bsize); undefined when it cannot tell. */
export function freeBytesAt(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
