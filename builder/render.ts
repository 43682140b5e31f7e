/**
 * Render snapshot payloads (pure): bucketed variants from the rollup state, and the raw 500 variant
 * from raw samples. Empty buckets are explicit (`count: 0`, null values).
 */
import { MIN_SAMPLES_PER_BUCKET, RAW_GAP_FACTOR, type Granularity, type Window } from './constants.js';
import { rawRange, variantBounds } from './bucket-geometry.js';
import { isoOf } from './codec.js';
import type { Aggregate, RollupState } from './rollup-state.js';
import { circularMeanDeg } from './circular-mean.js';
import type { BucketPoint, LatestSample, Payload, PayloadSeries, RawPoint, Sample, SeriesInfo } from './types.js';

/** What every payload of one build shares. Times are epoch ms. */
export interface RenderContext {
  deviceId: string;
  atMs: number;
  generatedAtMs: number;
  /** Series in payload order (sorted by id). */
  series: readonly SeriesInfo[];
}

function seriesHeader(s: SeriesInfo): Omit<PayloadSeries, 'points'> {
  return { id: s.seriesId, metric: s.metric, unit: s.unit, kind: s.kind };
}

/** `latest` when it lies in `[fromMs, toMs]`, else null (the payload speaks only of its window). */
function latestIn(latest: LatestSample | undefined, fromMs: number, toMs: number): LatestSample | null {
  return latest && latest.tsMs >= fromMs && latest.tsMs <= toMs ? { tsMs: latest.tsMs, value: latest.value } : null;
}

/** Median of the steps between consecutive times (ascending), or `undefined` with fewer than 2 times. */
function medianStepMs(tsMs: readonly number[]): number | undefined {
  if (tsMs.length < 2) return undefined;
  const steps = tsMs.slice(1).map((t, i) => t - tsMs[i]).sort((a, b) => a - b);
  const mid = steps.length >> 1;
  return steps.length % 2 ? steps[mid] : (steps[mid - 1] + steps[mid]) / 2;
}

/**
 * Raw samples (ascending, unique times) with a gap marker `{ tsMs: midpoint, value: null }` in every
 * step longer than `RAW_GAP_FACTOR` × the median step, so a chart breaks the line across an outage.
 */
export function withGapMarkers(samples: readonly RawPoint[]): RawPoint[] {
  const medianMs = medianStepMs(samples.map((p) => p.tsMs));
  if (medianMs === undefined) return [...samples];
  const out: RawPoint[] = [];
  samples.forEach((p, i) => {
    const prev = samples[i - 1];
    if (prev && p.tsMs - prev.tsMs > RAW_GAP_FACTOR * medianMs) out.push({ tsMs: Math.floor((prev.tsMs + p.tsMs) / 2), value: null });
    out.push(p);
  });
  return out;
}

/**
 * A bucket's average: `sum / count`, or for a circular series the circular mean of its angles (null
 * when they cancel out). A circular bucket's `sum` is the arithmetic sum of its bearings, kept so
 * buckets merge exactly; readers take `avg`.
 */
function avgOf(a: Aggregate): number | null {
  if (a.sinSum !== undefined && a.cosSum !== undefined) return circularMeanDeg(a.sinSum, a.cosSum, a.count);
  return a.sum / a.count;
}

/** The bucketed payload of (`window`, `granularity`) from `state` (whose fine buckets are complete up to `ctx.atMs`). */
export function renderBucketed(state: RollupState, window: Window, granularity: Granularity, ctx: RenderContext): Payload {
  const b = variantBounds(window, granularity, ctx.atMs);
  const series = ctx.series.map((s) => {
    const points: BucketPoint[] = [];
    for (let i = 0; i < granularity; i++) {
      const startMs = b.fromMs + i * b.bucketMs;
      const a = state.aggregate(s.seriesId, startMs, startMs + b.bucketMs);
      points.push(
        a.count < MIN_SAMPLES_PER_BUCKET
          ? { startMs, count: a.count, avg: null, min: null, max: null, sum: null }
          : { startMs, count: a.count, avg: avgOf(a), min: a.min, max: a.max, sum: a.sum },
      );
    }
    return { ...seriesHeader(s), points, latest: latestIn(state.latest(s.seriesId), b.fromMs, ctx.atMs) };
  });
  return {
    schemaVersion: 1,
    window,
    granularity,
    resolution: 'bucketed',
    bucketMs: b.bucketMs,
    from: isoOf(b.fromMs),
    to: isoOf(ctx.atMs),
    lastBucketPartial: b.lastBucketPartial,
    generatedAt: isoOf(ctx.generatedAtMs),
    device: ctx.deviceId,
    series,
  };
}

/**
 * The raw 500 variant: every sample of each series in `(atMs - spanMs, atMs]`, ascending by time,
 * with gap markers (`withGapMarkers`) and the newest sample as `latest`.
 * @param samplesBySeries samples per series id (any order; those outside the range are ignored).
 */
export function renderRaw(window: Window, samplesBySeries: ReadonlyMap<string, readonly Sample[]>, ctx: RenderContext): Payload {
  const r = rawRange(window, ctx.atMs);
  const series = ctx.series.map((s) => {
    const points: RawPoint[] = (samplesBySeries.get(s.seriesId) ?? [])
      .filter((x) => x.tsMs >= r.fromMs && x.tsMs <= r.toMs)
      .map((x) => ({ tsMs: x.tsMs, value: x.value }))
      .sort((a, c) => a.tsMs - c.tsMs);
    const newest = points[points.length - 1];
    return { ...seriesHeader(s), points: withGapMarkers(points), latest: newest ? { tsMs: newest.tsMs, value: newest.value as number } : null };
  });
  return {
    schemaVersion: 1,
    window,
    granularity: 500,
    resolution: 'raw',
    bucketMs: null,
    from: isoOf(r.fromMs),
    to: isoOf(r.toMs),
    lastBucketPartial: false,
    generatedAt: isoOf(ctx.generatedAtMs),
    device: ctx.deviceId,
    series,
  };
}

/** Points per series of a payload: `granularity` when bucketed, the largest series' sample count when raw. */
export function pointCountOf(payload: Payload): number {
  if (payload.resolution === 'bucketed') return payload.granularity;
  return Math.max(0, ...payload.series.map((s) => s.points.length));
}
