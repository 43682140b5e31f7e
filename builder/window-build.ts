/**
 * Bring one window's rollup state up to a build instant and render its four payloads:
 * incrementally from the saved state and `readSince`, or in full from `readRange`.
 */
import { FINEST_GRANULARITY, type Granularity, type Window } from './constants.js';
import { rawRange, variantBounds, windowFromMs } from './bucket-geometry.js';
import { BuildError, StateError } from './errors.js';
import type { Logger, ObjectStore, SampleSource } from './ports.js';
import { renderBucketed, renderRaw, type RenderContext } from './render.js';
import { RollupState } from './rollup-state.js';
import { loadState, type RollupStateCache } from './state-store.js';
import type { WindowObject } from './window-object.js';
import type { Payload, Sample } from './types.js';

/** Samples asked for per `readSince` page. */
export const READ_PAGE_SAMPLES = 10_000;

/** How a window's state was obtained: from saved state + new samples, from a full range read, or for an explicit `--at` (nothing saved). */
export type WindowMode = 'incremental' | 'full' | 'at';

/** A window's rollup state brought up to the build instant, and how. */
export interface PreparedWindow {
  state: RollupState;
  mode: WindowMode;
  /** Why a full rebuild happened (`no state`, `--full`, `cursor expired`, …). */
  reason?: string;
  samplesRead: number;
  /** For `incremental`: the build instant (`atMs`) of the saved state it started from, epoch ms. */
  savedAtMs?: number;
  /** The window object as read for its state (null: there was none); undefined when not read (cached state, `--full`, `--at`). */
  previous?: WindowObject | null;
}

/** What `prepareIncremental` needs for one window. `full`: skip the saved state (`--full`). */
export interface WindowInput {
  source: SampleSource;
  store: ObjectStore;
  log: Logger;
  deviceId: string;
  /** Prefix of the window objects (the state is their `state` section). */
  prefix: string;
  window: Window;
  atMs: number;
  full: boolean;
  /** Saved states kept in memory by a long-lived process (taken from, never read through). */
  cache?: RollupStateCache;
  /** Series of kind `circular` (their buckets sum sines and cosines). */
  circularSeriesIds?: ReadonlySet<string>;
}

/** Fold every change after the saved cursor; `undefined` when the source says the cursor expired. */
async function foldSince(state: RollupState, input: WindowInput): Promise<number | undefined> {
  let cursor = state.cursor;
  let n = 0;
  for (;;) {
    const batch = await input.source.readSince(input.deviceId, cursor, READ_PAGE_SAMPLES);
    if (batch.cursorExpired) return undefined;
    state.fold(batch.samples, input.atMs);
    n += batch.samples.length;
    cursor = batch.cursor;
    if (!batch.hasMore) break;
  }
  state.cursor = cursor;
  return n;
}

async function loadUsableState(input: WindowInput): Promise<{ state?: RollupState; reason: string; previous?: WindowObject | null }> {
  if (input.full) return { reason: '--full' };
  try {
    const cached = input.cache?.take(input.prefix, input.window, input.deviceId);
    const loaded = cached ? { state: cached, object: undefined } : await loadState(input.store, input.prefix, input.window, input.deviceId);
    const previous = cached ? undefined : (loaded.object ?? null);
    const state = loaded.state;
    if (!state || state.cursor === undefined || state.atMs === undefined) return { reason: previous === null ? 'no window object' : 'no saved state', previous };
    if (state.atMs > input.atMs) return { reason: `saved state is as of ${state.atMs}, after ${input.atMs}`, previous };
    return { state, reason: '', previous };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    input.log.warn('rollup state unusable, rebuilding in full', { window: input.window, error: err.message });
    return { reason: err.message };
  }
}

const wrapReadError = (err: unknown, windows: readonly Window[], deviceId: string): BuildError =>
  err instanceof BuildError
    ? err
    : new BuildError(`window ${windows.join(',')}: reading samples failed: ${(err as Error).message}`, { windows, deviceId }, { cause: err });

/**
 * Bring the window's saved state up to `input.atMs` with the changes since its cursor.
 * @returns the prepared window, or why it needs a full rebuild instead (no state, `--full`,
 *   cursor expired, unusable state) with the window object when it was read.
 * @throws {BuildError} when the store or source fails.
 */
export async function prepareIncremental(input: WindowInput): Promise<PreparedWindow | { reason: string; previous?: WindowObject | null }> {
  try {
    const loaded = await loadUsableState(input);
    if (!loaded.state) return { reason: loaded.reason, previous: loaded.previous };
    if (input.circularSeriesIds) loaded.state.circularSeriesIds = input.circularSeriesIds;
    const savedAtMs = loaded.state.atMs;
    const samplesRead = await foldSince(loaded.state, input);
    if (samplesRead === undefined) return { reason: 'cursor expired', previous: loaded.previous };
    loaded.state.advance(input.atMs, windowFromMs(input.window, input.atMs));
    return { state: loaded.state, mode: 'incremental', samplesRead, savedAtMs, previous: loaded.previous };
  } catch (err) {
    throw wrapReadError(err, [input.window], input.deviceId);
  }
}

/** A window to rebuild from raw rows, and why. */
export interface FullRequest {
  window: Window;
  reason?: string;
  /** The window object, when it was read while looking for its state (null: there was none). */
  previous?: WindowObject | null;
}

/**
 * Rebuild the states of several windows from ONE range read covering the oldest bucket any of them
 * needs (each state takes only samples from its own first bucket on). For `explicitAt` builds the
 * read ends at `atMs`; otherwise it runs to the end of time, so samples stamped after `atMs` (clock
 * skew) wait in `pending` instead of being skipped by the cursor.
 * @returns one prepared window per request, in order; `samplesRead` is what each state took.
 * @throws {BuildError} when the source fails.
 */
export async function prepareFull(
  source: SampleSource, deviceId: string, requests: readonly FullRequest[], atMs: number, explicitAt: boolean,
  circularSeriesIds: ReadonlySet<string> = new Set(),
): Promise<{ windows: PreparedWindow[]; samplesRead: number }> {
  const states = requests.map((r) => ({ state: new RollupState(r.window, deviceId), fromMs: windowFromMs(r.window, atMs), n: 0 }));
  for (const s of states) s.state.circularSeriesIds = circularSeriesIds;
  try {
    const fromMs = Math.min(...states.map((s) => s.fromMs));
    const { cursor, chunks } = await source.readRange(deviceId, fromMs, explicitAt ? atMs : Number.MAX_SAFE_INTEGER);
    let samplesRead = 0;
    for await (const chunk of chunks) {
      samplesRead += chunk.length;
      for (const s of states) s.n += s.state.fold(chunk, atMs, s.fromMs);
    }
    const windows = states.map((s, i): PreparedWindow => {
      s.state.cursor = cursor;
      s.state.advance(atMs, s.fromMs);
      return { state: s.state, mode: explicitAt ? 'at' : 'full', reason: requests[i].reason, samplesRead: s.n, previous: requests[i].previous };
    });
    return { windows, samplesRead };
  } catch (err) {
    throw wrapReadError(err, requests.map((r) => r.window), deviceId);
  }
}

/**
 * Render one variant. The 500 variant is raw when every series holds at most 500 samples in
 * `(atMs - spanMs, atMs]` (decided from the fine-bucket counts, then confirmed by a range read).
 * @returns the payload and how many samples the raw check read.
 */
export async function renderVariant(
  state: RollupState, source: SampleSource, granularity: Granularity, ctx: RenderContext,
): Promise<{ payload: Payload; samplesRead: number }> {
  const window = state.window;
  if (granularity !== FINEST_GRANULARITY) return { payload: renderBucketed(state, window, granularity, ctx), samplesRead: 0 };
  const b = variantBounds(window, granularity, ctx.atMs);
  const fewEnough = ctx.series.every((s) => state.aggregate(s.seriesId, b.fromMs, b.lastEndMs).count <= FINEST_GRANULARITY);
  if (!fewEnough) return { payload: renderBucketed(state, window, granularity, ctx), samplesRead: 0 };
  const r = rawRange(window, ctx.atMs);
  const bySeries = new Map<string, Sample[]>();
  let samplesRead = 0;
  const { chunks } = await source.readRange(ctx.deviceId, r.fromMs, r.toMs);
  for await (const chunk of chunks) {
    samplesRead += chunk.length;
    for (const s of chunk) {
      let list = bySeries.get(s.seriesId);
      if (!list) bySeries.set(s.seriesId, (list = []));
      list.push(s);
    }
  }
  const isRaw = ctx.series.every((s) => (bySeries.get(s.seriesId)?.length ?? 0) <= FINEST_GRANULARITY);
  return { payload: isRaw ? renderRaw(window, bySeries, ctx) : renderBucketed(state, window, granularity, ctx), samplesRead };
}
