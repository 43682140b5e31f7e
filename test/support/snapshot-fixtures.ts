/**
 * Builds valid snapshot payloads and metas from a list of samples, with the bucket rules of
 * docs/api-contract.md and builder/types.ts, for API tests (the builder core is separate work):
 * buckets of width `spanMs / granularity`, aligned to epoch multiples of that width, the last one
 * holding `to`; per bucket count/sum/min/max and avg = sum/count; empty buckets explicit with nulls.
 * The 500 variant is raw when every series has at most 500 samples in `[first bucket start, to]`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  FINEST_GRANULARITY, WINDOWS, devicePrefix, fallbackPrefix, metaKey, snapshotKey, type Granularity, type Window,
} from '../../builder/constants.js';
import type { ObjectStore } from '../../builder/ports.js';
import type { BucketPoint, Payload, PayloadSeries, Sample, SeriesInfo, SnapshotMeta } from '../../builder/types.js';

export interface FixtureSeries {
  info: SeriesInfo;
  samples: Sample[];
}

/** Brute force: the points of `samples` in `n` buckets of `widthMs` starting at `firstMs`, up to `toMs`. */
export function bucketize(samples: Sample[], firstMs: number, widthMs: number, n: number, toMs: number): BucketPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const startMs = firstMs + i * widthMs;
    const inside = samples.filter((s) => s.tsMs >= startMs && s.tsMs < startMs + widthMs && s.tsMs <= toMs).map((s) => s.value);
    if (inside.length === 0) return { startMs, count: 0, avg: null, min: null, max: null, sum: null };
    const sum = inside.reduce((a, b) => a + b, 0);
    return { startMs, count: inside.length, avg: sum / inside.length, min: Math.min(...inside), max: Math.max(...inside), sum };
  });
}

/** First bucket start and width of `n` buckets over `window` ending with the bucket holding `toMs`. */
export function frame(window: Window, n: number, toMs: number): { firstMs: number; widthMs: number } {
  const widthMs = WINDOWS[window].spanMs / n;
  return { firstMs: Math.floor(toMs / widthMs) * widthMs - (n - 1) * widthMs, widthMs };
}

/** A payload for `window`/`granularity` as of `toMs`. */
export function buildPayload(opts: { device: string; window: Window; granularity: Granularity; toMs: number; generatedAtMs: number; series: FixtureSeries[] }): Payload {
  const { window, granularity, toMs } = opts;
  const { firstMs, widthMs } = frame(window, granularity, toMs);
  const inWindow = opts.series.map((s) => ({ ...s, samples: s.samples.filter((x) => x.tsMs >= firstMs && x.tsMs <= toMs) }));
  const isRaw = granularity === FINEST_GRANULARITY && inWindow.every((s) => s.samples.length <= FINEST_GRANULARITY);
  const series: PayloadSeries[] = inWindow.map(({ info, samples }) => ({
    id: info.seriesId,
    metric: info.metric,
    unit: info.unit,
    kind: info.kind,
    points: isRaw ? samples.map((s) => ({ tsMs: s.tsMs, value: s.value })) : bucketize(samples, firstMs, widthMs, granularity, toMs),
  }));
  const lastStartMs = firstMs + (granularity - 1) * widthMs;
  return {
    schemaVersion: 1, window, granularity, resolution: isRaw ? 'raw' : 'bucketed', bucketMs: isRaw ? null : widthMs,
    from: new Date(firstMs).toISOString(), to: new Date(toMs).toISOString(), lastBucketPartial: toMs !== lastStartMs + widthMs - 1,
    generatedAt: new Date(opts.generatedAtMs).toISOString(), device: opts.device, series,
  };
}

/** gzip-encoded payload bytes as stored. */
export function encodePayload(payload: Payload): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(payload)));
}

/** A meta for stored payload bytes. */
export function buildMeta(payload: Payload, body: Uint8Array, extra: Partial<SnapshotMeta> = {}): SnapshotMeta {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const generatedMs = Date.parse(payload.generatedAt);
  return {
    schemaVersion: 1, window: payload.window, granularity: payload.granularity, device: payload.device,
    key: snapshotKey(payload.window, payload.granularity), generatedAt: payload.generatedAt,
    expiresAt: new Date(generatedMs + 2 * WINDOWS[payload.window].rebuildEveryMs).toISOString(),
    versionId: sha256, stagedKey: `latest_${payload.window}_${payload.granularity}.tmp-${generatedMs}.json`, sha256,
    bytes: body.byteLength, pointCount: payload.series[0]?.points.length ?? 0, stale: false, consecutiveFailures: 0,
    lastError: null, lastFailureAt: null, builder: 'pi', ...extra,
  };
}

/**
 * Store `payload` (gzip) and its meta under the canonical or fallback prefix; the meta names the
 * store's version id when the store returns one.
 */
export async function putSnapshot(store: ObjectStore, payload: Payload, opts: { isFallback?: boolean; meta?: Partial<SnapshotMeta> } = {}): Promise<SnapshotMeta> {
  const prefix = opts.isFallback ? fallbackPrefix(payload.device) : devicePrefix(payload.device);
  const body = encodePayload(payload);
  const { versionId } = await store.put(prefix + snapshotKey(payload.window, payload.granularity), body, {
    contentType: 'application/json', contentEncoding: 'gzip', cacheControl: `public, max-age=${WINDOWS[payload.window].ttlS}`,
  });
  const meta = buildMeta(payload, body, { ...(versionId ? { versionId } : {}), ...opts.meta });
  await store.put(prefix + metaKey(payload.window, payload.granularity), Buffer.from(JSON.stringify(meta)), { contentType: 'application/json' });
  return meta;
}

/** Deterministic real-looking samples: a temperature gauge with a daily cycle and a pulse counter. */
export function sampleSeries(device: string, fromMs: number, toMs: number, stepMs: number): FixtureSeries[] {
  const temp: Sample[] = [];
  const pulses: Sample[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) {
    temp.push({ seriesId: 'bme280-76.tempC', tsMs: t, value: Math.round((21 + 3 * Math.sin((2 * Math.PI * t) / 86_400_000) + ((t / stepMs) % 7) * 0.01) * 100) / 100 });
    pulses.push({ seriesId: 'rain.pulses', tsMs: t, value: (t / stepMs) % 5 });
  }
  return [
    { info: { deviceId: device, seriesId: 'bme280-76.tempC', sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' }, samples: temp },
    { info: { deviceId: device, seriesId: 'rain.pulses', sensorId: 'rain', metric: 'pulses', unit: 'pulses', kind: 'counter' }, samples: pulses },
  ];
}
