/**
 * One builder run for one device: sweep leftover staged keys, then per window bring the rollup state
 * up to the build instant (incremental or full), render and publish its four snapshots, save the
 * state, and finally release the source's journal up to the oldest cursor any window still needs.
 * Pure core over ports: the same code runs on the Pi (SQLite + directory) and in Lambda (DynamoDB + S3).
 */
import { GRANULARITIES, WINDOWS, WINDOW_NAMES, devicePrefix, type Granularity, type Window } from './constants.js';
import { isoOf, type Gzip } from './codec.js';
import type { Clock, Logger, ObjectStore, SampleSource } from './ports.js';
import { commitMeta, putPayloadVersion, recordFailure, sweepStagedKeys, type PublishTarget, type StoredVersion } from './publish.js';
import { RollupStateCache, compareCursors, defaultStatePrefix, loadState, saveState } from './state-store.js';
import type { BuilderName, Payload, SeriesInfo, SnapshotMeta } from './types.js';
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
  /** A long-lived process's copy of the states it saved (`RollupStateCache`): skips re-reading them. */
  stateCache?: RollupStateCache;
  /** Compressor of payloads and state (default: web streams, `gzip` of codec.ts); the Pi injects zlib's. */
  gzip?: Gzip;
  /**
   * Save a window's state only when the saved one is at least this old (its build instant, ms before
   * this run's), or after a full rebuild. Default 0: every run saves. A run that skips the save loses
   * nothing: the saved state and its cursor stay consistent, so the next run folds the changes since
   * that cursor again (a few minutes of items) instead of reading one more state write's worth. The
   * cloud sets it (`CLOUD_STATE_SAVE_EVERY_MS`) because a state write is a paid S3 PUT every run.
   */
  stateSaveEveryMs?: number;
  /**
   * List the snapshot prefix (to sweep leftovers and delete old payload versions) only in runs that
   * start within the first cadence of each `listEveryMs` period (`isListDue`). Default 0: every run
   * lists. Between listings no version is deleted, so old versions (never named by meta again) wait
   * up to one period; readers are unaffected, as they only follow meta. The cloud sets it
   * (`CLOUD_LIST_EVERY_MS`): a LIST is a paid S3 request every run.
   */
  listEveryMs?: number;
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
  /** The meta this run wrote for the snapshot (the published one, or the stale record of a failure); absent when it wrote none. */
  meta?: SnapshotMeta;
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
  /** Whether the run saved the window's state (false for `--at`, on failure, and when `stateSaveEveryMs` said not yet). */
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
  let meta: SnapshotMeta | undefined;
  try {
    meta = await recordFailure(t, window, g, err, deps.clock.nowMs());
  } catch (metaErr) {
    deps.log.error('could not mark meta stale', { window, granularity: g, error: errorText(metaErr) });
  }
  return { window, granularity: g, ok: false, points: 0, bytes: 0, ms: deps.clock.nowMs() - startMs, error: errorText(err), ...(meta ? { meta } : {}) };
}

/**
 * Render a window's four payloads (in turn: the raw variant may read the source), then publish them
 * in two concurrent rounds: the four payload versions, then the four metas naming them. Each meta is
 * still written only after its own payload is durable, so the protocol per snapshot is unchanged; a
 * run pays two request round trips per window instead of eight. A snapshot whose render or writes
 * fail is recorded as failed on its own (`failSnapshot`).
 */
async function publishWindow(deps: BuildDeps, t: PublishTarget, prepared: PreparedWindow, atMs: number, report: WindowReport, listed: SeriesListing): Promise<SnapshotReport[]> {
  if ('error' in listed) throw listed.error;
  const series = [...listed.series].sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
  const window = prepared.state.window;
  type Attempt = { g: Granularity; startMs: number; payload?: Payload; stored?: StoredVersion; done?: SnapshotReport; error?: unknown };
  const attempts: Attempt[] = [];
  for (const g of GRANULARITIES) {
    const startMs = deps.clock.nowMs();
    try {
      const ctx = { deviceId: deps.deviceId, atMs, generatedAtMs: startMs, series };
      const { payload, samplesRead } = await renderVariant(prepared.state, deps.source, g, ctx);
      report.rawSamplesRead += samplesRead;
      attempts.push({ g, startMs, payload });
    } catch (error) {
      attempts.push({ g, startMs, error });
    }
  }
  await Promise.all(attempts.filter((a) => a.payload).map(async (a) => {
    try {
      a.stored = await putPayloadVersion(t, a.payload!, a.startMs);
    } catch (error) {
      a.error = error;
    }
  }));
  await Promise.all(attempts.filter((a) => a.stored).map(async (a) => {
    try {
      const r = await commitMeta(t, a.stored!);
      a.done = { window, granularity: a.g, ok: true, resolution: a.payload!.resolution, points: r.points, bytes: r.bytes, ms: deps.clock.nowMs() - a.startMs, meta: r.meta };
    } catch (error) {
      a.error = error;
    }
  }));
  const out: SnapshotReport[] = [];
  for (const a of attempts) out.push(a.done ?? (await failSnapshot(t, deps, window, a.g, a.error, a.startMs)));
  return out;
}

/** Oldest cursor over every window's saved state (windows not built in this run included). */
async function oldestNeededCursor(deps: BuildDeps, statePrefix: string, saved: Map<Window, string | undefined>): Promise<string | undefined> {
  let oldest: string | undefined;
  for (const w of WINDOW_NAMES) {
    let cursor: string | undefined;
    if (saved.has(w)) cursor = saved.get(w);
    else if (deps.stateCache?.hasCursor(statePrefix, w, deps.deviceId)) cursor = deps.stateCache.savedCursor(statePrefix, w, deps.deviceId);
    else cursor = await loadState(deps.stateStore ?? deps.store, statePrefix, w, deps.deviceId).then((s) => s?.cursor, () => undefined);
    if (cursor === undefined) continue;
    // A cursor the source cannot order (DynamoDB's: the source keeps everything) releases nothing: stop
    // before reading the other windows' states for it.
    if (compareCursors(cursor, cursor, deps.source.compareCursors?.bind(deps.source)) === undefined) return undefined;
    if (oldest === undefined) oldest = cursor;
    else {
      const c = compareCursors(cursor, oldest, deps.source.compareCursors?.bind(deps.source));
      if (c === undefined) return undefined;
      if (c < 0) oldest = cursor;
    }
  }
  return oldest;
}

/** The device's series as listed once per run (or why the listing failed: each snapshot then fails with it). */
type SeriesListing = { series: readonly SeriesInfo[] } | { error: unknown };

/** One run's working set; each method is one phase of `runBuild`. */
class Run {
  readonly t: PublishTarget & { knownKeys?: readonly string[] };
  readonly statePrefix: string;
  readonly stateStore: ObjectStore;
  readonly explicitAt: boolean;
  readonly atMs: number;
  readonly windows: readonly Window[];
  readonly reports: Map<Window, WindowReport>;
  readonly snapshots: SnapshotReport[] = [];
  readonly prepared = new Map<Window, PreparedWindow>();
  readonly savedCursors = new Map<Window, string | undefined>();
  samplesRead = 0;
  fullReadMs = 0;
  /**
   * The series, listed once before any sample is read (a series is defined before its first sample
   * is stored, so every sample read below belongs to a listed series); those of kind `circular`.
   */
  listed: SeriesListing = { series: [] };
  circularSeriesIds: ReadonlySet<string> = new Set();

  constructor(readonly deps: BuildDeps, readonly options: BuildOptions, readonly startMs: number) {
    this.t = { store: deps.store, prefix: deps.prefix ?? devicePrefix(deps.deviceId), deviceId: deps.deviceId, builder: deps.builder, gzip: deps.gzip };
    this.statePrefix = deps.statePrefix ?? defaultStatePrefix(deps.deviceId);
    this.stateStore = deps.stateStore ?? deps.store;
    this.explicitAt = options.atMs !== undefined;
    this.atMs = options.atMs ?? startMs;
    this.windows = options.windows ?? WINDOW_NAMES;
    this.reports = new Map(this.windows.map((w) => [w, { window: w, samplesRead: 0, rawSamplesRead: 0, ms: 0, stateSaved: false }]));
  }

  async failWindow(window: Window, err: unknown, startMs: number): Promise<void> {
    const report = this.reports.get(window)!;
    report.error = errorText(err);
    this.deps.log.error('window build failed', { window, error: report.error });
    for (const g of GRANULARITIES) {
      if (this.snapshots.some((s) => s.window === window && s.granularity === g)) continue;
      this.snapshots.push(await failSnapshot(this.t, this.deps, window, g, err, startMs));
    }
  }

  /** Phase 1: windows with usable state catch up from their cursors; returns the ones to rebuild. */
  async catchUp(): Promise<FullRequest[]> {
    try {
      const series = await this.deps.source.listSeries(this.deps.deviceId);
      this.listed = { series };
      this.circularSeriesIds = new Set(series.filter((x) => x.kind === 'circular').map((x) => x.seriesId));
    } catch (error) {
      this.listed = { error }; // reported per snapshot when publishing, as a failed read
    }
    if (this.explicitAt) return this.windows.map((window) => ({ window }));
    const full: FullRequest[] = [];
    for (const window of this.windows) {
      const startMs = this.deps.clock.nowMs();
      try {
        const r = await prepareIncremental({
          source: this.deps.source, store: this.stateStore, log: this.deps.log, deviceId: this.deps.deviceId,
          statePrefix: this.statePrefix, window, atMs: this.atMs, full: this.options.full ?? false, cache: this.deps.stateCache,
          circularSeriesIds: this.circularSeriesIds,
        });
        if ('state' in r) this.prepared.set(window, r);
        else full.push({ window, reason: r.reason });
      } catch (err) {
        await this.failWindow(window, err, startMs);
      }
      this.reports.get(window)!.ms += this.deps.clock.nowMs() - startMs;
    }
    this.samplesRead += [...this.prepared.values()].reduce((a, p) => a + p.samplesRead, 0);
    return full;
  }

  /** Phase 2: one range read serves every window that needs a full rebuild. */
  async rebuild(requests: FullRequest[]): Promise<void> {
    if (!requests.length) return;
    const startMs = this.deps.clock.nowMs();
    try {
      const full = await prepareFull(this.deps.source, this.deps.deviceId, requests, this.atMs, this.explicitAt, this.circularSeriesIds);
      full.windows.forEach((p) => this.prepared.set(p.state.window, p));
      this.samplesRead += full.samplesRead;
    } catch (err) {
      for (const r of requests) await this.failWindow(r.window, err, startMs);
    }
    this.fullReadMs = this.deps.clock.nowMs() - startMs;
  }

  /** Phase 3: render, publish and save state, window by window. */
  async publish(): Promise<void> {
    for (const window of this.windows) {
      const p = this.prepared.get(window);
      if (!p) continue;
      const report = this.reports.get(window)!;
      const startMs = this.deps.clock.nowMs();
      Object.assign(report, { mode: p.mode, reason: p.reason, samplesRead: p.samplesRead });
      try {
        this.snapshots.push(...(await publishWindow(this.deps, this.t, p, this.atMs, report, this.listed)));
        if (!this.explicitAt && this.isSaveDue(p)) {
          await saveState(this.stateStore, this.statePrefix, p.state, this.deps.gzip);
          this.deps.stateCache?.saved(this.statePrefix, p.state);
          report.stateSaved = true;
          this.savedCursors.set(window, p.state.cursor);
        }
      } catch (err) {
        await this.failWindow(window, err, startMs);
      }
      report.ms += this.deps.clock.nowMs() - startMs;
      this.samplesRead += report.rawSamplesRead;
    }
  }

  /** Whether `p`'s state is to be saved in this run (`BuildDeps.stateSaveEveryMs`). */
  isSaveDue(p: PreparedWindow): boolean {
    if (p.mode !== 'incremental' || p.savedAtMs === undefined) return true;
    return this.atMs - p.savedAtMs >= (this.deps.stateSaveEveryMs ?? 0);
  }

  /** Phase 4: let the source forget changes every window has folded. @returns the cursor released. */
  async release(): Promise<string | undefined> {
    if (this.explicitAt) return undefined;
    try {
      const cursor = await oldestNeededCursor(this.deps, this.statePrefix, this.savedCursors);
      if (cursor !== undefined) await this.deps.source.release(this.deps.deviceId, cursor);
      return cursor;
    } catch (err) {
      this.deps.log.warn('releasing the sample journal failed', { error: errorText(err) });
      return undefined;
    }
  }
}

/**
 * Whether a run starting at `startMs` (epoch ms) lists its prefix under `BuildDeps.listEveryMs`:
 * always for `listEveryMs` ≤ 0; otherwise when `startMs` falls within the shortest rebuild cadence of
 * `windows` after a multiple of `listEveryMs`, so a schedule group running at its cadence lists about
 * once per period (a late run may skip one; the next period lists). Pure.
 */
export function isListDue(startMs: number, listEveryMs: number, windows: readonly Window[]): boolean {
  if (!(listEveryMs > 0)) return true;
  const cadenceMs = Math.min(...windows.map((w) => WINDOWS[w].rebuildEveryMs));
  return ((startMs % listEveryMs) + listEveryMs) % listEveryMs < cadenceMs;
}

/**
 * Build and publish the snapshots of `options.windows` (default all) for `deps.deviceId`.
 * Never throws for a failed snapshot: failures are in the report (and in stale meta); rejects only
 * when the run cannot start at all.
 * @example
 * const report = await runBuild({ source, store, clock, log, deviceId: 'pi-kitchen', builder: 'pi' }, { windows: ['1h'] });
 */
export async function runBuild(deps: BuildDeps, options: BuildOptions = {}): Promise<BuildReport> {
  const run = new Run(deps, options, deps.clock.nowMs());
  let sweptKeys: string[] = [];
  if (!isListDue(run.startMs, deps.listEveryMs ?? 0, run.windows)) run.t.knownKeys = []; // no listing: nothing to delete in this run
  else {
    try {
      const listed = await deps.store.list(run.t.prefix);
      sweptKeys = await sweepStagedKeys(deps.store, run.t.prefix, run.startMs, listed);
      run.t.knownKeys = listed.filter((k) => !sweptKeys.includes(k));
    } catch (err) {
      deps.log.warn('sweeping staged keys failed', { prefix: run.t.prefix, error: errorText(err) });
    }
  }
  await run.rebuild(await run.catchUp());
  await run.publish();
  const releasedCursor = await run.release();
  const failed = run.snapshots.filter((s) => !s.ok).length;
  return {
    deviceId: deps.deviceId, at: isoOf(run.atMs), atMs: run.atMs, explicitAt: run.explicitAt, ok: failed === 0, failed,
    windows: [...run.reports.values()], snapshots: run.snapshots, samplesRead: run.samplesRead, fullReadMs: run.fullReadMs,
    sweptKeys, releasedCursor, durationMs: deps.clock.nowMs() - run.startMs,
  };
}

/**
 * The type of `runBuild`, for callers that take the build as a parameter (the cloud run, the Pi's
 * fallback push, the API's fresh builders); production wires `runBuild` itself, tests a fake of this type.
 */
export type RunBuild = typeof runBuild;

/**
 * Whether `report` rebuilt any window from a range read (`mode` `full` or `at`: first run, `--full`,
 * `--at`, unusable state, expired cursor) instead of catching up incrementally.
 */
export function wasRebuiltInFull(report: Pick<BuildReport, 'windows'>): boolean {
  return report.windows.some((w) => w.mode === 'full' || w.mode === 'at');
}
