/**
 * Freshness wording: "last updated 4 min ago", and when the snapshot is stale (meta `stale`, or its
 * `expiresAt` has passed) the banner text. Pure: `nowMs` is passed in.
 */
import type { SnapshotMeta } from '../../builder/types.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * An age in words: `just now` (< 10 s), `25 s`, `4 min`, `2 h`, `2 h 5 min` (< 10 h), `3 d`.
 * Negative ages (a clock ahead of ours) read as `just now`.
 */
export function formatAge(ageMs: number): string {
  if (!(ageMs >= 10 * SECOND_MS)) return 'just now';
  if (ageMs < MINUTE_MS) return `${Math.floor(ageMs / SECOND_MS)} s ago`;
  if (ageMs < HOUR_MS) return `${Math.floor(ageMs / MINUTE_MS)} min ago`;
  if (ageMs < 10 * HOUR_MS) {
    const h = Math.floor(ageMs / HOUR_MS);
    const m = Math.floor((ageMs % HOUR_MS) / MINUTE_MS);
    return m ? `${h} h ${m} min ago` : `${h} h ago`;
  }
  if (ageMs < 2 * DAY_MS) return `${Math.floor(ageMs / HOUR_MS)} h ago`;
  return `${Math.floor(ageMs / DAY_MS)} d ago`;
}

/** What the freshness line and the stale banner show. */
export interface Freshness {
  /** epoch ms of the shown payload's build, or `undefined` when nothing says. */
  readonly generatedMs: number | undefined;
  /** "last updated 4 min ago", or "age unknown". */
  readonly text: string;
  readonly isStale: boolean;
  /** Banner text when stale, e.g. "Showing data from 2 h ago; the latest build failed." */
  readonly banner: string | undefined;
}

function parseIso(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Decide freshness from the meta (preferred), else the `Last-Updated` header, else the payload's own
 * `generatedAt`.
 * @param meta the snapshot's meta, or `undefined` when it could not be fetched.
 * @param fallbackGeneratedAt ISO 8601 from `Last-Updated` or the payload.
 */
export function freshnessOf(meta: SnapshotMeta | undefined, fallbackGeneratedAt: string | undefined, nowMs: number): Freshness {
  const generatedMs = parseIso(meta?.generatedAt) ?? parseIso(fallbackGeneratedAt);
  if (generatedMs === undefined) return { generatedMs, text: 'age unknown', isStale: Boolean(meta?.stale), banner: undefined };
  const age = formatAge(nowMs - generatedMs);
  const text = `last updated ${age}`;
  const from = age === 'just now' ? 'Showing data from just now' : `Showing data from ${age}`;
  if (meta?.stale) {
    const failures = meta.consecutiveFailures > 1 ? ` (${meta.consecutiveFailures} failed builds in a row)` : '';
    const why = meta.lastError ? `: ${meta.lastError}` : '';
    return { generatedMs, text, isStale: true, banner: `${from}; the latest build failed${failures}${why}.` };
  }
  const expiresMs = parseIso(meta?.expiresAt);
  if (expiresMs !== undefined && nowMs > expiresMs) {
    return {
      generatedMs, text, isStale: true,
      banner: `${from}; a newer build was due ${formatAge(nowMs - expiresMs)} and has not arrived.`,
    };
  }
  return { generatedMs, text, isStale: false, banner: undefined };
}
