/**
 * How old the data is, as opposed to the snapshot (pure): the newest raw sample of the payload
 * ("newest sample 3 min ago"), and which series have gone silent for longer than a few of their own
 * intervals. A dead sensor or an imported 2019 log then reads as old even in a snapshot built now.
 */
import type { BucketPoint, Payload, PayloadSeries, RawPoint } from '../../builder/types.js';
import { formatAge } from './freshness.js';

/** A series is silent when its newest sample is older than this many of its usual intervals. */
export const SILENT_INTERVALS = 4;
/** …and older than this (a 1-second sensor missing 5 s is not worth a warning), ms. */
export const MIN_SILENT_MS = 2 * 60_000;

/** The newest sample of a series: `latest` when the payload carries it, else its last raw point or last non-empty bucket's end. */
export function newestSampleMs(series: PayloadSeries, payload: Pick<Payload, 'resolution' | 'bucketMs' | 'to'>): number | undefined {
  if (series.latest) return series.latest.tsMs;
  if (series.latest === null) return undefined;
  if (payload.resolution === 'raw') {
    const pts = (series.points as RawPoint[]).filter((p) => p.value !== null);
    return pts.length ? pts[pts.length - 1].tsMs : undefined;
  }
  const filled = (series.points as BucketPoint[]).filter((p) => p.count > 0);
  const last = filled[filled.length - 1];
  return last ? Math.min(last.startMs + (payload.bucketMs ?? 0) - 1, Date.parse(payload.to)) : undefined;
}

/** The series' usual interval between samples, ms: median raw step, or bucket width ÷ mean samples per filled bucket. */
export function typicalIntervalMs(series: PayloadSeries, payload: Pick<Payload, 'resolution' | 'bucketMs'>): number | undefined {
  if (payload.resolution === 'raw') {
    const t = (series.points as RawPoint[]).filter((p) => p.value !== null).map((p) => p.tsMs);
    if (t.length < 2) return undefined;
    const steps = t.slice(1).map((x, i) => x - t[i]).sort((a, b) => a - b);
    return steps[steps.length >> 1];
  }
  const filled = (series.points as BucketPoint[]).filter((p) => p.count > 0);
  const samples = filled.reduce((n, p) => n + p.count, 0);
  return samples && payload.bucketMs ? (filled.length * payload.bucketMs) / samples : undefined;
}

/** What the page says about one series' age. */
export interface SeriesAge {
  readonly newestMs: number | undefined;
  readonly intervalMs: number | undefined;
  readonly isSilent: boolean;
  /** e.g. "no sample for 25 min (usually every 10 s)"; undefined when not silent. */
  readonly warning: string | undefined;
}

/** A duration in words without "ago": `10 s`, `4 min`, `2 h`. */
function span(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  return formatAge(ms).replace(/ ago$/, '');
}

/** The age of `series` at `nowMs`. */
export function seriesAge(series: PayloadSeries, payload: Pick<Payload, 'resolution' | 'bucketMs' | 'to'>, nowMs: number): SeriesAge {
  const newestMs = newestSampleMs(series, payload);
  const intervalMs = typicalIntervalMs(series, payload);
  if (newestMs === undefined || intervalMs === undefined) return { newestMs, intervalMs, isSilent: false, warning: undefined };
  const silentMs = nowMs - newestMs;
  const isSilent = silentMs > SILENT_INTERVALS * intervalMs && silentMs > MIN_SILENT_MS;
  return { newestMs, intervalMs, isSilent, warning: isSilent ? `no sample for ${span(silentMs)} (usually every ${span(intervalMs)})` : undefined };
}

/** "newest sample 3 min ago" over every series, or "no samples in this window". */
export function newestSampleText(payload: Payload, nowMs: number): { text: string; newestMs: number | undefined } {
  const all = payload.series.map((s) => newestSampleMs(s, payload)).filter((t): t is number => t !== undefined);
  if (all.length === 0) return { text: 'no samples in this window', newestMs: undefined };
  const newestMs = Math.max(...all);
  return { text: `newest sample ${formatAge(nowMs - newestMs)}`, newestMs };
}
