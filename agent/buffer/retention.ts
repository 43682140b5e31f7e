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
