/**
 * Shared helpers of the builder tests: a fixed clock, a silent logger, reading payloads/meta back
 * from a store (out of the window objects, `builder/window-object.ts`), and a brute-force bucketing
 * straight from raw samples to compare builds against.
 */
import { WINDOWS, bucketMsOf, devicePrefix, type Granularity, type Window } from '../../builder/constants.js';
import { gunzip, parseJsonBytes } from '../../builder/codec.js';
import type { Clock, ObjectStore, StoredObject } from '../../builder/ports.js';
import { payloadObjectOf, readWindowObject, windowObjectKeyOf } from '../../builder/publish.js';
import type { WindowObject } from '../../builder/window-object.js';
import type { Payload, Sample, SeriesInfo, SnapshotMeta } from '../../builder/types.js';
export { silentLog } from '../../builder/ports.js';

export const DEVICE = 'dev1';

export class FakeClock implements Clock {
  constructor(public tsMs: number) {}
  nowMs(): number {
    return this.tsMs;
  }
}


export function gauge(seriesId: string, metric = 'tempC', unit = '°C'): SeriesInfo {
  return { deviceId: DEVICE, seriesId, sensorId: seriesId.split('.')[0], metric, unit, kind: 'gauge' };
}

export function counter(seriesId: string): SeriesInfo {
  return { deviceId: DEVICE, seriesId, sensorId: seriesId.split('.')[0], metric: 'pulses', unit: 'pulses', kind: 'counter' };
}

/**
 * Key of the object that holds the payload of (`w`, `g`) under `prefix`: the window object
 * (`latest_<w>.snapshots`), whatever its content. `store` is unused (kept for callers of the
 * per-snapshot layout, where the meta named the key).
 */
export async function publishedKey(_store: Pick<ObjectStore, 'get'>, prefix: string, w: Window, _g: Granularity): Promise<string> {
  return windowObjectKeyOf(prefix, w);
}

/**
 * The window object of `w` under `prefix`, decoded; undefined when absent.
 * @throws {MetaDecodeError} when an object is there but cannot be decoded (a test should see that, not "absent").
 */
export function readWindow(store: Pick<ObjectStore, 'get'>, prefix: string, w: Window): Promise<WindowObject | undefined> {
  return readWindowObject(store, prefix, w);
}

/**
 * The published payload of (`w`, `g`) under `prefix` as a stored object (`payloadObjectOf`: the gzip
 * bytes of its section, `storedPayloadHeaders`); undefined when the window object is absent or the
 * snapshot was never built. Throws when the window object cannot be decoded.
 */
export async function getPublished(store: Pick<ObjectStore, 'get'>, prefix: string, w: Window, g: Granularity): Promise<StoredObject | undefined> {
  const object = await readWindowObject(store, prefix, w);
  return object && payloadObjectOf(object, prefix, g);
}

/** The published payload of (`w`, `g`) of `device` (canonical prefix), parsed; undefined when not built. */
export async function readPayload(store: Pick<ObjectStore, 'get'>, w: Window, g: Granularity, device = DEVICE): Promise<Payload | undefined> {
  const got = await getPublished(store, devicePrefix(device), w, g);
  return got ? (parseJsonBytes(await gunzip(got.body)) as Payload) : undefined;
}

/** The meta of (`w`, `g`) of `device` (canonical prefix) in its window object; undefined when there is no window object. */
export async function readMetaOf(store: Pick<ObjectStore, 'get'>, w: Window, g: Granularity, device = DEVICE): Promise<SnapshotMeta | undefined> {
  return (await readWindowObject(store, devicePrefix(device), w))?.metas.get(g);
}

export interface BruteBucket {
  startMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Buckets of one series computed straight from raw samples, by the definition (no rollups). */
export function bruteForce(samples: readonly Sample[], seriesId: string, w: Window, g: Granularity, atMs: number): BruteBucket[] {
  const bw = bucketMsOf(w, g);
  const from = Math.floor(atMs / bw) * bw - (g - 1) * bw;
  const out: BruteBucket[] = Array.from({ length: g }, (_, i) => ({ startMs: from + i * bw, count: 0, sum: 0, min: Infinity, max: -Infinity }));
  for (const s of samples) {
    if (s.seriesId !== seriesId || s.tsMs < from || s.tsMs > atMs) continue;
    const b = out[Math.floor((s.tsMs - from) / bw)];
    b.count++;
    b.sum += s.value;
    b.min = Math.min(b.min, s.value);
    b.max = Math.max(b.max, s.value);
  }
  return out;
}

/** A raw payload holds, per series, exactly the stored samples in `(to - span, to]`, in time order. */
function compareRawWithSamples(p: Payload, samples: readonly Sample[], atMs: number): string[] {
  const fromMs = atMs - WINDOWS[p.window].spanMs;
  return p.series.flatMap((s) => {
    const expected = samples
      .filter((x) => x.seriesId === s.id && x.tsMs > fromMs && x.tsMs <= atMs)
      .sort((a, b) => a.tsMs - b.tsMs)
      .map((x) => `${x.tsMs}=${x.value}`);
    // Gap markers (null values) are checked by test/builder/raw-gaps.test.ts; here only the samples.
    const actual = (s.points as Array<{ tsMs: number; value: number | null }>).filter((pt) => pt.value !== null).map((pt) => `${pt.tsMs}=${pt.value}`);
    return expected.join(',') === actual.join(',') ? [] : [`${p.window}/${p.granularity} ${s.id}: raw points ${actual.length}, expected the ${expected.length} stored samples`];
  });
}

/**
 * Problems comparing a payload with brute force over `samples` (empty when equal): bucketed payloads
 * against buckets recounted from the raw rows, raw payloads against the stored samples of the window.
 */
export function compareWithBruteForce(p: Payload, samples: readonly Sample[], relTol = 1e-9): string[] {
  const problems: string[] = [];
  const atMs = Date.parse(p.to);
  if (p.resolution === 'raw') return compareRawWithSamples(p, samples, atMs);
  for (const s of p.series) {
    const brute = bruteForce(samples, s.id, p.window, p.granularity, atMs);
    const pts = s.points as Payload['series'][number]['points'] & Array<{ startMs: number; count: number; avg: number | null; min: number | null; max: number | null; sum: number | null }>;
    if (pts.length !== brute.length) problems.push(`${s.id}: ${pts.length} points, expected ${brute.length}`);
    brute.forEach((b, i) => {
      const pt = pts[i];
      const where = `${p.window}/${p.granularity} ${s.id}[${i}]`;
      if (!pt || pt.startMs !== b.startMs || pt.count !== b.count) return void problems.push(`${where}: start/count ${pt?.startMs}/${pt?.count}, expected ${b.startMs}/${b.count}`);
      if (b.count === 0) {
        if (pt.avg !== null || pt.min !== null || pt.max !== null || pt.sum !== null) problems.push(`${where}: empty bucket with values`);
        return;
      }
      if (pt.min !== b.min || pt.max !== b.max) problems.push(`${where}: min/max ${pt.min}/${pt.max}, expected ${b.min}/${b.max}`);
      const avg = b.sum / b.count;
      if (Math.abs((pt.avg as number) - avg) > relTol * Math.abs(avg)) problems.push(`${where}: avg ${pt.avg}, expected ${avg}`);
    });
  }
  return problems;
}
