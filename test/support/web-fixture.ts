/**
 * Test data for the dashboard: the real BME280 cut in test/fixtures/web/ turned into the 24 snapshots
 * (+ meta) of one device, written in the layout the real API reads:
 * `<dataDir>/snapshots/<deviceId>/latest_{w}_{g}.json` (gzip) and `latest_{w}_{g}.meta.json`.
 *
 * This is a small brute-force bucketing (an oracle, not the product's builder): buckets of
 * `window / granularity` aligned to epoch multiples, the last one holding `to`; count/sum/min/max per
 * bucket, empty buckets explicit; the 500 variant carries raw samples when each series has ≤ 500.
 * When the real pipeline is wired, `sensorctl import` + `sensorctl rebuild --at` can replace it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  WINDOWS, allSnapshots, bucketMsOf, devicePrefix, metaKey, snapshotKey, type Granularity, type Window,
} from '../../builder/constants.js';
import type { BucketPoint, Payload, PayloadSeries, RawPoint, SnapshotMeta } from '../../builder/types.js';

const FIXTURE_DIR = new URL('../fixtures/web/bme280-livingroom-2019-09/', import.meta.url).pathname;

/** The instant the fixture snapshots are "as of". */
export const FIXTURE_TO = '2019-09-30T16:00:00.000Z';
export const FIXTURE_DEVICE = 'livingroom';

export interface FixtureSeries {
  readonly id: string;
  readonly metric: string;
  readonly unit: string;
  readonly samples: RawPoint[];
}

/** The three fixture series in stored units (°C, %RH, Pa = hPa × 100). Empty values are skipped. */
export function fixtureSeries(): FixtureSeries[] {
  const read = (file: string, metric: string, unit: string, factor: number): FixtureSeries => {
    const samples: RawPoint[] = [];
    for (const line of readFileSync(join(FIXTURE_DIR, file), 'utf8').split('\n').slice(1)) {
      const [ts, v] = line.split(',');
      if (!ts || !v) continue;
      samples.push({ tsMs: Math.round(Number(ts) * 1000), value: Number(v) * factor });
    }
    return { id: `bme280-76.${metric}`, metric, unit, samples };
  };
  return [
    read('temperature.csv', 'tempC', '°C', 1),
    read('humidity.csv', 'rhPct', '%RH', 1),
    read('pressure.csv', 'pressurePa', 'Pa', 100),
  ];
}

function bucketed(samples: RawPoint[], firstMs: number, bucketMs: number, g: number, toMs: number): BucketPoint[] {
  const points: BucketPoint[] = Array.from({ length: g }, (_, i) => ({
    startMs: firstMs + i * bucketMs, count: 0, avg: null, min: null, max: null, sum: null,
  }));
  for (const s of samples) {
    if (s.tsMs < firstMs || s.tsMs > toMs) continue;
    const p = points[Math.floor((s.tsMs - firstMs) / bucketMs)];
    p.count++;
    p.sum = (p.sum ?? 0) + s.value;
    p.min = p.min === null ? s.value : Math.min(p.min, s.value);
    p.max = p.max === null ? s.value : Math.max(p.max, s.value);
  }
  for (const p of points) if (p.count) p.avg = p.sum! / p.count;
  return points;
}

/** Build the payload of (`window`, `g`) as of `toMs` from `series`. */
export function buildPayload(
  series: FixtureSeries[], window: Window, g: Granularity, toMs: number, generatedAt: string, device: string,
): Payload {
  const bucketMs = bucketMsOf(window, g);
  const lastStart = Math.floor(toMs / bucketMs) * bucketMs;
  const firstMs = lastStart - (g - 1) * bucketMs;
  const windowFromMs = toMs - WINDOWS[window].spanMs;
  const inWindow = series.map((s) => s.samples.filter((p) => p.tsMs > windowFromMs && p.tsMs <= toMs));
  const isRaw = g === 500 && inWindow.every((s) => s.length <= 500);
  const out: PayloadSeries[] = series.map((s, i) => ({
    id: s.id, metric: s.metric, unit: s.unit, kind: 'gauge',
    points: isRaw ? inWindow[i] : bucketed(s.samples, firstMs, bucketMs, g, toMs),
  }));
  return {
    schemaVersion: 1, window, granularity: g, resolution: isRaw ? 'raw' : 'bucketed', bucketMs: isRaw ? null : bucketMs,
    from: new Date(isRaw ? windowFromMs : firstMs).toISOString(), to: new Date(toMs).toISOString(),
    lastBucketPartial: !isRaw && toMs !== lastStart + bucketMs - 1, generatedAt, device, series: out,
  };
}

/** Write one payload (gzip) and its meta; `metaPatch` overrides meta fields (e.g. `stale: true`). */
export function writeSnapshot(dataDir: string, payload: Payload, metaPatch: Partial<SnapshotMeta> = {}): SnapshotMeta {
  const dir = join(dataDir, devicePrefix(payload.device));
  mkdirSync(dir, { recursive: true });
  const key = snapshotKey(payload.window, payload.granularity);
  const body = gzipSync(JSON.stringify(payload));
  const sha256 = createHash('sha256').update(body).digest('hex');
  writeFileSync(join(dir, key), body);
  const generatedMs = Date.parse(payload.generatedAt);
  const prefix = devicePrefix(payload.device);
  const meta: SnapshotMeta = {
    schemaVersion: 1, window: payload.window, granularity: payload.granularity, device: payload.device,
    key: `${prefix}${key}`, generatedAt: payload.generatedAt,
    expiresAt: new Date(generatedMs + 2 * WINDOWS[payload.window].rebuildEveryMs).toISOString(),
    versionId: sha256, stagedKey: `${prefix}latest_${payload.window}_${payload.granularity}.tmp-${generatedMs}.json`,
    sha256, bytes: body.length, pointCount: payload.series[0]?.points.length ?? 0,
    stale: false, consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder: 'pi', ...metaPatch,
  };
  writeFileSync(join(dir, metaKey(payload.window, payload.granularity)), JSON.stringify(meta, null, 2));
  return meta;
}

/** Read back a stored payload (gunzipped), e.g. to rewrite it. */
export function readSnapshot(dataDir: string, device: string, window: Window, g: Granularity): Payload {
  const body = readFileSync(join(dataDir, devicePrefix(device), snapshotKey(window, g)));
  return JSON.parse(gunzipSync(body).toString('utf8')) as Payload;
}

/** Read back a stored meta. */
export function readMeta(dataDir: string, device: string, window: Window, g: Granularity): SnapshotMeta {
  return JSON.parse(readFileSync(join(dataDir, devicePrefix(device), metaKey(window, g)), 'utf8')) as SnapshotMeta;
}

/**
 * Make a stored payload unreadable for any server (a directory where the file should be: EISDIR, even
 * for root), so the API answers 500. `restoreSnapshot` (or `writeSnapshot` after it) undoes it.
 */
export function breakSnapshot(dataDir: string, device: string, window: Window, g: Granularity): void {
  const path = join(dataDir, devicePrefix(device), snapshotKey(window, g));
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path);
}

/** Remove what `breakSnapshot` left, then write `payload` as usual. */
export function restoreSnapshot(dataDir: string, payload: Payload): SnapshotMeta {
  rmSync(join(dataDir, devicePrefix(payload.device), snapshotKey(payload.window, payload.granularity)), { recursive: true, force: true });
  return writeSnapshot(dataDir, payload);
}

/** Write all 24 snapshots of `device` as of `to` (default the fixture's end), generated at `generatedAt`. */
export function writeFixtureSnapshots(dataDir: string, opts: { device?: string; to?: string; generatedAt?: string } = {}): void {
  const series = fixtureSeries();
  const toMs = Date.parse(opts.to ?? FIXTURE_TO);
  const generatedAt = opts.generatedAt ?? new Date(toMs).toISOString();
  for (const { window, granularity } of allSnapshots()) {
    writeSnapshot(dataDir, buildPayload(series, window, granularity, toMs, generatedAt, opts.device ?? FIXTURE_DEVICE));
  }
}
