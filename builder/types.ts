/**
 * Shared data shapes of the pipeline: raw samples, series descriptions, rollup buckets, snapshot
 * payloads and their meta. Pure types; the JSON schemas in `builder/schema/` describe the same shapes.
 */
import type { Granularity, SeriesKind, Window } from './constants.js';

/**
 * What a series is: one metric of one sensor on one device.
 * `seriesId` is unique per device (`ID_PATTERN`), e.g. `bme280-76.tempC`; `metric` is the canonical
 * quantity name (`tempC`, `rhPct`, `pressurePa`, `illuminanceLux`, `pulses`, `state`, …);
 * `unit` is the unit symbol shown to people (`°C`, `%RH`, `Pa`, `lx`, …).
 */
export interface SeriesInfo {
  readonly deviceId: string;
  readonly seriesId: string;
  readonly sensorId: string;
  readonly metric: string;
  readonly unit: string;
  readonly kind: SeriesKind;
}

/**
 * The earliest time a sample may carry: 2000-01-01T00:00:00Z, epoch ms. A stamp before it is a clock
 * that was never set (a Pi without RTC boots at 1970) or a broken log, never a reading; and tsMs 0 is
 * the key of the device's catalogue item in the cloud table. The importer and the sampler's clock
 * guard refuse anything older.
 */
export const MIN_SAMPLE_TS_MS = 946_684_800_000;

/** One raw reading: `tsMs` is integer epoch milliseconds UTC (at least `MIN_SAMPLE_TS_MS`), `value` a finite number in the series' unit. */
export interface Sample {
  readonly seriesId: string;
  readonly tsMs: number;
  readonly value: number;
}

/**
 * A rollup bucket over the half-open interval `[startMs, startMs + widthMs)`, aligned to epoch
 * multiples of its width. `avg` is never stored: it is `sum / count` on read.
 */
export interface Bucket {
  startMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * One point of a bucketed payload. Empty buckets are explicit: `count: 0` and null values, so charts
 * draw a gap. `avg` = `sum / count` (gauges); for counters `sum` is the quantity per bucket.
 */
export interface BucketPoint {
  startMs: number;
  count: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  sum: number | null;
}

/**
 * One point of a raw payload: a sample as stored, or a gap marker (`value: null`, half-way through an
 * outage longer than `RAW_GAP_FACTOR` × the series' median step) so a chart breaks the line there.
 */
export interface RawPoint {
  tsMs: number;
  value: number | null;
}

/** The newest sample of a series in the payload's window (`tsMs <= to`), as stored: not a bucket average. */
export interface LatestSample {
  tsMs: number;
  value: number;
}

export interface PayloadSeries {
  id: string;
  metric: string;
  unit: string;
  kind: SeriesKind;
  points: BucketPoint[] | RawPoint[];
  /** The newest raw sample in `[from, to]`, null when none; absent in payloads built before it existed. */
  latest?: LatestSample | null;
}

/**
 * A snapshot payload (`latest_{window}_{granularity}.json`, gzip-encoded when stored).
 * `resolution: 'raw'` only in the 500 variant, when every series holds at most 500 samples in the
 * window; then `bucketMs` is null and points are raw samples. Otherwise there are exactly
 * `granularity` points per series, the first starting at `from`, the last covering `[start, to]`
 * (partial unless `to` is the last millisecond of its bucket; `lastBucketPartial` says which).
 * Schema: `builder/schema/payload.schema.json`.
 */
export interface Payload {
  schemaVersion: 1;
  window: Window;
  granularity: Granularity;
  resolution: 'bucketed' | 'raw';
  bucketMs: number | null;
  /** ISO 8601 UTC: start of the first bucket (or of the window, for raw payloads). */
  from: string;
  /** ISO 8601 UTC: the instant the snapshot is "as of"; samples with `tsMs <= to` are included. */
  to: string;
  lastBucketPartial: boolean;
  /** ISO 8601 UTC: when the builder produced this payload. */
  generatedAt: string;
  device: string;
  series: PayloadSeries[];
}

/**
 * The answer of `GET /samples/range`: the samples of `[from, to]` per series, downsampled on the
 * server to at most 4 points per pixel column (M4: first, min, max, last) unless the raw samples fit,
 * with `null` points at gaps. Points use the raw payload's shape (`RawPoint`).
 */
export interface RangePayload {
  schemaVersion: 1;
  device: string;
  /** ISO 8601 UTC, inclusive. */
  from: string;
  /** ISO 8601 UTC, inclusive. */
  to: string;
  /** Pixel columns asked for. */
  samples: number;
  /** `raw` when every series' raw samples fit (≤ 4 per column), else `m4`. */
  resolution: 'raw' | 'm4';
  /** Samples read from the store. */
  samplesRead: number;
  series: Array<PayloadSeries & { points: RawPoint[] }>;
}

/** Who built a snapshot. */
export type BuilderName = 'pi' | 'lambda';

/**
 * Meta of one snapshot, one per granularity in the header of its window object
 * (`latest_{window}.snapshots`, `builder/window-object.ts`). `versionId` is `v<startMs>-<16 hex of the
 * payload's sha256>`. `stale` is true when the latest build of this snapshot failed; the payload then
 * is the last good one. Schema: `builder/schema/meta.schema.json`.
 */
export interface SnapshotMeta {
  schemaVersion: 1;
  window: Window;
  granularity: Granularity;
  device: string;
  /** Key of the window object holding the payload (`windowObjectKey` under the device prefix). */
  key: string;
  /** ISO 8601 UTC, of the payload the key currently holds; null when no build has succeeded yet
   *  (then every payload field below is null too and the window object holds no payload for it). */
  generatedAt: string | null;
  /** ISO 8601 UTC: when a reader should expect a newer build (generatedAt + 2 × cadence). */
  expiresAt: string | null;
  versionId: string | null;
  /** The key the current payload was written to: `key` itself (earlier releases: the staged key it was promoted from). */
  stagedKey: string | null;
  /** Hex sha256 of the stored (gzip) payload bytes. */
  sha256: string | null;
  /** Size of the stored (gzip) payload in bytes. */
  bytes: number | null;
  /** Points per series in the payload. */
  pointCount: number | null;
  stale: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  /** ISO 8601 UTC of the last failed attempt, or null. */
  lastFailureAt: string | null;
  builder: BuilderName;
}

/**
 * A snapshot whose meta was just written (a new build, or a failed one marking it stale): the data of
 * an `event: build` on `GET /samples/builds` (docs/api-contract.md), read by the page.
 */
export interface PublishedBuild {
  device: string;
  window: Window;
  granularity: Granularity;
  /** The meta's `versionId`/`generatedAt` (null before the first successful build). */
  versionId: string | null;
  generatedAt: string | null;
  stale: boolean;
}
