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
import { loadState } from './state-store.js';
import type { Payload, Sample } from './types.js';

/** Samples asked for per `readSince` page. */
export const READ_PAGE_SAMPLES = 10_000;

/** How a window's state was obtained: from saved state + new samples, from a full range read, or for an explicit `--at` (nothing saved). */
export type WindowMode = 'incremental' | 'full' | 'at';

export interface PreparedWindow {
  state: RollupState;
  mode: WindowMode;
  /** Why a full rebuild happened (`no state`, `--full`, `cursor expired`, …). */
  reason?: string;
  samplesRead: number;
}

export interface WindowInput {
  source: SampleSource;
  store: ObjectStore;
  log: Logger;
  deviceId: string;
  statePrefix: string;
  window: Window;
  atMs: number;
  /** True for `--at` builds: read the range up to `atMs` only, never touch saved state. */
  explicitAt: boolean;
  full: boolean;
}

async function foldRange(state: RollupState, source: SampleSource, deviceId: string, fromMs: number, toMs: number, atMs: number): Promise<number> {
  const { cursor, chunks } = await source.readRange(deviceId, fromMs, toMs);
  let n = 0;
  for await (const chunk of chunks) {
    state.fold(chunk, atMs);
    n += chunk.length;
  }
  state.cursor = cursor;
  return n;
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

async function loadUsableState(input: WindowInput): Promise<{ state?: RollupState; reason: string }> {
  if (input.full) return { reason: '--full' };
  try {
    const state = await loadState(input.store, input.statePrefix, input.window, input.deviceId);
    if (!state || state.cursor === undefined || state.atMs === undefined) return { reason: 'no saved state' };
    if (state.atMs > input.atMs) return { reason: `saved state is as of ${state.atMs}, after ${input.atMs}` };
    return { state, reason: '' };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    input.log.warn('rollup state unusable, rebuilding in full', { window: input.window, error: err.message });
    return { reason: err.message };
  }
}

/**
 * The window's state as of `input.atMs`, trimmed to what its variants need.
 * @throws whatever the source or store throws (wrapped in `BuildError` with the window as context).
 */
export async function prepareWindow(input: WindowInput): Promise<PreparedWindow> {
  const { window, atMs, deviceId, source } = input;
  const fromMs = windowFromMs(window, atMs);
  try {
    if (input.explicitAt) {
      const state = new RollupState(window, deviceId);
      const samplesRead = await foldRange(state, source, deviceId, fromMs, atMs, atMs);
      state.advance(atMs, fromMs);
      return { state, mode: 'at', samplesRead };
    }
    const loaded = await loadUsableState(input);
    let reason = loaded.reason;
    if (loaded.state) {
      const samplesRead = await foldSince(loaded.state, input);
      if (samplesRead !== undefined) {
        loaded.state.advance(atMs, fromMs);
        return { state: loaded.state, mode: 'incremental', samplesRead };
      }
      reason = 'cursor expired';
    }
    // Full: read to the end of time so samples stamped after atMs (clock skew) wait in `pending`
    // instead of being skipped by the cursor.
    const state = new RollupState(window, deviceId);
    const samplesRead = await foldRange(state, source, deviceId, fromMs, Number.MAX_SAFE_INTEGER, atMs);
    state.advance(atMs, fromMs);
    return { state, mode: 'full', reason, samplesRead };
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw new BuildError(`window ${window}: reading samples failed: ${(err as Error).message}`, { window, deviceId }, { cause: err });
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
