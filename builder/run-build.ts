/**
 * One builder run for one device: sweep leftover staged keys, then per window bring the rollup state
 * up to the build instant (incremental or full), render and publish its four snapshots, save the
 * state, and finally release the source's journal up to the oldest cursor any window still needs.
 * Pure core over ports: the same code runs on the Pi (SQLite + directory) and in Lambda (DynamoDB + S3).
 */
import { GRANULARITIES, WINDOW_NAMES, devicePrefix, type Granularity, type Window } from './constants.js';
import { isoOf } from './codec.js';
import type { Clock, Logger, ObjectStore, SampleSource } from './ports.js';
import { publishSnapshot, recordFailure, sweepStagedKeys, type PublishTarget } from './publish.js';
import { compareCursors, defaultStatePrefix, loadState, saveState } from './state-store.js';
import type { BuilderName } from './types.js';
import { prepareFull, prepareIncremental, renderVariant, type FullRequest, type PreparedWindow, type WindowMode } from './window-build.js';

/** Ports and identity of a run. `prefix` defaults to `devicePrefix(deviceId)` (use `fallbackPrefix` for the Pi's last-resort copies). */
export interface BuildDeps {
  source: SampleSource;
  store: ObjectStore;
  clock: Clock;
  log: Logger;
  deviceId: string;
  builder: BuilderName;
  prefix?: string;
  /** Where rollup state lives (default `state/{deviceId}/`); may be a different store. */
  statePrefix?: string;
  stateStore?: ObjectStore;
}

/** What to build. */
export interface BuildOptions {
  /** Windows to build (default: all six). */
  windows?: readonly Window[];
  /** Build "as of" this instant (epoch ms) from a range read, without reading or saving state. */
  atMs?: number;
  /** Ignore saved state and recompute from raw (then save the new state). */
  full?: boolean;
}

/** Outcome of one snapshot. Durations in ms from the injected clock. */
export interface SnapshotReport {
  window: Window;
  granularity: Granularity;
  ok: boolean;
  resolution?: 'bucketed' | 'raw';
  /** Points per series (largest series for raw payloads). */
  points: number;
  /** Stored (gzip) payload size. */
  bytes: number;
  ms: number;
  error?: string;
}

/** Outcome of one window's aggregation. `samplesRead`: samples folded into its rollups (a full rebuild's shared range read is counted once in `BuildReport.samplesRead`). `ms` excludes that shared read. */
export interface WindowReport {
  window: Window;
  mode?: WindowMode;
  reason?: string;
  samplesRead: number;
  /** Samples read to render the raw 500 variant (a small range read, only when the window holds ≤ 500 per series). */
  rawSamplesRead: number;
  ms: number;
  stateSaved: boolean;
  error?: string;
}

/** What a run did: per window, per snapshot, and in total (durations from the injected clock, ms). */
export interface BuildReport {
  deviceId: string;
  /** Build instant, ISO 8601 UTC, and whether it was given explicitly (`--at`). */
  at: string;
  atMs: number;
  explicitAt: boolean;
  ok: boolean;
  /** Snapshots that failed. */
  failed: number;
  windows: WindowReport[];
  snapshots: SnapshotReport[];
  /** Samples the source returned in this run (change reads, the shared range read, raw reads). */
  samplesRead: number;
  /** Duration of the one range read shared by all windows rebuilt in full (0 when none was). */
  fullReadMs: number;
  sweptKeys: string[];
  /** Cursor released to the source, when one was. */
  releasedCursor?: string;
  durationMs: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

async function failSnapshot(t: PublishTarget, deps: BuildDeps, window: Window, g: Granularity, err: unknown, startMs: number): Promise<SnapshotReport> {
  deps.log.error('snapshot build failed', { window, granularity: g, error: errorText(err) });
  try {
    await recordFailure(t, window, g, err, deps.clock.nowMs());
  } catch (metaErr) {
    deps.log.error('could not mark meta stale', { window, granularity: g, error: errorText(metaErr) });
  }
  return { window, granularity: g, ok: false, points: 0, bytes: 0, ms: deps.clock.nowMs() - startMs, error: errorText(err) };
}

async function publishWindow(deps: BuildDeps, t: PublishTarget, prepared: PreparedWindow, atMs: number, report: WindowReport): Promise<SnapshotReport[]> {
  const series = (await deps.source.listSeries(deps.deviceId)).sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
  const out: SnapshotReport[] = [];
  for (const g of GRANULARITIES) {
    const startMs = deps.clock.nowMs();
    try {
      const ctx = { deviceId: deps.deviceId, atMs, generatedAtMs: startMs, series };
      const { payload, samplesRead } = await renderVariant(prepared.state, deps.source, g, ctx);
      report.rawSamplesRead += samplesRead;
      const r = await publishSnapshot(t, payload, startMs);
      out.push({ window: prepared.state.window, granularity: g, ok: true, resolution: payload.resolution, points: r.points, bytes: r.bytes, ms: deps.clock.nowMs() - startMs });
    } catch (err) {
      out.push(await failSnapshot(t, deps, prepared.state.window, g, err, startMs));
    }
  }
  return out;
}

/** Oldest cursor over every window's saved state (windows not built in this run included). */
async function oldestNeededCursor(deps: BuildDeps, statePrefix: string, saved: Map<Window, string | undefined>): Promise<string | undefined> {
  let oldest: string | undefined;
  for (const w of WINDOW_NAMES) {
    let cursor: string | undefined;
    if (saved.has(w)) cursor = saved.get(w);
    else cursor = await loadState(deps.stateStore ?? deps.store, statePrefix, w, deps.deviceId).then((s) => s?.cursor, () => undefined);
    if (cursor === undefined) continue;
    if (oldest === undefined) oldest = cursor;
    else {
      const c = compareCursors(cursor, oldest, deps.source.compareCursors?.bind(deps.source));
      if (c === undefined) return undefined;
      if (c < 0) oldest = cursor;
    }
  }
  return oldest;
}

/**
 * Build and publish the snapshots of `options.windows` (default all) for `deps.deviceId`.
 * Never throws for a failed snapshot: failures are in the report (and in stale meta); rejects only
 * when the run cannot start at all.
 * @example
 * const report = await runBuild({ source, store, clock, log, deviceId: 'pi-kitchen', builder: 'pi' }, { windows: ['1h'] });
 */
export async function runBuild(deps: BuildDeps, options: BuildOptions = {}): Promise<BuildReport> {
  const runStartMs = deps.clock.nowMs();
  const prefix = deps.prefix ?? devicePrefix(deps.deviceId);
  const statePrefix = deps.statePrefix ?? defaultStatePrefix(deps.deviceId);
  const stateStore = deps.stateStore ?? deps.store;
  const explicitAt = options.atMs !== undefined;
  const atMs = options.atMs ?? runStartMs;
  const t: PublishTarget = { store: deps.store, prefix, deviceId: deps.deviceId, builder: deps.builder };
  const sweptKeys = await sweepStagedKeys(deps.store, prefix, runStartMs).catch((err) => {
    deps.log.warn('sweeping staged keys failed', { prefix, error: errorText(err) });
    return [] as string[];
  });
  const windowList = options.windows ?? WINDOW_NAMES;
  const reports = new Map<Window, WindowReport>(windowList.map((w) => [w, { window: w, samplesRead: 0, rawSamplesRead: 0, ms: 0, stateSaved: false }]));
  const snapshots: SnapshotReport[] = [];
  const failWindow = async (window: Window, err: unknown, startMs: number): Promise<void> => {
    const report = reports.get(window)!;
    report.error = errorText(err);
    deps.log.error('window build failed', { window, error: report.error });
    for (const g of GRANULARITIES) {
      if (!snapshots.some((s) => s.window === window && s.granularity === g)) snapshots.push(await failSnapshot(t, deps, window, g, err, startMs));
    }
  };
  // 1. incremental windows catch up from their cursors; the others are rebuilt below.
  const prepared = new Map<Window, PreparedWindow>();
  const fullRequests: FullRequest[] = [];
  for (const window of windowList) {
    if (explicitAt) {
      fullRequests.push({ window });
      continue;
    }
    const startMs = deps.clock.nowMs();
    try {
      const r = await prepareIncremental({
        source: deps.source, store: stateStore, log: deps.log, deviceId: deps.deviceId, statePrefix, window, atMs, full: options.full ?? false,
      });
      if ('state' in r) prepared.set(window, r);
      else fullRequests.push({ window, reason: r.reason });
    } catch (err) {
      await failWindow(window, err, startMs);
    }
    reports.get(window)!.ms += deps.clock.nowMs() - startMs;
  }
  // 2. one range read serves every window that needs a full rebuild.
  let fullReadMs = 0;
  let samplesRead = [...prepared.values()].reduce((a, p) => a + p.samplesRead, 0);
  if (fullRequests.length) {
    const startMs = deps.clock.nowMs();
    try {
      const full = await prepareFull(deps.source, deps.deviceId, fullRequests, atMs, explicitAt);
      full.windows.forEach((p) => prepared.set(p.state.window, p));
      samplesRead += full.samplesRead;
    } catch (err) {
      for (const r of fullRequests) await failWindow(r.window, err, startMs);
    }
    fullReadMs = deps.clock.nowMs() - startMs;
  }
  // 3. render, publish and save, window by window.
  const savedCursors = new Map<Window, string | undefined>();
  for (const window of windowList) {
    const p = prepared.get(window);
    if (!p) continue;
    const report = reports.get(window)!;
    const startMs = deps.clock.nowMs();
    Object.assign(report, { mode: p.mode, reason: p.reason, samplesRead: p.samplesRead });
    try {
      snapshots.push(...(await publishWindow(deps, t, p, atMs, report)));
      if (!explicitAt) {
        await saveState(stateStore, statePrefix, p.state);
        report.stateSaved = true;
        savedCursors.set(window, p.state.cursor);
      }
    } catch (err) {
      await failWindow(window, err, startMs);
    }
    report.ms += deps.clock.nowMs() - startMs;
    samplesRead += report.rawSamplesRead;
  }
  let releasedCursor: string | undefined;
  if (!explicitAt) {
    try {
      releasedCursor = await oldestNeededCursor(deps, statePrefix, savedCursors);
      if (releasedCursor !== undefined) await deps.source.release(deps.deviceId, releasedCursor);
    } catch (err) {
      releasedCursor = undefined;
      deps.log.warn('releasing the sample journal failed', { error: errorText(err) });
    }
  }
  const failed = snapshots.filter((s) => !s.ok).length;
  return {
    deviceId: deps.deviceId, at: isoOf(atMs), atMs, explicitAt, ok: failed === 0, failed,
    windows: [...reports.values()], snapshots, samplesRead, fullReadMs, sweptKeys, releasedCursor, durationMs: deps.clock.nowMs() - runStartMs,
  };
}
