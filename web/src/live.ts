/**
 * When the page checks for a newer snapshot (pure): the builder publishes a window every cadence and
 * its meta says `expiresAt = generatedAt + 2 × cadence`, so the page asks for the meta (a revalidation
 * that is a 304 when nothing changed) just after the next build is due, then, while that build is
 * overdue, every tenth of the cadence (5–30 s). The stale banner is the meta's business (`freshnessOf`):
 * the page only shows what the server's latest meta says.
 */
import { WINDOWS, type Window } from '../../builder/constants.js';
import type { SnapshotMeta } from '../../builder/types.js';

/** Wait after a build is due before asking, ms: a build takes a moment to publish. */
export const LIVE_SLACK_MS = 2_000;
/** Shortest and longest wait between checks, ms. */
export const MIN_CHECK_MS = 2_000;
export const MAX_CHECK_MS = 15 * 60_000;
/** Bounds of the retry interval while a build is overdue, ms. */
export const OVERDUE_MIN_MS = 5_000;
export const OVERDUE_MAX_MS = 30_000;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The server's cadence for this snapshot: half of `expiresAt − generatedAt`, else the window's configured cadence. */
export function cadenceMsOf(meta: Pick<SnapshotMeta, 'generatedAt' | 'expiresAt'> | undefined, window: Window): number {
  const g = meta?.generatedAt ? Date.parse(meta.generatedAt) : NaN;
  const e = meta?.expiresAt ? Date.parse(meta.expiresAt) : NaN;
  return Number.isFinite(g) && Number.isFinite(e) && e > g ? (e - g) / 2 : WINDOWS[window].rebuildEveryMs;
}

/**
 * Milliseconds until the page should check the meta again.
 * @param meta the newest meta the page has (undefined: none could be read).
 * @param nowMs the page's clock, epoch ms.
 */
export function nextCheckDelayMs(meta: Pick<SnapshotMeta, 'generatedAt' | 'expiresAt'> | undefined, window: Window, nowMs: number): number {
  const cadenceMs = cadenceMsOf(meta, window);
  const generatedMs = meta?.generatedAt ? Date.parse(meta.generatedAt) : NaN;
  const overdueMs = clamp(cadenceMs / 10, OVERDUE_MIN_MS, OVERDUE_MAX_MS);
  if (!Number.isFinite(generatedMs)) return overdueMs;
  const dueMs = generatedMs + cadenceMs + LIVE_SLACK_MS;
  return dueMs > nowMs ? clamp(dueMs - nowMs, MIN_CHECK_MS, MAX_CHECK_MS) : overdueMs;
}

/** True when `next` describes another build than `shown` (a new payload to fetch). */
export function isNewBuild(shown: Pick<SnapshotMeta, 'generatedAt' | 'versionId'> | undefined, next: Pick<SnapshotMeta, 'generatedAt' | 'versionId'>): boolean {
  return !shown || shown.generatedAt !== next.generatedAt || shown.versionId !== next.versionId;
}
