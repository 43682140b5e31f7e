/**
 * FallbackRunner against s3rver (real S3 peer, in-process) and a real SQLite buffer (temp file) holding
 * a month of the bme280-livingroom log, built by the real builder core (`runBuild`).
 */
import { getPublished } from '../../support/builder-harness.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CLOUD_SCHEDULED_WINDOWS, devicePrefix, fallbackPrefix, windowObjectKey, WINDOW_NAMES, type Window } from '../../../builder/constants.js';
import { KeyOutsidePrefixError, WriteFencedObjectStore } from '../../../builder/prefixed-object-store.js';
import { S3ObjectStore } from '../../../aws/s3-object-store.js';
import type { Payload } from '../../../builder/types.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { FallbackRunner, fallbackStore } from '../../../agent/fallback/fallback-runner.js';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../../support/bme280-fixture.js';
import { runBuild } from '../../../builder/run-build.js';
import { readWindowObject } from '../../../builder/publish.js';
import { WINDOW_METAS_READ_BYTES } from '../../../builder/window-object.js';
import type { ObjectStore } from '../../../builder/ports.js';
import { buildPayload, putSnapshot } from '../../support/snapshot-fixtures.js';
import { silentLog as silent } from '../../../builder/ports.js';

const samples = fixtureSamples();
const lastTs = Math.max(...samples.map((s) => s.tsMs));
let s3: S3rverHandle;
let bucket: S3ObjectStore;
let buffer: SqliteBuffer;
let dir: string;
let nowMs = lastTs + 60_000;
const clock = { nowMs: () => nowMs };

/** The canonical window objects as the test last wrote them (key → bytes): the cloud's, never the Pi's. */
const cloudObjects = new Map<string, Uint8Array>();

/** The cloud's window objects of every window: a built 20-point snapshot (meta `builder: 'lambda'`), stale or not. */
async function writeCloudMeta(isStale: boolean): Promise<void> {
  for (const w of WINDOW_NAMES) {
    const generatedAtMs = nowMs - 1000;
    const payload = buildPayload({ device: DEV, window: w, granularity: 20, toMs: generatedAtMs, generatedAtMs, series: [] });
    await putSnapshot(bucket, payload, { meta: { stale: isStale, consecutiveFailures: isStale ? 5 : 0, builder: 'lambda' } });
    const key = devicePrefix(DEV) + windowObjectKey(w);
    cloudObjects.set(key, (await bucket.get(key))!.body);
  }
}
const fallbackKeys = async () => bucket.list(fallbackPrefix(DEV));
/** Canonical objects whose bytes are not what the test wrote (the Pi must never write one). */
const canonicalWrittenByPi = async () => {
  const out: string[] = [];
  for (const k of await bucket.list(devicePrefix(DEV))) {
    const wrote = cloudObjects.get(k);
    if (!wrote || !Buffer.from((await bucket.get(k))!.body).equals(Buffer.from(wrote))) out.push(k);
  }
  return out;
};

function runner(): FallbackRunner {
  return new FallbackRunner({
    deviceId: DEV, bucket, source: buffer, build: runBuild, clock, log: silent,
  });
}

const f = suite('FallbackRunner (s3rver + SQLite)');
f.before(async () => {
  s3 = await startS3rver();
  bucket = new S3ObjectStore(s3.client, s3.bucket);
  dir = mkdtempSync(join(tmpdir(), 'fallback-'));
  buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries(FIXTURE_SERIES);
  buffer.insert(DEV, samples);
});
f.after(async () => {
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
  await s3.close();
});

f('stale cloud meta three times in a row makes fallback objects appear, built by the Pi', async () => {
  const r = runner();
  await writeCloudMeta(true);
  for (let i = 1; i <= 2; i++) {
    nowMs += 60_000;
    assert.is((await r.check()).pushed, undefined, `no push at check ${i}`);
    assert.equal(await fallbackKeys(), []);
  }
  nowMs += 60_000;
  const third = await r.check();
  // The on-read 1h window (its cloud meta written stale above too) is not counted nor pushed (issue 14).
  assert.equal(third.decision.push, [...CLOUD_SCHEDULED_WINDOWS]);
  assert.not.ok('1h' in third.decision.verdicts, '1h is not judged');
  assert.is(third.pushed!.snapshots.filter((s) => s.ok).length, 20);
  // One window object per pushed window, nothing else (no per-snapshot meta, payload or state key).
  assert.equal((await fallbackKeys()).sort(), CLOUD_SCHEDULED_WINDOWS.map((w) => fallbackPrefix(DEV) + windowObjectKey(w)).sort());
  assert.equal((await fallbackKeys()).filter((k) => k.includes('latest_1h')), [], 'no 1h fallback pushed');
  const object = (await readWindowObject(bucket, fallbackPrefix(DEV), '1d'))!;
  assert.is(object.metas.get(100)!.builder, 'pi');
  assert.is(object.metas.get(100)!.stale, false);
  const payload = JSON.parse(gunzipSync((await getPublished(bucket, fallbackPrefix(DEV), '12m', 500))!.body).toString()) as Payload;
  const counted = payload.series.reduce((n, s) => n + (s.points as Array<{ count: number }>).reduce((m, p) => m + p.count, 0), 0);
  assert.is(counted, samples.length, 'built from the Pi\'s own samples');
  assert.equal(await canonicalWrittenByPi(), [], 'no canonical object written by the Pi');
  const written = (await bucket.list('')).filter((k) => !cloudObjects.has(k)); // minus the cloud objects the test wrote
  assert.ok(written.length > 0 && written.every((k) => k.startsWith('fallback/')), 'window objects (with their state) under fallback/ only');
  for (const w of CLOUD_SCHEDULED_WINDOWS) {
    assert.ok((await readWindowObject(bucket, fallbackPrefix(DEV), w))!.state()!.byteLength > 0, `the fallback's rollup state of ${w} is in its window object`);
  }
});

f('fresh cloud builds again: the Pi stops pushing', async () => {
  const r = runner();
  await writeCloudMeta(true);
  for (let i = 0; i < 3; i++) (nowMs += 60_000), await r.check();
  const before = new Map(await Promise.all((await bucket.list(fallbackPrefix(DEV))).map(async (k) => [k, (await bucket.head(k))!.etag] as const)));
  await writeCloudMeta(false);
  nowMs += 60_000;
  const out = await r.check();
  assert.equal(out.decision.stopped, [...CLOUD_SCHEDULED_WINDOWS]);
  assert.is(out.pushed, undefined);
  nowMs += 60_000;
  await writeCloudMeta(false); // the cloud keeps building every cadence
  assert.is((await r.check()).pushed, undefined);
  const after = new Map(await Promise.all((await bucket.list(fallbackPrefix(DEV))).map(async (k) => [k, (await bucket.head(k))!.etag] as const)));
  assert.equal(after, before, 'nothing pushed after the cloud recovered');
});

f('pushNow (sensorctl rebuild --fallback) pushes the named windows whatever the cloud says', async () => {
  await writeCloudMeta(false);
  nowMs += 60_000;
  const r = await runner().pushNow(['1h'] as Window[]);
  assert.is(r.snapshots.length, 4);
  assert.ok(r.snapshots.every((s) => s.ok));
});
f('a check reads only the header of each cloud window object (one ranged GET, no full GET); an undecodable one is unknown, not stale', async () => {
  await writeCloudMeta(false);
  nowMs += 1000;
  const reads: string[] = [];
  const recording: ObjectStore = Object.assign(Object.create(bucket) as S3ObjectStore, {
    get: (key: string, o?: { versionId?: string }) => (reads.push(`get ${key}`), bucket.get(key, o)),
    getRange: (key: string, start: number, length: number) => (reads.push(`range ${key} ${start}+${length}`), bucket.getRange(key, start, length)),
  });
  const r = new FallbackRunner({ deviceId: DEV, bucket: recording, source: buffer, build: runBuild, clock, log: silent });
  const fresh = await r.check();
  assert.equal(fresh.decision.verdicts, Object.fromEntries(CLOUD_SCHEDULED_WINDOWS.map((w) => [w, 'fresh'])));
  assert.equal(reads, CLOUD_SCHEDULED_WINDOWS.map((w) => `range ${devicePrefix(DEV)}${windowObjectKey(w)} 0+${WINDOW_METAS_READ_BYTES}`));
  await bucket.put(devicePrefix(DEV) + windowObjectKey('1d'), new TextEncoder().encode('not a window object'), { contentType: 'application/octet-stream' });
  const broken = await r.check();
  assert.equal(broken.decision.verdicts, Object.fromEntries(CLOUD_SCHEDULED_WINDOWS.map((w) => [w, w === '1d' ? 'unknown' : 'fresh'])));
  assert.is(broken.pushed, undefined);
  cloudObjects.delete(devicePrefix(DEV) + windowObjectKey('1d'));
});
f.run();

const fence = suite('fallbackStore fence');
fence.before(async () => {
  s3 = await startS3rver();
  bucket = new S3ObjectStore(s3.client, s3.bucket);
});
fence.after(async () => s3.close());
fence('refuses to write or delete canonical keys, before any request', async () => {
  const fenced = new WriteFencedObjectStore(bucket, 'fallback/');
  const canonical = devicePrefix(DEV) + windowObjectKey('1h');
  for (const attempt of [
    () => fenced.put(canonical, Uint8Array.of(1), { contentType: 'application/json' }),
    () => fenced.delete(canonical),
    () => fenced.put('fallback/../snapshots/x.json', Uint8Array.of(1), { contentType: 'application/json' }),
  ]) {
    try {
      await attempt();
      assert.unreachable();
    } catch (err) {
      assert.instance(err, KeyOutsidePrefixError);
    }
  }
  assert.equal(await bucket.list(''), []);
});
fence('the Pi\'s store writes under fallback/ and refuses a key climbing out of it', async () => {
  const store = fallbackStore(bucket);
  await store.put(`fallback/snapshots/${DEV}/${windowObjectKey('1h')}`, Uint8Array.of(1), { contentType: 'application/json' });
  assert.equal(await bucket.list(''), [`fallback/snapshots/${DEV}/${windowObjectKey('1h')}`]);
  try {
    await store.put(`fallback/snapshots/${DEV}/../../../snapshots/${DEV}/${windowObjectKey('1h')}`, Uint8Array.of(1), { contentType: 'application/json' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, KeyOutsidePrefixError);
  }
});
fence.run();
