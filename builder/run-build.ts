/**
 * One builder run for one device: per window bring the rollup state up to the build instant
 * (incremental or full), render its four snapshots and publish them with the state in ONE put of the
 * window object (`builder/publish.ts`), then release the source's journal up to the oldest cursor any
 * window still needs. A run in which a window had no object yet or was rebuilt in full deletes the
 * keys of the earlier per-snapshot layout (`LEGACY_SNAPSHOT_KEY_PATTERN`).
 * Pure core over ports: the same code runs on the Pi (SQLite + directory) and in Lambda (DynamoDB + S3).
 */
import { GRANULARITIES, LEGACY_SNAPSHOT_KEY_PATTERN, WINDOW_NAMES, devicePrefix, type Granularity, type Window } from './constants.js';
import { isoOf, type Gzip } from './codec.js';
import type { Clock, Logger, ObjectStore, SampleSource } from './ports.js';
import { commitWindow, preparePayload, recordWindowFailure, type FailedGranularity, type PreparedPayload, type PublishTarget } from './publish.js';
import { RollupStateCache, compareCursors, encodeState, loadState } from './state-store.js';
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
  /** A long-lived process's copy of the states it saved (`RollupStateCache`): skips re-reading them. */
  stateCache?: RollupStateCache;
  /** Compressor of payloads and state (default: web streams, `gzip` of codec.ts); the Pi injects zlib's. */
  gzip?: Gzip;
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
  /** Whether the run saved the window's state (false for `--at` and on failure). */
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
  /** Keys of the earlier per-snapshot layout deleted by this run (only a run in which a window had no object yet or was rebuilt in full looks). */
  sweptKeys: string[];
  /** Cursor released to the source, when one was. */
  releasedCursor?: string;
  durationMs: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

const failedReport = (window: Window, g: Granularity, error: unknown, ms: number, meta?: SnapshotMeta): SnapshotReport =>
  ({ window, granularity: g, ok: false, points: 0, bytes: 0, ms, error: errorText(error), ...(meta ? { meta } : {}) });

/**
 * Render a window's four payloads (in turn: the raw variant may read the source), then publish them
 * with the state in ONE put of the window object. A granularity whose render fails keeps its last
 * good payload, its meta marked stale, in the same put. When the put itself fails, every granularity
 * is failed and recorded so with a put of its own (best effort: the store is likely down).
 */
async function publishWindow(deps: BuildDeps, t: PublishTarget, prepared: PreparedWindow, atMs: number, report: WindowReport, listed: SeriesListing, saveState: boolean): Promise<SnapshotReport[]> {
  const window = prepared.state.window;
  const built: PreparedPayload[] = [];
  const failed: FailedGranularity[] = [];
  const startedMs = new Map<Granularity, number>();
  for (const g of GRANULARITIES) {
    const startMs = deps.clock.nowMs();
    startedMs.set(g, startMs);
    try {
      if ('error' in listed) throw listed.error;
      const series = [...listed.series].sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
      const ctx = { deviceId: deps.deviceId, atMs, generatedAtMs: startMs, series };
      const { payload, samplesRead } = await renderVariant(prepared.state, deps.source, g, ctx);
      report.rawSamplesRead += samplesRead;
      built.push(await preparePayload(t, payload, startMs));
    } catch (error) {
      deps.log.error('snapshot build failed', { window, granularity: g, error: errorText(error) });
      failed.push({ granularity: g, error, nowMs: startMs });
    }
  }
  const state = saveState ? await encodeState(prepared.state, deps.gzip) : undefined;
  try {
    const r = await commitWindow(t, { window, built, failed, state, previous: prepared.previous });
    report.stateSaved = saveState;
    const doneMs = deps.clock.nowMs();
    return GRANULARITIES.map((g): SnapshotReport => {
      const meta = r.metas.get(g);
      const ms = doneMs - startedMs.get(g)!;
      const b = built.find((p) => p.payload.granularity === g);
      if (b) return { window, granularity: g, ok: true, resolution: b.payload.resolution, points: meta?.pointCount ?? 0, bytes: b.body.byteLength, ms, meta };
      return failedReport(window, g, failed.find((f) => f.granularity === g)?.error, ms, meta);
    });
  } catch (error) {
    deps.log.error('window publish failed', { window, error: errorText(error) });
    const metas = await recordWindowFailure(t, window, GRANULARITIES, error, deps.clock.nowMs()).catch((metaErr) => {
      deps.log.error('could not mark the window stale', { window, error: errorText(metaErr) });
      return undefined;
    });
    const doneMs = deps.clock.nowMs();
    return GRANULARITIES.map((g) => failedReport(window, g, error, doneMs - startedMs.get(g)!, metas?.get(g)));
  }
}

/** Oldest cursor over every window's saved state (windows not built in this run included). */
async function oldestNeededCursor(deps: BuildDeps, prefix: string, saved: Map<Window, string | undefined>): Promise<string | undefined> {
  let oldest: string | undefined;
  for (const w of WINDOW_NAMES) {
    let cursor: string | undefined;
    if (saved.has(w)) cursor = saved.get(w);
    else if (deps.stateCache?.hasCursor(prefix, w, deps.deviceId)) cursor = deps.stateCache.savedCursor(prefix, w, deps.deviceId);
    else cursor = await loadState(deps.store, prefix, w, deps.deviceId).then((s) => s.state?.cursor, () => undefined);
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
  readonly t: PublishTarget;
  readonly explicitAt: boolean;
  readonly atMs: number;
  readonly windows: readonly Window[];
  readonly reports: Map<Window, WindowReport>;
  readonly snapshots: SnapshotReport[] = [];
  readonly prepared = new Map<Window, PreparedWindow>();
  readonly savedCursors = new Map<Window, string | undefined>();
  /** Whether some window had no window object yet (its first build in this layout): the run then sweeps the earlier layout's keys. */
  hadMissingObject = false;
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
    this.explicitAt = options.atMs !== undefined;
    this.atMs = options.atMs ?? startMs;
    this.windows = options.windows ?? WINDOW_NAMES;
    this.reports = new Map(this.windows.map((w) => [w, { window: w, samplesRead: 0, rawSamplesRead: 0, ms: 0, stateSaved: false }]));
  }

  async failWindow(window: Window, err: unknown, startMs: number): Promise<void> {
    const report = this.reports.get(window)!;
    report.error = errorText(err);
    this.deps.log.error('window build failed', { window, error: report.error });
    const left = GRANULARITIES.filter((g) => !this.snapshots.some((s) => s.window === window && s.granularity === g));
    const metas = await recordWindowFailure(this.t, window, left, err, this.deps.clock.nowMs()).catch((metaErr) => {
      this.deps.log.error('could not mark the window stale', { window, error: errorText(metaErr) });
      return undefined;
    });
    for (const g of left) this.snapshots.push(failedReport(window, g, err, this.deps.clock.nowMs() - startMs, metas?.get(g)));
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
          source: this.deps.source, store: this.deps.store, log: this.deps.log, deviceId: this.deps.deviceId,
          prefix: this.t.prefix, window, atMs: this.atMs, full: this.options.full ?? false, cache: this.deps.stateCache,
          circularSeriesIds: this.circularSeriesIds,
        });
        if (r.previous === null) this.hadMissingObject = true;
        if ('state' in r) this.prepared.set(window, r);
        else full.push({ window, reason: r.reason, previous: r.previous });
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

  /** Phase 3: render and publish each window with its state (one put each). */
  async publish(): Promise<void> {
    for (const window of this.windows) {
      const p = this.prepared.get(window);
      if (!p) continue;
      const report = this.reports.get(window)!;
      const startMs = this.deps.clock.nowMs();
      Object.assign(report, { mode: p.mode, reason: p.reason, samplesRead: p.samplesRead });
      try {
        this.snapshots.push(...(await publishWindow(this.deps, this.t, p, this.atMs, report, this.listed, !this.explicitAt)));
        if (report.stateSaved) {
          this.deps.stateCache?.saved(this.t.prefix, p.state);
          this.savedCursors.set(window, p.state.cursor);
        }
      } catch (err) {
        await this.failWindow(window, err, startMs);
      }
      report.ms += this.deps.clock.nowMs() - startMs;
      this.samplesRead += report.rawSamplesRead;
    }
  }

  /**
   * Delete the earlier per-snapshot layout's keys under the prefix (`LEGACY_SNAPSHOT_KEY_PATTERN`):
   * only in a run where some window had no window object yet or was rebuilt from a range read (the
   * first run after an upgrade, `--full`, `--at`: rare, and already reading far more than a LIST).
   * Best effort. @returns the keys deleted.
   */
  async sweepLegacy(): Promise<string[]> {
    const isRebuild = [...this.prepared.values()].some((p) => p.mode !== 'incremental');
    if (!this.hadMissingObject && !isRebuild) return [];
    const swept: string[] = [];
    try {
      for (const key of await this.deps.store.list(this.t.prefix)) {
        if (!LEGACY_SNAPSHOT_KEY_PATTERN.test(key.slice(this.t.prefix.length))) continue;
        await this.deps.store.delete(key);
        swept.push(key);
      }
    } catch (err) {
      this.deps.log.warn('deleting the earlier layout\'s keys failed', { prefix: this.t.prefix, error: errorText(err) });
    }
    return swept;
  }

  /** Phase 4: let the source forget changes every window has folded. @returns the cursor released. */
  async release(): Promise<string | undefined> {
    if (this.explicitAt) return undefined;
    try {
      const cursor = await oldestNeededCursor(this.deps, this.t.prefix, this.savedCursors);
      if (cursor !== undefined) await this.deps.source.release(this.deps.deviceId, cursor);
      return cursor;
    } catch (err) {
      this.deps.log.warn('releasing the sample journal failed', { error: errorText(err) });
      return undefined;
    }
  }
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
  await run.rebuild(await run.catchUp());
  await run.publish();
  const sweptKeys = await run.sweepLegacy();
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
