/**
 * STAND-IN for the builder core, for the cloud tests until the core's `runBuild` is on this branch.
 * It follows issue 2 §4 closely enough to exercise every cloud adapter: per-window rollup tiers at the
 * 500-granularity width kept in the state object, incremental `readSince` (full `readRange` on first
 * run / `--full` / expired cursor), bucketed payloads only (no raw 500 variant), staged write →
 * validate (sha256, points) → promote → meta, failures marking meta stale, sweep of staged keys older
 * than 15 min; its state is one object `{statePrefix}builder-state.json`. Meta is written from the bytes actually at the canonical key and re-checked against its
 * ETag, so two overlapping runs end with meta matching the canonical payload.
 *
 * After the merge: `test/cloud/support/build-under-test.ts` points at the real core instead.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  allSnapshots, bucketMsOf, FINEST_GRANULARITY, metaKey, snapshotKey, STAGED_KEY_PATTERN, stagedKey, WINDOW_NAMES, WINDOWS,
  type Granularity, type Window,
} from '../../../builder/constants.js';
import type { ObjectStore } from '../../../builder/ports.js';
import type { Bucket, BucketPoint, Payload, Sample, SeriesInfo, SnapshotMeta } from '../../../builder/types.js';
import type { DeviceBuild, DeviceBuildRequest, SnapshotOutcome } from '../../../cloud/build-port.js';
import { PrefixedObjectStore } from '../../../builder/prefixed-object-store.js';

type Tier = Record<string, Record<string, Bucket>>; // seriesId → startMs → bucket
interface State {
  cursor: string;
  tiers: Record<Window, Tier>;
}
const SWEEP_STAGED_AFTER_MS = 15 * 60_000;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

function emptyTiers(): Record<Window, Tier> {
  return Object.fromEntries(WINDOW_NAMES.map((w) => [w, {}])) as Record<Window, Tier>;
}

function fold(tiers: Record<Window, Tier>, samples: readonly Sample[]): void {
  for (const w of WINDOW_NAMES) {
    const width = bucketMsOf(w, FINEST_GRANULARITY);
    for (const s of samples) {
      const start = Math.floor(s.tsMs / width) * width;
      const series = (tiers[w][s.seriesId] ??= {});
      const b = series[start];
      if (!b) series[start] = { startMs: start, count: 1, sum: s.value, min: s.value, max: s.value };
      else (b.count++, (b.sum += s.value), (b.min = Math.min(b.min, s.value)), (b.max = Math.max(b.max, s.value)));
    }
  }
}

function trim(tiers: Record<Window, Tier>, atMs: number): void {
  for (const w of WINDOW_NAMES) {
    const floor = atMs - WINDOWS[w].spanMs - bucketMsOf(w, 20);
    for (const series of Object.values(tiers[w])) for (const k of Object.keys(series)) if (Number(k) < floor) delete series[k];
  }
}

function payloadOf(deviceId: string, series: SeriesInfo[], tier: Tier, w: Window, g: Granularity, atMs: number, generatedMs: number): Payload {
  const bucketMs = bucketMsOf(w, g);
  const fine = bucketMsOf(w, FINEST_GRANULARITY);
  const first = Math.floor(atMs / bucketMs) * bucketMs - (g - 1) * bucketMs;
  return {
    schemaVersion: 1, window: w, granularity: g, resolution: 'bucketed', bucketMs, from: iso(first), to: iso(atMs),
    lastBucketPartial: (atMs + 1) % bucketMs !== 0, generatedAt: iso(generatedMs), device: deviceId,
    series: series.map((s) => {
      const points: BucketPoint[] = [];
      for (let i = 0; i < g; i++) {
        const startMs = first + i * bucketMs;
        let count = 0, sum = 0, min = Infinity, max = -Infinity;
        for (let t = startMs; t < startMs + bucketMs; t += fine) {
          const b = tier[s.seriesId]?.[t];
          if (b) (count += b.count), (sum += b.sum), (min = Math.min(min, b.min)), (max = Math.max(max, b.max));
        }
        points.push(count ? { startMs, count, avg: sum / count, min, max, sum } : { startMs, count: 0, avg: null, min: null, max: null, sum: null });
      }
      return { id: s.seriesId, metric: s.metric, unit: s.unit, kind: s.kind, points };
    }),
  };
}

async function readAll(req: DeviceBuildRequest, state: State | undefined, atMs: number): Promise<{ state: State; samplesRead: number; wasFull: boolean }> {
  if (state && !req.full) {
    let cursor = state.cursor;
    let samplesRead = 0;
    for (;;) {
      const batch = await req.source.readSince(req.deviceId, cursor, 50_000);
      if (batch.cursorExpired) break;
      fold(state.tiers, batch.samples);
      samplesRead += batch.samples.length;
      cursor = batch.cursor;
      if (!batch.hasMore) return { state: { cursor, tiers: state.tiers }, samplesRead, wasFull: false };
    }
  }
  const tiers = emptyTiers();
  const { cursor, chunks } = await req.source.readRange(req.deviceId, atMs - WINDOWS['12m'].spanMs - bucketMsOf('12m', 20), atMs);
  let samplesRead = 0;
  for await (const chunk of chunks) (fold(tiers, chunk), (samplesRead += chunk.length));
  return { state: { cursor, tiers }, samplesRead, wasFull: true };
}

async function settleMeta(store: ObjectStore, w: Window, g: Granularity, deviceId: string, staged: string, builder: SnapshotMeta['builder']): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await store.get(snapshotKey(w, g));
    if (!cur) throw new Error(`${snapshotKey(w, g)} vanished after promotion`);
    const payload = JSON.parse(gunzipSync(cur.body).toString('utf8')) as Payload;
    const generatedMs = Date.parse(payload.generatedAt);
    const meta: SnapshotMeta = {
      schemaVersion: 1, window: w, granularity: g, device: deviceId, key: snapshotKey(w, g), generatedAt: payload.generatedAt,
      expiresAt: iso(generatedMs + 2 * WINDOWS[w].rebuildEveryMs), versionId: cur.versionId ?? sha256(cur.body), stagedKey: staged,
      sha256: sha256(cur.body), bytes: cur.bytes, pointCount: payload.series[0]?.points.length ?? 0, stale: false,
      consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder,
    };
    await store.put(metaKey(w, g), new TextEncoder().encode(JSON.stringify(meta)), { contentType: 'application/json', cacheControl: 'public, max-age=10' });
    if ((await store.head(snapshotKey(w, g)))?.etag === cur.etag) return;
  }
}

async function markStale(store: ObjectStore, w: Window, g: Granularity, deviceId: string, error: string, nowMs: number, builder: SnapshotMeta['builder']): Promise<number> {
  const prev = await store.get(metaKey(w, g)).then((o) => (o ? (JSON.parse(new TextDecoder().decode(o.body)) as SnapshotMeta) : undefined)).catch(() => undefined);
  const meta: SnapshotMeta = prev
    ? { ...prev, stale: true, consecutiveFailures: prev.consecutiveFailures + 1, lastError: error, lastFailureAt: iso(nowMs), builder }
    : { schemaVersion: 1, window: w, granularity: g, device: deviceId, key: snapshotKey(w, g), generatedAt: null, expiresAt: null, versionId: null, stagedKey: null, sha256: null, bytes: null, pointCount: null, stale: true, consecutiveFailures: 1, lastError: error, lastFailureAt: iso(nowMs), builder };
  await store.put(metaKey(w, g), new TextEncoder().encode(JSON.stringify(meta)), { contentType: 'application/json', cacheControl: 'public, max-age=10' }).catch(() => undefined);
  return meta.consecutiveFailures;
}

async function publish(req: DeviceBuildRequest & { store: ObjectStore }, series: SeriesInfo[], tiers: Record<Window, Tier>, w: Window, g: Granularity, atMs: number, nowMs: number): Promise<SnapshotOutcome> {
  const staged = stagedKey(w, g, nowMs);
  const headers = { contentType: 'application/json', contentEncoding: 'gzip' as const, cacheControl: `public, max-age=${WINDOWS[w].ttlS}` };
  try {
    const body = new Uint8Array(gzipSync(JSON.stringify(payloadOf(req.deviceId, series, tiers[w], w, g, atMs, nowMs))));
    await req.store.put(staged, body, headers);
    const back = await req.store.get(staged);
    if (!back || sha256(back.body) !== sha256(body)) throw new Error(`staged ${staged} does not read back as written`);
    await req.store.promote(staged, snapshotKey(w, g), headers);
    await settleMeta(req.store, w, g, req.deviceId, staged, req.builder);
    return { window: w, granularity: g, isStale: false };
  } catch (err) {
    const error = (err as Error).message;
    await markStale(req.store, w, g, req.deviceId, error, nowMs, req.builder);
    return { window: w, granularity: g, isStale: true, error };
  }
}

/** The stand-in `DeviceBuild` (see the file docstring). */
export const standInBuild: DeviceBuild = async (request) => {
  const req = { ...request, store: new PrefixedObjectStore(request.store, request.prefix) };
  const stateKey = request.statePrefix + 'builder-state.json';
  const nowMs = req.clock.nowMs();
  const atMs = req.atMs ?? nowMs;
  const saved = await request.store.get(stateKey).then((o) => o && new TextDecoder().decode(o.body));
  const series = await req.source.listSeries(req.deviceId);
  const { state, samplesRead, wasFull } = await readAll(req, saved ? (JSON.parse(saved) as State) : undefined, atMs);
  trim(state.tiers, atMs);
  for (const key of await req.store.list('')) {
    const m = STAGED_KEY_PATTERN.exec(key);
    if (m && nowMs - Number(m[1]) > SWEEP_STAGED_AFTER_MS) await req.store.delete(key).catch(() => undefined);
  }
  const snapshots: SnapshotOutcome[] = [];
  for (const { window, granularity } of allSnapshots().filter((s) => req.windows.includes(s.window))) {
    snapshots.push(await publish(req, series, state.tiers, window, granularity, atMs, nowMs));
  }
  await request.store.put(stateKey, new TextEncoder().encode(JSON.stringify(state)), { contentType: 'application/json' });
  return { snapshots, samplesRead, wasFull };
};


