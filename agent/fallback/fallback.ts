/**
 * The Pi's fallback policy (pure): from the cloud's snapshot meta, decide which windows the Pi must
 * build itself and push under `fallback/`. Per window, at each check:
 * - the cloud is **stale** when its meta says `stale: true`, or has no successful build yet
 *   (`generatedAt: null`), or is absent; N consecutive stale checks (default 3) trigger a push;
 * - the cloud is **late** when `generatedAt` is older than k × the window's rebuild cadence
 *   (default k = 3); that triggers a push at once (a silent cloud writes no stale flag at all);
 * - a check whose meta could not be read (S3 unreachable) is **unknown**: it changes nothing;
 * - a fresh check (neither stale nor late) resets the count and stops pushing that window.
 */
import { CLOUD_SCHEDULED_WINDOWS, WINDOWS, WINDOW_NAMES, type Window } from '../../builder/constants.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { LATE_AFTER_CADENCES, isSnapshotLate } from '../../builder/snapshot-meta.js';

export interface FallbackOptions {
  /** Consecutive stale checks before the Pi pushes. Default 3. */
  staleChecks: number;
  /** Cloud builds older than this many cadences count as late. Default `LATE_AFTER_CADENCES` (3), as the API's. */
  cadenceFactor: number;
}
export const DEFAULT_FALLBACK_OPTIONS: FallbackOptions = { staleChecks: 3, cadenceFactor: LATE_AFTER_CADENCES };

/** What one check saw of a window's cloud meta. */
export type MetaObservation = { kind: 'meta'; meta: SnapshotMeta } | { kind: 'absent' } | { kind: 'unreadable'; error: string };

export type WindowVerdict = 'fresh' | 'stale' | 'late' | 'unknown';

/** Per-window memory between checks. */
export interface FallbackState {
  consecutiveStale: Partial<Record<Window, number>>;
  /** Windows the Pi is pushing now. */
  pushing: Window[];
}
export const initialFallbackState = (): FallbackState => ({ consecutiveStale: {}, pushing: [] });

/** The verdict on one observation at `nowMs` (epoch ms). */
export function judge(window: Window, seen: MetaObservation, nowMs: number, options: FallbackOptions): WindowVerdict {
  if (seen.kind === 'unreadable') return 'unknown';
  if (seen.kind === 'absent' || seen.meta.generatedAt === null || seen.meta.stale) return 'stale';
  return isSnapshotLate(seen.meta, window, nowMs, options.cadenceFactor) ? 'late' : 'fresh';
}

export interface FallbackDecision {
  state: FallbackState;
  /** Windows to build and push now. */
  push: Window[];
  /** Windows that went back to fresh in this check (the Pi stops pushing them). */
  stopped: Window[];
  verdicts: Partial<Record<Window, WindowVerdict>>;
}

/** Fold one check's observations (windows not observed are left as they were) into the state. */
export function decideFallback(state: FallbackState, observed: Partial<Record<Window, MetaObservation>>, nowMs: number, options: FallbackOptions = DEFAULT_FALLBACK_OPTIONS): FallbackDecision {
  const consecutiveStale = { ...state.consecutiveStale };
  const pushing = new Set(state.pushing);
  const stopped: Window[] = [];
  const verdicts: FallbackDecision['verdicts'] = {};
  for (const w of WINDOW_NAMES) {
    const seen = observed[w];
    if (!seen) continue;
    const verdict = (verdicts[w] = judge(w, seen, nowMs, options));
    if (verdict === 'unknown') continue;
    if (verdict === 'fresh') {
      consecutiveStale[w] = 0;
      if (pushing.delete(w)) stopped.push(w);
      continue;
    }
    if (verdict === 'stale') consecutiveStale[w] = (consecutiveStale[w] ?? 0) + 1;
    if (verdict === 'late' || (consecutiveStale[w] ?? 0) >= options.staleChecks) pushing.add(w);
  }
  const push = WINDOW_NAMES.filter((w) => pushing.has(w));
  return { state: { consecutiveStale, pushing: push }, push, stopped, verdicts };
}

/**
 * When the Pi reads the cloud's metas: each window the cloud schedules at that window's cadence (10h
 * and 1d every 5 min, 10d every 10, 3m and 12m every 15), windows of one cadence together, in
 * ascending cadence. A meta changes only when the cloud builds, so reading it more often only counts
 * the same build again; at these cadences the policy's 3 stale checks are 3 stale builds. Each check
 * of a window is one ranged GET of its object's header (`readWindowMetas`): 38 GETs an hour.
 */
export function fallbackCheckGroups(): Array<{ everyMs: number; windows: Window[] }> {
  const groups = new Map<number, Window[]>();
  for (const w of CLOUD_SCHEDULED_WINDOWS) groups.set(WINDOWS[w].rebuildEveryMs, [...(groups.get(WINDOWS[w].rebuildEveryMs) ?? []), w]);
  return [...groups].sort((a, b) => a[0] - b[0]).map(([everyMs, windows]) => ({ everyMs, windows }));
}
