/**
 * Retention of raw samples: a pure policy (what is old) and a step loop that deletes old samples in
 * small transactions, giving the event loop back between steps so sampling is never blocked for
 * long. Pure core over the `SampleBuffer` port; the caller injects the clock and the pause.
 *
 * Space: the SQLite file is not shrunk. Deleted pages go to SQLite's free list and are reused by the
 * next inserts (https://www.sqlite.org/lang_vacuum.html, "free pages"), so with a steady inflow the
 * file settles at about one retention period of data and stops growing. `auto_vacuum=INCREMENTAL`
 * is not used: on an existing file it only takes effect after a full `VACUUM` (a rewrite of the whole
 * database, blocking writers and needing as much free disk again), which is what we avoid here.
 *
 * Veto: samples a later consumer still needs (not yet uploaded) are kept by the adapter's retention
 * guards (`buffer.addRetentionGuard(uploadQueue.pendingSamplesGuard())` in the Pi's daemon);
 * `deleteOlderThan` never deletes them, so this loop needs no knowledge of uploads.
 */
import { RETENTION_MS } from '../../builder/constants.js';
import type { Clock } from '../../builder/ports.js';
import type { SampleBuffer } from './ports.js';

/** Rows deleted per transaction: about 20–40 ms on a Pi, so a sample write waits at most that long. */
export const RETENTION_STEP_ROWS = 5_000;
/** How often the daemon should run retention (ms): hourly keeps each run small. */
export const RETENTION_EVERY_MS = 3_600_000;

export interface RetentionPolicy {
  /** Keep samples with `tsMs >= now - retentionMs`. */
  retentionMs: number;
  /** Rows per delete transaction. */
  stepRows: number;
  /** Stop after this many steps in one run (the next scheduled run goes on); bounds one run's time. */
  maxSteps: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { retentionMs: RETENTION_MS, stepRows: RETENTION_STEP_ROWS, maxSteps: 1_000 };

/**
 * The oldest timestamp kept at `nowMs`, epoch ms: samples strictly older are deleted.
 * @throws {RangeError} for a non-positive retention (it would delete everything).
 */
export function retentionCutoffMs(nowMs: number, retentionMs: number = RETENTION_MS): number {
  if (!(retentionMs > 0)) throw new RangeError(`retention ${retentionMs} ms, expected > 0 ms`);
  return nowMs - retentionMs;
}

/**
 * Retention's one rule: a sample stamped `tsMs` is past retention at `cutoffMs` (both epoch ms) when
 * strictly older; a sample exactly at the cut-off is kept. Every `SampleBuffer.deleteOlderThan` applies
 * it (`MemoryBuffer` calls it; `SqliteBuffer` states it as its index range `ts_ms < @cutoff`, checked
 * against it at the boundary by the buffer contract). Pure.
 */
export function isPastRetention(tsMs: number, cutoffMs: number): boolean {
  return tsMs < cutoffMs;
}

export interface RetentionResult {
  cutoffMs: number;
  deleted: number;
  steps: number;
  /** True when old rows may remain because `maxSteps` was reached. */
  isPartial: boolean;
}

/**
 * Delete samples older than the policy's cutoff, `stepRows` per transaction, awaiting `pause()`
 * between steps (the adapter passes e.g. `() => new Promise(setImmediate)`), until a step deletes
 * nothing or `maxSteps` is reached. The cutoff is fixed at the start of the run.
 */
export async function runRetention(
  buffer: Pick<SampleBuffer, 'deleteOlderThan'>,
  clock: Clock,
  pause: () => Promise<void>,
  policy: RetentionPolicy = DEFAULT_RETENTION,
): Promise<RetentionResult> {
  const cutoffMs = retentionCutoffMs(clock.nowMs(), policy.retentionMs);
  let deleted = 0;
  let steps = 0;
  while (steps < policy.maxSteps) {
    const n = buffer.deleteOlderThan(cutoffMs, policy.stepRows);
    steps++;
    deleted += n;
    if (n < policy.stepRows) return { cutoffMs, deleted, steps, isPartial: false };
    await pause();
  }
  return { cutoffMs, deleted, steps, isPartial: true };
}

/** Below this many free bytes on the data directory's file system, the free-space floor applies. */
export const FREE_SPACE_FLOOR_BYTES = 64 * 1024 * 1024;
/** Under the floor, retention deletes until the database file holds this much free (reusable) space, bytes, or a tenth of the file when that is less. */
export const FLOOR_RESERVE_BYTES = 4 * 1024 * 1024;
/** How often the daemon compares free space with the floor, ms (one statfs call). */
export const FLOOR_CHECK_EVERY_MS = 60_000;
const HOUR_MS = 3_600_000;

/** What the floor needs of the buffer: deletes, per-series first/last times, and free pages in the file. */
export interface FloorBuffer extends Pick<SampleBuffer, 'deleteOlderThan' | 'stats'> {
  /** Page size, pages in the file, and pages on SQLite's free list (reused by the next inserts). */
  pageStats(): { pageSizeBytes: number; pageCount: number; freePages: number };
}

export interface FloorPolicy {
  floorBytes: number;
  reserveBytes: number;
  /** Share of the database file that, once reusable, is enough too (a small file needs little room). */
  reserveFileFraction: number;
  stepRows: number;
  maxSteps: number;
}

export const DEFAULT_FLOOR: FloorPolicy = { floorBytes: FREE_SPACE_FLOOR_BYTES, reserveBytes: FLOOR_RESERVE_BYTES, reserveFileFraction: 0.1, stepRows: RETENTION_STEP_ROWS, maxSteps: 1_000 };

export interface FloorResult {
  deleted: number;
  /** Samples older than this were deleted (the last cutoff tried); undefined when nothing was. */
  cutoffMs?: number;
  /** Reusable bytes inside the database file afterwards. */
  reusableBytes: number;
}

/**
 * The free-space floor: when `freeBytes` (the file system's) is under `floorBytes`, delete the oldest
 * samples a retention guard allows (with an uplink: those already uploaded; pending ones are never
 * touched), one hour at a time from the oldest, `stepRows` per transaction with `pause()` between,
 * until SQLite's free list holds `reserveBytes` or a tenth of the file, whichever is less (room for
 * new samples: deleting does not shrink the file, it makes pages reusable), or nothing deletable is
 * left. Above the floor it does nothing.
 */
export async function freeSpaceUnderFloor(
  buffer: FloorBuffer,
  freeBytes: number,
  pause: () => Promise<void>,
  policy: FloorPolicy = DEFAULT_FLOOR,
): Promise<FloorResult> {
  const reusable = () => {
    const p = buffer.pageStats();
    return p.freePages * p.pageSizeBytes;
  };
  if (freeBytes >= policy.floorBytes) return { deleted: 0, reusableBytes: reusable() };
  const pages = buffer.pageStats();
  const targetBytes = Math.min(policy.reserveBytes, pages.pageCount * pages.pageSizeBytes * policy.reserveFileFraction);
  const stats = buffer.stats().filter((s) => s.count > 0);
  if (stats.length === 0) return { deleted: 0, reusableBytes: reusable() };
  const oldest = Math.min(...stats.map((s) => s.firstTsMs ?? Infinity));
  const newest = Math.max(...stats.map((s) => s.lastTsMs ?? -Infinity));
  let deleted = 0;
  let cutoffMs = oldest + HOUR_MS;
  for (let steps = 0; steps < policy.maxSteps && reusable() < targetBytes; steps++) {
    const n = buffer.deleteOlderThan(cutoffMs, policy.stepRows);
    deleted += n;
    if (n < policy.stepRows) {
      // Nothing more deletable below this cutoff: the next hour (past the newest, the guards keep the rest).
      if (cutoffMs > newest) break;
      cutoffMs += HOUR_MS;
    }
    await pause();
  }
  return { deleted, ...(deleted ? { cutoffMs } : {}), reusableBytes: reusable() };
}
