/**
 * The incremental aggregation state of one (device, window): per series, fine buckets (width
 * `fineBucketMs(window)`) of count/min/max and an exact sum, plus samples newer than the build
 * instant (`pending`, folded once the build instant passes them) and the `SampleSource` cursor the
 * state is consistent with. Coarser granularities are merged exactly from the fine buckets.
 * In storage an empty bucket is absent. Serialized as JSON (gzip) in the `state` section of the window's
 * object (`builder/window-object.ts`).
 */
import { isWindow, type Window } from './constants.js';
import { fineBucketMs } from './bucket-geometry.js';
import { addExact, mergeExact, roundExact } from './exact-sum.js';
import { unitVector } from './circular-mean.js';
import { StateError } from './errors.js';
import type { Sample } from './types.js';

/**
 * One fine bucket; `sumPartials` is the exact sum (see `exact-sum.ts`). A circular series' bucket
 * also holds the exact sums of the sines and cosines of its angles (degrees).
 */
export interface FineBucket {
  startMs: number;
  count: number;
  sumPartials: number[];
  min: number;
  max: number;
  sinPartials?: number[];
  cosPartials?: number[];
}

/** Aggregate of a merged range of fine buckets; `count` 0 means empty. `sinSum`/`cosSum` for circular series. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  sinSum?: number;
  cosSum?: number;
}

/** Version of the serialized state; another version is discarded (full rebuild). 2: circular sums. */
export const STATE_VERSION = 2;

interface SerializedState {
  stateVersion: number;
  window: Window;
  deviceId: string;
  cursor: string | null;
  atMs: number | null;
  /** seriesId → rows `[startMs, count, min, max, ...sumPartials]`. */
  series: Record<string, number[][]>;
  /** Circular series: seriesId → rows `[startMs, sinPartials.length, ...sinPartials, ...cosPartials]`. */
  circular: Record<string, number[][]>;
  pending: Array<[string, number, number]>;
  /** seriesId → `[tsMs, value]` of the newest sample folded (absent in states saved before it existed). */
  latest?: Record<string, [number, number]>;
}

/** The rollup state of one (device, window); see the module comment. Not safe for concurrent use. */
export class RollupState {
  readonly bucketMs: number;
  private readonly buckets = new Map<string, Map<number, FineBucket>>();
  private pending: Sample[] = [];
  private readonly newest = new Map<string, { tsMs: number; value: number }>();
  /** Cursor of the source after the last fold (undefined: never read). */
  cursor: string | undefined;
  /** Build instant the fine buckets are complete up to (inclusive); undefined before the first build. */
  atMs: number | undefined;
  /**
   * Series folded as circular (kind `circular`): their buckets also sum sines and cosines. Set by the
   * caller from the series list before folding; a series' kind never changes (the buffer refuses).
   */
  circularSeriesIds: ReadonlySet<string> = new Set();

  constructor(readonly window: Window, readonly deviceId: string) {
    this.bucketMs = fineBucketMs(window);
  }

  /** Samples held back because their `tsMs` is after the last build instant. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Fold samples in: those with `tsMs <= atMs` go to their fine bucket (count+1, exact sum, min/max),
   * later ones wait in `pending`; those before `minTsMs` are skipped. Order of calls does not change
   * the result. @returns how many samples were taken.
   */
  fold(samples: readonly Sample[], atMs: number, minTsMs = -Infinity): number {
    let n = 0;
    for (const s of samples) {
      if (s.tsMs < minTsMs) continue;
      n++;
      if (s.tsMs > atMs) this.pending.push(s);
      else this.add(s);
    }
    return n;
  }

  private add(s: Sample): void {
    const newest = this.newest.get(s.seriesId);
    if (!newest || s.tsMs >= newest.tsMs) this.newest.set(s.seriesId, { tsMs: s.tsMs, value: s.value });
    let series = this.buckets.get(s.seriesId);
    if (!series) this.buckets.set(s.seriesId, (series = new Map()));
    const startMs = Math.floor(s.tsMs / this.bucketMs) * this.bucketMs;
    let b = series.get(startMs);
    if (!b) {
      b = { startMs, count: 1, sumPartials: [s.value], min: s.value, max: s.value };
      series.set(startMs, b);
    } else {
      b.count++;
      addExact(b.sumPartials, s.value);
      if (s.value < b.min) b.min = s.value;
      if (s.value > b.max) b.max = s.value;
    }
    if (this.circularSeriesIds.has(s.seriesId)) {
      const v = unitVector(s.value);
      addExact((b.sinPartials ??= []), v.sin);
      addExact((b.cosPartials ??= []), v.cos);
    }
  }

  /**
   * Advance to build instant `atMs`: fold pending samples that are now due, then drop fine buckets
   * starting before `fromMs` (no variant needs them any more).
   */
  advance(atMs: number, fromMs: number): void {
    const due = this.pending.filter((s) => s.tsMs <= atMs);
    this.pending = this.pending.filter((s) => s.tsMs > atMs);
    for (const s of due) this.add(s);
    for (const series of this.buckets.values()) {
      for (const startMs of series.keys()) if (startMs < fromMs) series.delete(startMs);
    }
    this.atMs = atMs;
  }

  /** Fine buckets of one series with `startMs` in `[fromMs, toMs)`, merged exactly. */
  aggregate(seriesId: string, fromMs: number, toMs: number): Aggregate {
    const series = this.buckets.get(seriesId);
    const partials: number[] = [];
    const isCircular = this.circularSeriesIds.has(seriesId);
    const sin: number[] = [];
    const cos: number[] = [];
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    if (series) {
      for (let t = fromMs; t < toMs; t += this.bucketMs) {
        const b = series.get(t);
        if (!b) continue;
        count += b.count;
        mergeExact(partials, b.sumPartials);
        if (b.min < min) min = b.min;
        if (b.max > max) max = b.max;
        if (isCircular && b.sinPartials && b.cosPartials) {
          mergeExact(sin, b.sinPartials);
          mergeExact(cos, b.cosPartials);
        }
      }
    }
    const a: Aggregate = { count, sum: roundExact(partials), min, max };
    if (isCircular) [a.sinSum, a.cosSum] = [roundExact(sin), roundExact(cos)];
    return a;
  }

  /** The newest sample folded for `seriesId` (due ones only, never `pending`), or `undefined`. */
  latest(seriesId: string): { tsMs: number; value: number } | undefined {
    return this.newest.get(seriesId);
  }

  /** Series ids that hold at least one fine bucket. */
  seriesIds(): string[] {
    return [...this.buckets.entries()].filter(([, m]) => m.size > 0).map(([id]) => id);
  }

  /** Number of fine buckets held (all series). */
  bucketCount(): number {
    let n = 0;
    for (const m of this.buckets.values()) n += m.size;
    return n;
  }

  /** Plain JSON form (buckets sorted by time; doubles round-trip exactly through JSON). */
  toJSON(): SerializedState {
    const series: Record<string, number[][]> = {};
    const circular: Record<string, number[][]> = {};
    for (const [id, m] of this.buckets) {
      if (m.size === 0) continue;
      const sorted = [...m.values()].sort((a, b) => a.startMs - b.startMs);
      series[id] = sorted.map((b) => [b.startMs, b.count, b.min, b.max, ...b.sumPartials]);
      const withVectors = sorted.filter((b) => b.sinPartials && b.cosPartials);
      if (withVectors.length) circular[id] = withVectors.map((b) => [b.startMs, b.sinPartials!.length, ...b.sinPartials!, ...b.cosPartials!]);
    }
    return {
      stateVersion: STATE_VERSION,
      window: this.window,
      deviceId: this.deviceId,
      cursor: this.cursor ?? null,
      atMs: this.atMs ?? null,
      series,
      circular,
      pending: this.pending.map((s) => [s.seriesId, s.tsMs, s.value]),
      latest: Object.fromEntries([...this.newest].map(([id, n]) => [id, [n.tsMs, n.value]])),
    };
  }

  /**
   * Rebuild from `toJSON()` output.
   * @throws {StateError} when the value is not a state of this version, window and device.
   */
  static fromJSON(value: unknown, window: Window, deviceId: string, key: string): RollupState {
    const v = value as Partial<SerializedState> | null;
    if (!v || typeof v !== 'object') throw new StateError(key, 'not a JSON object');
    if (v.stateVersion !== STATE_VERSION) throw new StateError(key, `stateVersion ${String(v.stateVersion)}, expected ${STATE_VERSION}`);
    if (!isWindow(v.window) || v.window !== window) throw new StateError(key, `window ${String(v.window)}, expected ${window}`);
    if (v.deviceId !== deviceId) throw new StateError(key, `device ${String(v.deviceId)}, expected ${deviceId}`);
    if (typeof v.series !== 'object' || v.series === null || !Array.isArray(v.pending)) throw new StateError(key, 'series or pending missing');
    const state = new RollupState(window, deviceId);
    state.cursor = typeof v.cursor === 'string' ? v.cursor : undefined;
    state.atMs = typeof v.atMs === 'number' ? v.atMs : undefined;
    for (const [id, rows] of Object.entries(v.series)) {
      const m = new Map<number, FineBucket>();
      for (const row of rows) {
        if (!Array.isArray(row) || row.length < 5 || !row.every(Number.isFinite)) throw new StateError(key, `bad bucket row in series ${id}`);
        const [startMs, count, min, max, ...sumPartials] = row;
        m.set(startMs, { startMs, count, min, max, sumPartials });
      }
      state.buckets.set(id, m);
    }
    for (const [id, rows] of Object.entries(v.circular ?? {})) {
      const m = state.buckets.get(id);
      for (const row of rows) {
        const b = m?.get(row[0]);
        const n = row[1];
        if (!b || !Array.isArray(row) || !row.every(Number.isFinite) || !(n >= 1) || row.length <= 2 + n) throw new StateError(key, `bad circular row in series ${id}`);
        b.sinPartials = row.slice(2, 2 + n);
        b.cosPartials = row.slice(2 + n);
      }
    }
    state.pending = v.pending.map(([seriesId, tsMs, value]) => ({ seriesId, tsMs, value }));
    for (const [id, pair] of Object.entries(v.latest ?? {})) {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(Number.isFinite)) throw new StateError(key, `bad latest sample of series ${id}`);
      state.newest.set(id, { tsMs: pair[0], value: pair[1] });
    }
    return state;
  }
}
