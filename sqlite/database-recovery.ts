/**
 * A damaged database never stops the agent: when SQLite says the file is corrupt
 * (`SQLITE_CORRUPT*`) or not a database (`SQLITE_NOTADB`), the file and its `-wal`/`-shm` are moved
 * aside as `sensorctl.db.corrupt-<UTC time>` (kept for `sqlite3 … ".recover"`), a fresh database is
 * opened in their place, and a small JSON marker next to it (`sensorctl.db.corrupt.json`) tells
 * `status` and `doctor` what happened and where the old file is.
 *
 * At run time a statement that finds the file damaged leaves a request (`requestQuarantine`); the
 * daemon restarts in-process (`sensorctl run`) and the open consumes it.
 *
 * What the open path checks (cheap, no full scan): the header and schema (opening, migrations), and
 * the newest row of every series, of the builder's journal and of the upload queue: the right edge of
 * each B-tree, where the pages written last (the ones a power cut tears) are. `PRAGMA quick_check`
 * reads the whole file (tens of seconds for a year on an SD card) and stays with `doctor`.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { openDatabase, type Db } from './sqlite-db.js';
import { SqliteBuffer } from './sqlite-buffer.js';
import { SqliteUploadQueue } from './sqlite-upload-queue.js';

/** One recovery: when, why, and where the damaged files went. Times are epoch ms and ISO 8601 UTC. */
export interface CorruptionRecord {
  detectedAtMs: number;
  detectedAt: string;
  /** `open`: found while opening; `run`: a statement failed while the agent was running. */
  phase: 'open' | 'run';
  /** SQLite's error code and message, e.g. `SQLITE_NOTADB: file is not a database`. */
  reason: string;
  /** The damaged main file's new path (`<db>.corrupt-<time>`). */
  movedTo: string;
  /** Every file moved (main file, then `-wal`, `-shm` when they existed). */
  movedFiles: string[];
}

/** Path of the request a running agent leaves when a statement found the file damaged: the next open moves it aside. */
export const quarantineRequestPath = (dbPath: string): string => `${dbPath}.corrupt-request.json`;

/**
 * Found damaged while running (the connection is still open): record why, so that the next
 * `openAgentDatabase` moves the file aside even when its cheap checks would not notice the page.
 */
export function requestQuarantine(dbPath: string, nowMs: number, err: unknown): void {
  writeFileSync(quarantineRequestPath(dbPath), JSON.stringify({ detectedAtMs: nowMs, reason: reasonOf(err) }) + '\n');
}

/** Path of the marker that lists the recoveries of `dbPath`, newest last. */
export const corruptionMarkerPath = (dbPath: string): string => `${dbPath}.corrupt.json`;

/** True for SQLite's "the file is damaged" errors (on `err` or anywhere in its `cause` chain). */
export function isCorruptionError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (e.code.startsWith('SQLITE_CORRUPT') || e.code.startsWith('SQLITE_NOTADB'))) return true;
  }
  return false;
}

function reasonOf(err: unknown): string {
  for (let e = err as { code?: unknown; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return `${e.code}: ${e.message}`;
  }
  return (err as Error)?.message ?? String(err);
}

/** `2026-12-04T14:42:26.123Z` → `20261204T144226Z` (sortable, no colons in file names). */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** The recoveries recorded next to `dbPath`, oldest first; empty when none (or the marker is unreadable). */
export function readCorruptionRecords(dbPath: string): CorruptionRecord[] {
  try {
    const v = JSON.parse(readFileSync(corruptionMarkerPath(dbPath), 'utf8')) as { recoveries?: CorruptionRecord[] };
    return Array.isArray(v.recoveries) ? v.recoveries : [];
  } catch {
    return [];
  }
}

/**
 * Move `dbPath` and its `-wal`/`-shm` aside as `<dbPath>.corrupt-<UTC time>` (a counter is added if
 * that name is taken) and append the record to the marker. The caller has closed its connections.
 * @throws the filesystem's error when the file cannot be moved (a read-only directory): the agent
 * cannot go on without a writable database there.
 */
export function quarantineDatabase(dbPath: string, nowMs: number, err: unknown, phase: CorruptionRecord['phase']): CorruptionRecord {
  rmSync(quarantineRequestPath(dbPath), { force: true });
  let movedTo = `${dbPath}.corrupt-${compactUtc(nowMs)}`;
  for (let n = 2; existsSync(movedTo); n++) movedTo = `${dbPath}.corrupt-${compactUtc(nowMs)}-${n}`;
  const movedFiles: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(dbPath + suffix)) continue;
    renameSync(dbPath + suffix, movedTo + suffix);
    movedFiles.push(movedTo + suffix);
  }
  const record: CorruptionRecord = { detectedAtMs: nowMs, detectedAt: new Date(nowMs).toISOString(), phase, reason: reasonOf(err), movedTo, movedFiles };
  const marker = corruptionMarkerPath(dbPath);
  writeFileSync(`${marker}.tmp`, JSON.stringify({ recoveries: [...readCorruptionRecords(dbPath), record] }, null, 2) + '\n');
  renameSync(`${marker}.tmp`, marker);
  return record;
}

function readRequest(dbPath: string): { detectedAtMs: number; reason: string } | undefined {
  try {
    const v = JSON.parse(readFileSync(quarantineRequestPath(dbPath), 'utf8')) as { detectedAtMs?: unknown; reason?: unknown };
    if (typeof v.detectedAtMs === 'number' && typeof v.reason === 'string') return { detectedAtMs: v.detectedAtMs, reason: v.reason };
  } catch {
    /* no request */
  }
  return undefined;
}

/** The daemon's database: one connection shared by the buffer and the upload queue. */
export interface AgentDatabase {
  db: Db;
  buffer: SqliteBuffer;
  uploadQueue: SqliteUploadQueue;
}

function openAll(path: string): AgentDatabase {
  const db = openDatabase(path);
  try {
    const buffer = SqliteBuffer.openOn(db);
    const uploadQueue = SqliteUploadQueue.open(db);
    buffer.readNewestRows();
    uploadQueue.readNewestRows();
    return { db, buffer, uploadQueue };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Open the agent's database at `path` (creating it), checking the pages written last; when SQLite
 * finds the file damaged, move it aside (`quarantineDatabase`) and open a fresh one.
 * `recovered` says what happened then (also written to the marker).
 * @throws any other error (permissions, a schema newer than this program, a disk error).
 */
export function openAgentDatabase(path: string, nowMs: () => number): AgentDatabase & { recovered?: CorruptionRecord } {
  const request = readRequest(path);
  if (request) {
    const recovered = quarantineDatabase(path, request.detectedAtMs, new Error(request.reason), 'run');
    return { ...openAll(path), recovered };
  }
  try {
    return openAll(path);
  } catch (err) {
    if (!isCorruptionError(err)) throw err;
    const recovered = quarantineDatabase(path, nowMs(), err, 'open');
    return { ...openAll(path), recovered };
  }
}
