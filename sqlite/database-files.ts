/**
 * Sizes of the SQLite database's files on disk, from the filesystem (no query, so a scrape never
 * waits for a write transaction): the main file and the write-ahead log beside it (`<path>-wal`).
 */
import { statSync } from 'node:fs';

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
