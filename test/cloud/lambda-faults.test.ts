/**
 * Faults and overlap of the builder Lambda against dynalite + s3rver (in-process peers), with a
 * fault-injecting store wrapper, building with the real core (`runBuild`).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { allSnapshots, devicePrefix, metaKey } from '../../builder/constants.js';
import { payloadKeyOfVersion } from '../../builder/snapshot-meta.js';
import { getPublished } from '../support/builder-harness.js';
import type { Clock, ObjectStore } from '../../builder/ports.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { createBuilderHandler, type ScheduledResult } from '../../cloud/builder-handler.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startVersionedS3, type VersionedS3Handle } from '../support/versioned-s3.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { FaultyStore } from '../support/faulty-store.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../support/dynalite.js';
import { silentLog as silent } from '../../builder/ports.js';

const MIN = 60_000;
const samples = fixtureSamples();
const lastTs = Math.max(...samples.map((s) => s.tsMs));
let db: DynaliteHandle;
let s3: S3rverHandle;
let bucket: S3ObjectStore;
let nowMs = lastTs + MIN;
const clock = { nowMs: () => nowMs };
const emitted: string[] = [];

const handler = (store: ObjectStore, c: Clock = clock) =>
  createBuilderHandler({
    bucket: store,
    sourceFor: () => new DynamoDbSource(db.client, db.table, c),
    build: runBuild,
    clock: c,
    log: silent,
    discoverDevices: async () => [DEV],
    emit: (line) => emitted.push(line),
  });
const text = async (key: string) => new TextDecoder().decode((await bucket.get(key))!.body);
const meta = async (w: string, g: number) => JSON.parse(await text(`${devicePrefix(DEV)}latest_${w}_${g}.meta.json`)) as SnapshotMeta;
const canonical = async (w: '1h' | '1d', g: 20 | 100) => (await getPublished(bucket, devicePrefix(DEV), w, g))!.body;

const faults = suite('builder Lambda under S3 faults');
faults.before(async () => {
  [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  bucket = new S3ObjectStore(s3.client, s3.bucket);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, samples));
  await handler(bucket)({ windows: ['1h', '1d'] });
});
faults.after(async () => {
  await Promise.all([db.close(), s3.close()]);
});

faults('a rejected payload PutObject leaves meta naming the last good payload and marks it stale with the count', async () => {
  const before = await canonical('1d', 20);
  const beforeMeta = await meta('1d', 20);
  const store = new FaultyStore(bucket);
  for (let run = 1; run <= 2; run++) {
    store.failPayloadPuts = 4; // the four granularities of 1d
    nowMs += MIN;
    const r = ((await handler(store)({ windows: ['1d'] })) as ScheduledResult).reports[0];
    assert.is(r.stale, 4);
    assert.is(r.consecutiveStaleBuilds, run);
    const m = await meta('1d', 20);
    assert.is(m.stale, true);
    assert.is(m.consecutiveFailures, run);
    assert.match(m.lastError!, /injected/);
    assert.is(m.sha256, beforeMeta.sha256, 'meta still describes the last good payload');
    assert.is(m.key, beforeMeta.key);
    assert.equal([...(await canonical('1d', 20))], [...before]);
  }
  assert.is(JSON.parse(emitted.findLast((l) => l.includes("ConsecutiveStaleBuilds"))!).ConsecutiveStaleBuilds, 2);
});

faults('a rejected meta PutObject leaves the old meta naming its payload; the next good run clears stale', async () => {
  const before = await canonical('1d', 100);
  const store = new FaultyStore(bucket);
  store.failMetaPuts = 4;
  nowMs += MIN;
  const r = ((await handler(store)({ windows: ['1d'] })) as ScheduledResult).reports[0];
  assert.is(r.stale, 4);
  assert.is((await meta('1d', 100)).consecutiveFailures, 3);
  assert.equal([...(await canonical('1d', 100))], [...before]);
  nowMs += MIN;
  const ok = ((await handler(bucket)({ windows: ['1d'] })) as ScheduledResult).reports[0];
  assert.is(ok.stale, 0);
  assert.is(ok.consecutiveStaleBuilds, 0);
  const m = await meta('1d', 100);
  assert.is(m.stale, false);
  assert.is(m.consecutiveFailures, 0);
  assert.is(createHash('sha256').update(await canonical('1d', 100)).digest('hex'), m.sha256);
});

faults('a run killed between the payload and the meta write: every meta still names its old, complete payload; the next hourly listing deletes the orphans', async () => {
  const grans = [20, 100, 250, 500] as const;
  const beforeMetas = await Promise.all(grans.map((g) => meta('1h', g)));
  const store = new FaultyStore(bucket);
  store.dieAfterPayloadPuts = 1; // the window's 4 payload puts are in flight together; the writer dies after the first lands
  nowMs += MIN;
  const keysBefore = await bucket.list(devicePrefix(DEV));
  await handler(store)({ windows: ['1h'] });
  const orphans = (await bucket.list(devicePrefix(DEV))).filter((k) => !keysBefore.includes(k));
  assert.equal(orphans.map((k) => /latest_1h_(\d+)\.v/.exec(k)?.[1]).sort(), ['100', '20', '250', '500'], 'the payload round landed, no meta round');
  for (const [i, g] of grans.entries()) {
    const m = await meta('1h', g);
    assert.equal(m, beforeMetas[i], `1h/${g} meta untouched by the killed run`);
    const body = (await getPublished(bucket, devicePrefix(DEV), '1h', g))!.body;
    assert.is(createHash('sha256').update(body).digest('hex'), m.sha256, `1h/${g}: meta names a complete payload`);
  }
  // Cloud runs list (and so delete old versions) only in the first cadence of each hour (CLOUD_LIST_EVERY_MS).
  const HOUR = 60 * MIN;
  for (const next of [Math.floor(nowMs / HOUR) * HOUR + HOUR - 2 * MIN, Math.floor(nowMs / HOUR) * HOUR + HOUR + 1_000]) {
    nowMs = next;
    const r = ((await handler(bucket)({ windows: ['1h'] })) as ScheduledResult).reports[0];
    assert.is(r.stale, 0);
    const left = await bucket.list(devicePrefix(DEV));
    assert.is(orphans.filter((k) => left.includes(k)).length, next % HOUR !== 1_000 ? 4 : 0, `orphans kept until the hourly listing (${new Date(next).toISOString()})`);
  }
});

faults('a scheduled run reports window health from the metas it wrote, reading no meta back', async () => {
  const metaGets: string[] = [];
  const counting = new Proxy(bucket, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (prop === 'get') {
        return (key: string, options?: { versionId?: string }) => {
          if (key.endsWith('.meta.json')) metaGets.push(key);
          return target.get(key, options);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  nowMs += MIN;
  const r = ((await handler(counting)({ windows: ['1h', '1d'] })) as ScheduledResult).reports[0];
  assert.is(r.stale, 0);
  assert.equal(metaGets, [], 'the 8 metas were not read back');
  for (const h of r.windowHealth) {
    const stored = await Promise.all(([20, 100, 250, 500] as const).map((g) => meta(h.window, g)));
    assert.is(h.consecutiveStaleBuilds, 0);
    assert.is(h.snapshotAgeMs, nowMs - Math.min(...stored.map((m) => Date.parse(m.generatedAt!))), h.window);
  }
});

faults.run();

// Overlap runs against the versioned-S3 EMULATION, not s3rver: s3rver rewrites an object's file in place,
// so a GET racing a CopyObject can see a truncated body there, which real S3 (atomic PUT/COPY) never shows.
let vs3: VersionedS3Handle;
let vstore: S3ObjectStore;
const overlap = suite('builder Lambda, two overlapping runs (versioned S3 emulation)');
overlap.before(async () => {
  vs3 = await startVersionedS3();
  vstore = new S3ObjectStore(vs3.client, vs3.bucket);
  [db] = await Promise.all([startDynalite()]);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, samples));
  await handler(vstore)({ windows: ['1h', '1d'] });
});
overlap.after(async () => {
  await Promise.all([db.close(), vs3.close()]);
});
overlap('two overlapping runs never expose an invalid published payload and end with meta matching it', async () => {
  for (let round = 0; round < 3; round++) {
    nowMs += MIN;
    const base = nowMs;
    const a = handler(vstore, { nowMs: () => base });
    const b = handler(vstore, { nowMs: () => base + 1 + round });
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        for (const { window, granularity } of allSnapshots().filter((s) => s.window === '1h' || s.window === '1d')) {
          const o = await getPublished(vstore, devicePrefix(DEV), window, granularity);
          JSON.parse(gunzipSync(o!.body).toString('utf8')); // throws on a partial or mismatched body
          reads++;
        }
      }
    })();
    await Promise.all([a({ windows: ['1h', '1d'] }), b({ windows: ['1h', '1d'] })]);
    reading = false;
    await reader;
    assert.ok(reads > 0);
    for (const { window, granularity } of allSnapshots().filter((s) => s.window === '1h' || s.window === '1d')) {
      const body = (await getPublished(vstore, devicePrefix(DEV), window, granularity))!.body;
      const m = JSON.parse(new TextDecoder().decode((await vstore.get(devicePrefix(DEV) + metaKey(window, granularity)))!.body)) as SnapshotMeta;
      assert.is(m.sha256, createHash('sha256').update(body).digest('hex'), `${window}_${granularity} meta matches canonical`);
    }
  }
});


overlap('meta.versionId names an immutable version key, and the previous version stays fetchable after a newer build', async () => {
  nowMs += MIN;
  await handler(vstore)({ windows: ['1h'] });
  const readMeta = async () => JSON.parse(new TextDecoder().decode((await vstore.get(devicePrefix(DEV) + metaKey('1h', 100)))!.body)) as SnapshotMeta;
  const first = await readMeta();
  const pinnedKey = payloadKeyOfVersion(devicePrefix(DEV), '1h', 100, first.versionId!)!;
  assert.is(pinnedKey, first.key);
  const head = await vs3.client.send(new HeadObjectCommand({ Bucket: vs3.bucket, Key: pinnedKey }));
  assert.is(head.ContentEncoding, 'gzip');
  const firstBody = (await vstore.get(first.key))!.body;
  nowMs += MIN;
  await handler(vstore)({ windows: ['1h'] });
  const second = await readMeta();
  assert.is.not(second.versionId, first.versionId);
  const pinned = await vstore.get(pinnedKey);
  assert.equal([...pinned!.body], [...firstBody]);
  assert.is(createHash('sha256').update(pinned!.body).digest('hex'), first.sha256);
  assert.is.not(JSON.parse(gunzipSync(pinned!.body).toString()).generatedAt, JSON.parse(gunzipSync((await vstore.get(second.key))!.body).toString()).generatedAt);
});
overlap.run();
