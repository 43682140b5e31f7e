/**
 * Shared SQLite plumbing for the adapters that live in the agent's database file
 * (`sqlite-buffer.ts`, the upload queue): opening with the right pragmas, schema migrations per
 * component, and write transactions that start `BEGIN IMMEDIATE` and are retried whole on busy errors.
 *
 * Why IMMEDIATE: in WAL mode a deferred transaction that reads and then writes fails at once with
 * SQLITE_BUSY_SNAPSHOT when another connection committed in between (busy_timeout does not help
 * there). Taking the write lock up front makes the busy handler wait instead, and what still fails
 * busy is retried from the start. See https://www.sqlite.org/lang_transaction.html and
 * https://www.sqlite.org/wal.html#sometimes_queries_return_sqlite_busy_in_wal_mode.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BufferError, ReadOnlyStorageError, StorageFullError } from '../agent/buffer/errors.js';
import { freeBytesAt, storageWritability } from './database-files.js';
import { WAL_SIZE_LIMIT_BYTES } from '../agent/buffer/wal.js';

export type Db = Database.Database;

/**
 * Page size of a database file this program creates, bytes (SQLite's default is 4096; 512 is its
 * smallest). Every commit writes each B-tree page it touches to the WAL in full: the minute commit
 * of 4 series touches a leaf of `samples` per series (and, as leaves fill, their siblings and parent),
 * the builder journal's leaf and the `state` page, each gaining a few hundred bytes of rows, so the
 * page size sets the bytes written (issue 13, footprint bench, 3 virtual hours: 4096 → 64 MB/day,
 * 2048 → 44, 1024 → 31, 512 → 23.5; a whole virtual day: 1024 → 35, 512 → 25.6). The price: bulk
 * inserts take more CPU and the file is a little larger (docs/buffer.md). A file created with another
 * page size keeps it (changing it needs a VACUUM outside WAL mode: docs/buffer.md).
 */
export const PAGE_SIZE_BYTES = 512;

/** How long one statement waits for a lock held by another connection, in ms. */
export const BUSY_TIMEOUT_MS = 5_000;
/** Attempts of a whole write transaction on SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT / SQLITE_LOCKED. */
export const WRITE_ATTEMPTS = 8;

/** SQLite's codes for "no WAL index can be set up here" (no `-shm` can be created). */
const WAL_INDEX_UNAVAILABLE = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_CANTINIT']);

/**
 * Open an existing database file for reading only, also where nothing can be written (a read-only
 * data directory): SQLite reads a WAL-mode file read-only when its `-shm` exists (the daemon's, say);
 * without it SQLite cannot set up the WAL index there (SQLITE_CANTOPEN on a read-only mount,
 * SQLITE_READONLY_DIRECTORY in a directory this user may not write), so the main file is read
 * into memory instead (`db.name` is then `:memory:`; frames still in an un-checkpointed `-wal` are
 * not seen, which only happens after a crash). `isCopy` says which.
 */
export function openDatabaseForReading(path: string): { db: Db; isCopy: boolean } {
  try {
    const db = openDatabase(path, { readonly: true });
    try {
      db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
      return { db, isCopy: false };
    } catch (err) {
      db.close();
      throw err;
    }
  } catch (err) {
    // CANTOPEN: a read-only mount; READONLY_DIRECTORY: a directory this user may not write (the
    // service's data dir read by another user after `systemctl stop`). Either way no `-shm` can be made.
    if (!WAL_INDEX_UNAVAILABLE.has((err as { code?: string }).code ?? '')) throw err;
    const bytes = readFileSync(path);
    // In memory there is no WAL: mark the copy's header as rollback-journal (bytes 18–19, file format 1).
    if (bytes.length >= 20 && bytes[18] === 2) bytes[18] = bytes[19] = 1;
    const db = new Database(bytes, { readonly: true });
    db.pragma('foreign_keys = ON');
    return { db, isCopy: true };
  }
}

/**
 * Open (creating if needed, with `PAGE_SIZE_BYTES` pages) a database file in WAL mode with `synchronous=NORMAL` (durable at
 * checkpoints; a power cut loses at most the last transactions, never integrity), the WAL cut back to
 * `WAL_SIZE_LIMIT_BYTES` whenever a checkpoint resets it (`journal_size_limit`) and foreign keys on.
 * `:memory:` is accepted for tests that need no file.
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) {
    const access = storageWritability(path);
    if (!access.isWritable) throw new ReadOnlyStorageError(access.path, access.reason);
  }
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly && db.readonly) {
    db.close();
    throw new ReadOnlyStorageError(path, 'SQLite opened it read-only');
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma(`page_size = ${PAGE_SIZE_BYTES}`); // takes effect only while the file is still empty
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  }
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * `PRAGMA wal_checkpoint(TRUNCATE)` without waiting: copy the WAL into the main file and truncate it
 * to 0 bytes. The busy handler is off meanwhile, so an open reader or writer on another connection
 * makes it return `false` at once (try again later) instead of blocking the event loop for
 * `BUSY_TIMEOUT_MS`. True when the WAL was emptied.
 */
export function checkpointTruncate(db: Db): boolean {
  db.pragma('busy_timeout = 0');
  try {
    const r = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return r[0]?.busy === 0;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** SQLITE_READONLY*: the file, its directory or its file system went read-only under us. */
function isReadOnly(err: unknown): boolean {
  return ((err as { code?: string })?.code ?? '').startsWith('SQLITE_READONLY');
}

/** SQLITE_FULL, or an I/O error whose cause is a full disk (a WAL or journal that could not grow). */
function isFull(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code ?? '').startsWith('SQLITE_FULL') || /ENOSPC|disk is full/i.test(e?.message ?? '');
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** Synchronous sleep for the retry back-off (better-sqlite3 is synchronous; waits stay under 0.5 s). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `fn` inside `BEGIN IMMEDIATE … COMMIT`; on a busy/locked error anywhere (begin, body or commit)
 * roll back and run the whole of `fn` again, up to `WRITE_ATTEMPTS` times with a growing pause.
 * `fn` must therefore be free of side effects outside the database.
 * @throws {BufferError} with the last SQLite error as `cause` when every attempt was busy.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  let lastErr: unknown;
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    try {
      db.prepare('BEGIN IMMEDIATE').run();
    } catch (err) {
      if (isReadOnly(err)) throw new ReadOnlyStorageError(db.name, (err as Error).message, { cause: err });
      if (isFull(err)) throw new StorageFullError(dirname(db.name), freeBytesAt(dirname(db.name)), { cause: err });
      if (!isBusy(err)) throw err;
      lastErr = err;
      sleepSync(Math.min(400, 10 * 2 ** attempt));
      continue;
    }
    try {
      const result = fn();
      db.prepare('COMMIT').run();
      return result;
    } catch (err) {
      if (db.inTransaction) db.prepare('ROLLBACK').run();
      if (isReadOnly(err)) throw new ReadOnlyStorageError(db.name, (err as Error).message, { cause: err });
      if (isFull(err)) throw new StorageFullError(dirname(db.name), freeBytesAt(dirname(db.name)), { cause: err });
      if (!isBusy(err)) throw err;
      lastErr = err;
      sleepSync(Math.min(400, 10 * 2 ** attempt));
    }
  }
  throw new BufferError(`database busy: write transaction failed ${WRITE_ATTEMPTS} times`, { cause: lastErr });
}

/**
 * Apply the migrations of one component (`component` names its row in `schema_versions`): each
 * string is one migration's SQL, applied in order inside a write transaction, once.
 */
export function migrate(db: Db, component: string, migrations: readonly string[]): void {
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  } catch (err) {
    if (isReadOnly(err)) throw new ReadOnlyStorageError(db.name, (err as Error).message, { cause: err });
    throw err;
  }
  writeTransaction(db, () => {
    const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new BufferError(`${component} schema version ${current} is newer than this program knows (${migrations.length}); upgrade sensorctl`);
    }
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]);
    db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
      .run(component, migrations.length);
  });
}
