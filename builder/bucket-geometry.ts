/**
 * Where the buckets of a snapshot lie. For a build "as of" `atMs` every bucketed variant has exactly
 * `granularity` buckets of width `bucketMsOf(window, granularity)`, aligned to epoch multiples of that
 * width and half-open; the last one contains `atMs` and only samples with `tsMs <= atMs` count.
 */
import { FINEST_GRANULARITY, GRANULARITIES, WINDOWS, bucketMsOf, type Granularity, type Window } from './constants.js';

/** Bucket layout of one snapshot, all in epoch ms. */
export interface VariantBounds {
  bucketMs: number;
  /** Start of the first bucket (inclusive). */
  fromMs: number;
  /** Start of the last bucket, the one containing `atMs`. */
  lastStartMs: number;
  /** Exclusive end of the last bucket. */
  lastEndMs: number;
  /** True unless `atMs` is the last millisecond of its bucket. */
  lastBucketPartial: boolean;
}

/** Bucket layout of (`window`, `granularity`) as of `atMs` (integer epoch ms). */
export function variantBounds(window: Window, granularity: Granularity, atMs: number): VariantBounds {
  const bucketMs = bucketMsOf(window, granularity);
  const lastStartMs = Math.floor(atMs / bucketMs) * bucketMs;
  const lastEndMs = lastStartMs + bucketMs;
  return {
    bucketMs,
    fromMs: lastStartMs - (granularity - 1) * bucketMs,
    lastStartMs,
    lastEndMs,
    lastBucketPartial: atMs !== lastEndMs - 1,
  };
}

/**
 * Earliest sample time any variant of `window` needs as of `atMs`: the minimum first-bucket start
 * over the four granularities. (That is the 500 variant's; the 20 variant's first bucket can start up
 * to 24 fine buckets later, because its last bucket may have just begun.)
 */
export function windowFromMs(window: Window, atMs: number): number {
  return Math.min(...GRANULARITIES.map((g) => variantBounds(window, g, atMs).fromMs));
}

/** Fine (finest-granularity) bucket width of `window`, in ms: the rollup state's resolution. */
export const fineBucketMs = (window: Window): number => bucketMsOf(window, FINEST_GRANULARITY);

/** Raw-sample range of a raw 500 variant: `(atMs - spanMs, atMs]` as inclusive `[fromMs, toMs]`. */
export function rawRange(window: Window, atMs: number): { fromMs: number; toMs: number } {
  return { fromMs: atMs - WINDOWS[window].spanMs + 1, toMs: atMs };
}
