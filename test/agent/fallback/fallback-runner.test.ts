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
import { CLOUD_SCHEDULED_WINDOWS, devicePrefix, fallbackPrefix, metaKey, WINDOW_NAMES, type Window } from '../../../builder/constants.js';
import { KeyOutsidePrefixError, WriteFencedObjectStore } from '../../../builder/prefixed-object-store.js';
import { S3ObjectStore } from '../../../aws/s3-object-store.js';
import type { Payload, SnapshotMeta } from '../../../builder/types.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { FallbackRunner, fallbackStore } from '../../../agent/fallback/fallback-runner.js';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../../support/bme280-fixture.js';
import { runBuild } from '../../../builder/run-build.js';
import { decodeSnapshotMeta } from '../../../builder/snapshot-meta.js';
import { silentLog as silent } from '../../../builder/ports.js';

const samples = fixtureSamples();
const lastTs = Math.max(...samples.map((s) => s.tsMs));
let s3: S3rverHandle;
let bucket: S3ObjectStore;
let buffer: SqliteBuffer;
let dir: string;
let nowMs = lastTs + 60_000;
const clock = { nowMs: () => nowMs };

async function writeCloudMeta(isStale: boolean): Promise<void> {
  for (const w of WINDOW_NAMES) {
    const m: Partial<SnapshotMeta> = { schemaVersion: 1, window: w, granularity: 20, device: DEV, generatedAt: new Date(nowMs - 1000).toISOString(), stale: isStale, consecutiveFailures: isStale ? 5 : 0, builder: 'lambda' };
    await bucket.put(devicePrefix(DEV) + metaKey(w, 20), new TextEncoder().encode(JSON.stringify(m)), { contentType: 'application/json' });
  }
}
const fallbackKeys = async () => (await bucket.list(fallbackPrefix(DEV))).filter((k) => !k.includes('.meta.'));
const canonicalPayloads = async () => (await bucket.list(devicePrefix(DEV))).filter((k) => !k.includes('.meta.'));

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
  assert.is((await fallbackKeys()).length, 20);
  assert.equal((await fallbackKeys()).filter((k) => k.includes('latest_1h_')), [], 'no 1h fallback pushed');
  const meta = decodeSnapshotMeta((await bucket.get(fallbackPrefix(DEV) + metaKey('1d', 100)))!.body);
  assert.is(meta.builder, 'pi');
  const payload = JSON.parse(gunzipSync((await getPublished(bucket, fallbackPrefix(DEV), '12m', 500))!.body).toString()) as Payload;
  const counted = payload.series.reduce((n, s) => n + (s.points as Array<{ count: number }>).reduce((m, p) => m + p.count, 0), 0);
  assert.is(counted, samples.length, 'built from the Pi\'s own samples');
  assert.equal(await canonicalPayloads(), [], 'no canonical payload written');
  const written = (await bucket.list('')).filter((k) => !/^snapshots\/[^/]+\/latest_[0-9a-z]+_20\.meta\.json$/.test(k)); // minus the cloud meta the test wrote
  assert.ok(written.every((k) => k.startsWith('fallback/')), 'state and meta under fallback/ too');
  assert.ok(written.some((k) => k.startsWith(`fallback/state/${DEV}/`)));
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
f.run();

const fence = suite('fallbackStore fence');
fence.before(async () => {
  s3 = await startS3rver();
  bucket = new S3ObjectStore(s3.client, s3.bucket);
});
fence.after(async () => s3.close());
fence('refuses to write or delete canonical keys, before any request', async () => {
  const fenced = new WriteFencedObjectStore(bucket, 'fallback/');
  const canonical = devicePrefix(DEV) + 'latest_1h_20.json';
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
  await store.put(`fallback/snapshots/${DEV}/latest_1h_20.json`, Uint8Array.of(1), { contentType: 'application/json' });
  assert.equal(await bucket.list(''), [`fallback/snapshots/${DEV}/latest_1h_20.json`]);
  try {
    await store.put(`fallback/snapshots/${DEV}/../../../snapshots/${DEV}/latest_1h_20.json`, Uint8Array.of(1), { contentType: 'application/json' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, KeyOutsidePrefixError);
  }
});
fence.run();
