/**
 * Granularity selection and the exact server-side merge (docs/api-contract.md, `samples`).
 * A prebuilt granularity is served as stored. A count N that divides 500 is merged exactly from the
 * 500 variant: buckets of width `spanMs / N`, aligned to epoch multiples of that width, the last one
 * holding `to`; count/sum/min/max are merged (never averages of averages), and a raw 500 variant is
 * bucketed straight from its samples. Any other N is served by the nearest lower prebuilt
 * granularity (below 20: 20).
 */
import {
  FINEST_GRANULARITY, GRANULARITIES, MIN_SAMPLES_PER_BUCKET, WINDOWS, isGranularity, type Granularity,
} from '../builder/constants.js';
import type { BucketPoint, Payload, PayloadSeries, RawPoint } from '../builder/types.js';

/** A payload as served: like `Payload`, but a merged one has any `granularity` dividing 500. */
export type ServedPayload = Omit<Payload, 'granularity'> & { granularity: number };

/** Which stored variant to read and, when set, into how many buckets to merge it. */
export interface GranularityPlan {
  source: Granularity;
  mergeTo?: number;
}

/** Choose the stored variant for `samples` (1–500). */
export function planGranularity(samples: number): GranularityPlan {
  if (isGranularity(samples)) return { source: samples };
  if (FINEST_GRANULARITY % samples === 0) return { source: FINEST_GRANULARITY, mergeTo: samples };
  const lower = GRANULARITIES.filter((g) => g <= samples);
  return { source: lower.length ? lower[lower.length - 1] : GRANULARITIES[0] };
}

interface Accumulator {
  count: number;
  sum: number;
  min: number;
  max: number;
}

function emptyAccumulators(n: number): Accumulator[] {
  return Array.from({ length: n }, () => ({ count: 0, sum: 0, min: Infinity, max: -Infinity }));
}

function add(acc: Accumulator, count: number, sum: number, min: number, max: number): void {
  acc.count += count;
  acc.sum += sum;
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
}

function toPoint(acc: Accumulator, startMs: number): BucketPoint {
  if (acc.count < MIN_SAMPLES_PER_BUCKET) return { startMs, count: acc.count, avg: null, min: null, max: null, sum: null };
  return { startMs, count: acc.count, avg: acc.sum / acc.count, min: acc.min, max: acc.max, sum: acc.sum };
}

/** Bucket frame of N buckets ending with the one that holds `toMs`. */
function frameOf(toMs: number, widthMs: number, n: number): { firstMs: number; lastMs: number } {
  const lastMs = Math.floor(toMs / widthMs) * widthMs;
  return { firstMs: lastMs - (n - 1) * widthMs, lastMs };
}

function mergeSeries(series: PayloadSeries, isRaw: boolean, frame: { firstMs: number; toMs: number; widthMs: number; n: number }): PayloadSeries {
  const accs = emptyAccumulators(frame.n);
  const { firstMs, toMs, widthMs } = frame;
  if (isRaw) {
    for (const p of series.points as RawPoint[]) {
      if (p.value !== null && p.tsMs >= firstMs && p.tsMs <= toMs) add(accs[Math.floor((p.tsMs - firstMs) / widthMs)], 1, p.value, p.value, p.value);
    }
  } else {
    for (const p of series.points as BucketPoint[]) {
      if (p.startMs < firstMs || p.count === 0 || p.sum === null) continue;
      add(accs[Math.floor((p.startMs - firstMs) / widthMs)], p.count, p.sum, p.min!, p.max!);
    }
  }
  return { ...series, points: accs.map((acc, i) => toPoint(acc, firstMs + i * widthMs)) };
}

/**
 * Merge the 500 variant `payload` into `n` buckets (n divides 500).
 * Fine buckets before the first merged bucket (at most 500/n − 1 of them) fall outside the window
 * of the merged payload and are left out, exactly as the builder would for that width.
 */
export function mergePayload(payload: Payload, n: number): ServedPayload {
  const widthMs = WINDOWS[payload.window].spanMs / n;
  const toMs = Date.parse(payload.to);
  const { firstMs, lastMs } = frameOf(toMs, widthMs, n);
  const isRaw = payload.resolution === 'raw';
  return {
    ...payload,
    granularity: n,
    resolution: 'bucketed',
    bucketMs: widthMs,
    from: new Date(firstMs).toISOString(),
    lastBucketPartial: toMs !== lastMs + widthMs - 1,
    series: payload.series.map((s) => mergeSeries(s, isRaw, { firstMs, toMs, widthMs, n })),
  };
}
