/**
 * Builds valid snapshot payloads and metas from a list of samples, with the bucket rules of
 * docs/api-contract.md and builder/types.ts, for API tests (the builder core is separate work):
 * buckets of width `spanMs / granularity`, aligned to epoch multiples of that width, the last one
 * holding `to`; per bucket count/sum/min/max and avg = sum/count; empty buckets explicit with nulls.
 * The 500 variant is raw when every series has at most 500 samples in `[first bucket start, to]`.
 * Snapshots are stored as the builder stores them: in the window object `latest_<w>.snapshots`
 * (`builder/window-object.ts`); `putSnapshot` replaces one granularity in it and keeps the others.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  FINEST_GRANULARITY, GRANULARITIES, WINDOWS, devicePrefix, fallbackPrefix, payloadVersionId, windowObjectKey, type Granularity, type Window,
} from '../../builder/constants.js';
import type { ObjectStore } from '../../builder/ports.js';
import { WINDOW_OBJECT_HEADERS } from '../../builder/publish.js';
import { decodeWindowObject, encodeWindowObject } from '../../builder/window-object.js';
import type { BucketPoint, BuilderName, Payload, PayloadSeries, Sample, SeriesInfo, SnapshotMeta } from '../../builder/types.js';

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

/**
 * A meta for stored payload bytes, as the builder writes it (`snapshotMetaOf`): `key` and `stagedKey`
 * the canonical window object's key (`putSnapshot` sets its own prefix's), `versionId`
 * `payloadVersionId(generatedAt, sha256)`.
 */
export function buildMeta(payload: Payload, body: Uint8Array, extra: Partial<SnapshotMeta> = {}): SnapshotMeta {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const generatedMs = Date.parse(payload.generatedAt);
  const key = devicePrefix(payload.device) + windowObjectKey(payload.window);
  return {
    schemaVersion: 1, window: payload.window, granularity: payload.granularity, device: payload.device,
    key, generatedAt: payload.generatedAt,
    expiresAt: new Date(generatedMs + 2 * WINDOWS[payload.window].rebuildEveryMs).toISOString(),
    versionId: payloadVersionId(generatedMs, sha256), stagedKey: key, sha256,
    bytes: body.byteLength, pointCount: payload.series[0]?.points.length ?? 0, stale: false, consecutiveFailures: 0,
    lastError: null, lastFailureAt: null, builder: 'pi', ...extra,
  };
}

/**
 * The meta of a snapshot never built (`generatedAt` and every payload field null, not stale, no
 * failure), as a window object carries it for a granularity no build has produced; `key` is the
 * window object's key.
 */
export function neverBuiltMeta(device: string, window: Window, granularity: Granularity, key: string, builder: BuilderName = 'pi'): SnapshotMeta {
  return {
    schemaVersion: 1, window, granularity, device, key, generatedAt: null, expiresAt: null, versionId: null, stagedKey: null,
    sha256: null, bytes: null, pointCount: null, stale: false, consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder,
  };
}

/**
 * Window object bytes (`builder/window-object.ts`) with ONE snapshot replaced: `previous` (stored
 * bytes, or undefined when there is no object yet) with the meta of `meta.granularity` set to `meta`
 * and its payload section to `body` (none when `body` is undefined: a never-built meta). The other
 * granularities and the state keep what `previous` held; without `previous` they get
 * `neverBuiltMeta` (with `meta.key`) and there is no state. Pure.
 * @throws {RangeError} when a built `meta` comes without `body` or `body` is not `meta.bytes` long (`encodeWindowObject`).
 */
export function windowObjectWith(previous: Uint8Array | undefined, meta: SnapshotMeta, body?: Uint8Array): Uint8Array {
  const object = previous ? decodeWindowObject(previous) : undefined;
  const metas = new Map<Granularity, SnapshotMeta>();
  const payloads = new Map<Granularity, Uint8Array>();
  for (const g of GRANULARITIES) {
    if (g === meta.granularity) {
      metas.set(g, meta);
      if (body) payloads.set(g, body);
      continue;
    }
    const kept = object?.metas.get(g);
    metas.set(g, kept ?? neverBuiltMeta(meta.device, meta.window, g, meta.key, meta.builder));
    const keptBody = kept?.generatedAt ? object?.payload(g) : undefined;
    if (keptBody) payloads.set(g, keptBody);
  }
  const state = object?.state();
  return encodeWindowObject({ window: meta.window, device: object?.device ?? meta.device, metas, payloads, ...(state ? { state } : {}) });
}

/**
 * Put ONE snapshot into the window object of `meta.window` under `prefix` through `store` (read it,
 * `windowObjectWith`, put it back with the builder's headers). @returns the stored bytes.
 */
export async function putWindowSnapshot(store: Pick<ObjectStore, 'get' | 'put'>, prefix: string, meta: SnapshotMeta, body?: Uint8Array): Promise<Uint8Array> {
  const key = prefix + windowObjectKey(meta.window);
  const bytes = windowObjectWith((await store.get(key))?.body, meta, body);
  await store.put(key, bytes, WINDOW_OBJECT_HEADERS, { sha256Hex: createHash('sha256').update(bytes).digest('hex') });
  return bytes;
}

/**
 * Store `payload` (gzip) and its meta in the window object under the canonical or fallback prefix
 * (one put, the other granularities of the window kept). @returns the meta stored.
 */
export async function putSnapshot(store: ObjectStore, payload: Payload, opts: { isFallback?: boolean; meta?: Partial<SnapshotMeta> } = {}): Promise<SnapshotMeta> {
  const prefix = opts.isFallback ? fallbackPrefix(payload.device) : devicePrefix(payload.device);
  const body = encodePayload(payload);
  const key = prefix + windowObjectKey(payload.window);
  const meta = buildMeta(payload, body, { key, stagedKey: key, ...opts.meta });
  await putWindowSnapshot(store, prefix, meta, body);
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
