/**
 * Faults and overlap of the builder Lambda against dynalite + s3rver (in-process peers), with a
 * fault-injecting store wrapper, building with the real core (`runBuild`). A window is ONE object
 * (`latest_<w>.snapshots`: metas, payloads, state) written by one PutObject per build.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { allSnapshots, devicePrefix, GRANULARITIES, payloadVersionId, windowObjectKey, type Granularity, type Window } from '../../builder/constants.js';
import { getPublished, readWindow } from '../support/builder-harness.js';
import type { Clock, ObjectStore } from '../../builder/ports.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { createBuilderHandler, type ScheduledResult } from '../../cloud/builder-handler.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { locateSnapshot, readPayloadObject } from '../../api/snapshots.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startVersionedS3, type VersionedS3Handle } from '../support/versioned-s3.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { FaultyStore } from '../support/faulty-store.js';
import { publishedProblems } from '../support/published-check.js';
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
const objectKey = (w: Window) => devicePrefix(DEV) + windowObjectKey(w);
/** The stored bytes of a window object (it must be there). */
const objectBytes = async (w: Window, store: ObjectStore = bucket) => Buffer.from((await store.get(objectKey(w)))!.body);
const meta = async (w: Window, g: Granularity, store: ObjectStore = bucket): Promise<SnapshotMeta> => (await readWindow(store, devicePrefix(DEV), w))!.metas.get(g)!;
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

faults('a rejected window-object PutObject keeps the last good payloads, recorded stale with the count in a put of its own', async () => {
  const before = await canonical('1d', 20);
  const beforeMeta = await meta('1d', 20);
  const store = new FaultyStore(bucket);
  for (let run = 1; run <= 2; run++) {
    store.failPublishPuts = 1; // the 1d window's one publishing put; the failure record then passes
    nowMs += MIN;
    const r = ((await handler(store)({ windows: ['1d'] })) as ScheduledResult).reports[0];
    assert.is(r.stale, 4);
    assert.is(r.consecutiveStaleBuilds, run);
    for (const g of GRANULARITIES) {
      const m = await meta('1d', g);
      assert.is(m.stale, true, `1d/${g}`);
      assert.is(m.consecutiveFailures, run);
      assert.match(m.lastError!, /injected/);
    }
    const m = await meta('1d', 20);
    assert.is(m.sha256, beforeMeta.sha256, 'meta still describes the last good payload');
    assert.is(m.generatedAt, beforeMeta.generatedAt);
    assert.is(m.key, beforeMeta.key);
    assert.equal([...(await canonical('1d', 20))], [...before]);
  }
  assert.equal(await publishedProblems(bucket, devicePrefix(DEV)).then((p) => p.problems), []);
  assert.is(JSON.parse(emitted.findLast((l) => l.includes('ConsecutiveStaleBuilds'))!).ConsecutiveStaleBuilds, 2);
});

faults('when the failure record cannot be written either, the window object stays byte for byte; the next good run clears stale', async () => {
  const before = await objectBytes('1d');
  const store = new FaultyStore(bucket);
  store.failWindowPuts = 2; // the publishing put and the failure record's
  nowMs += MIN;
  const r = ((await handler(store)({ windows: ['1d'] })) as ScheduledResult).reports[0];
  assert.is(r.stale, 4);
  assert.is(store.failWindowPuts, 0, 'both puts were tried');
  assert.ok((await objectBytes('1d')).equals(before), 'the previous object, untouched');
  assert.is((await meta('1d', 100)).consecutiveFailures, 2, 'the count of the runs that could record theirs');
  nowMs += MIN;
  const ok = ((await handler(bucket)({ windows: ['1d'] })) as ScheduledResult).reports[0];
  assert.is(ok.stale, 0);
  assert.is(ok.consecutiveStaleBuilds, 0);
  for (const g of GRANULARITIES) {
    const m = await meta('1d', g);
    assert.is(m.stale, false);
    assert.is(m.consecutiveFailures, 0);
    assert.is(m.generatedAt, new Date(nowMs).toISOString());
  }
  assert.is(createHash('sha256').update(await canonical('1d', 100)).digest('hex'), (await meta('1d', 100)).sha256);
});

faults('a run killed between two windows\' puts: the first window is the new build, the second the old one, each whole; nothing is left to clean up', async () => {
  const oldOneDay = await objectBytes('1d');
  const keysBefore = await bucket.list(devicePrefix(DEV));
  const store = new FaultyStore(bucket);
  store.dieAfterWindowPuts = 1; // 1h is published first; the writer dies right after its put
  nowMs += MIN;
  await handler(store)({ windows: ['1h', '1d'] });
  assert.equal(store.calls.filter((c) => c.startsWith('put ')), [`put ${objectKey('1h')}`], 'one put reached S3');
  for (const g of GRANULARITIES) assert.is((await meta('1h', g)).generatedAt, new Date(nowMs).toISOString(), `1h/${g}: the new build`);
  assert.ok((await objectBytes('1d')).equals(oldOneDay), '1d: the old object, whole');
  const { problems, built, windows } = await publishedProblems(bucket, devicePrefix(DEV));
  assert.equal(problems, []);
  assert.equal([built, windows], [8, 2]);
  assert.equal(await bucket.list(devicePrefix(DEV)), keysBefore, 'no staged key, no orphaned version: there is nothing to sweep');
});

faults('a scheduled run reads each window object once (its state), writes it once, and reports health from the metas it wrote', async () => {
  const store = new FaultyStore(bucket);
  nowMs += MIN;
  const r = ((await handler(store)({ windows: ['1h', '1d'] })) as ScheduledResult).reports[0];
  assert.is(r.stale, 0);
  assert.equal(store.calls.filter((c) => c.includes('.snapshots')), [`get ${objectKey('1h')}`, `get ${objectKey('1d')}`, `put ${objectKey('1h')}`, `put ${objectKey('1d')}`]);
  assert.is(store.count('list'), 0, 'no LIST once every window has its object');
  assert.is(store.count('delete'), 0);
  for (const h of r.windowHealth) {
    const stored = await Promise.all(GRANULARITIES.map((g) => meta(h.window, g)));
    assert.is(h.consecutiveStaleBuilds, 0);
    assert.is(h.snapshotAgeMs, nowMs - Math.min(...stored.map((m) => Date.parse(m.generatedAt!))), h.window);
  }
});

faults.run();

// Overlap runs against the versioned-S3 EMULATION, not s3rver: s3rver rewrites an object's file in place,
// so a GET racing a PutObject can see a truncated body there, which real S3 (atomic PUT) never shows.
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
      const m = await meta(window, granularity, vstore);
      assert.is(m.sha256, createHash('sha256').update(body).digest('hex'), `${window}_${granularity} meta matches canonical`);
      assert.ok([base, base + 1 + round].map((t) => new Date(t).toISOString()).includes(m.generatedAt!), 'the build of one of the two runs');
    }
    const { problems, built } = await publishedProblems(vstore, devicePrefix(DEV));
    assert.equal([problems, built], [[], 8]);
  }
});


overlap('a build is ONE new S3 version of its window object; its versionId is pinnable until the next build replaces it', async () => {
  nowMs += MIN;
  const key = objectKey('1h');
  const versionsBefore = vs3.versions(key).length;
  await handler(vstore)({ windows: ['1h'] });
  assert.is(vs3.versions(key).length, versionsBefore + 1, 'one PutObject of the window object');
  const head = await vs3.client.send(new HeadObjectCommand({ Bucket: vs3.bucket, Key: key }));
  assert.equal([head.ContentType, head.ContentEncoding], ['application/octet-stream', undefined]);
  const first = await meta('1h', 100, vstore);
  const firstBody = (await getPublished(vstore, devicePrefix(DEV), '1h', 100))!.body;
  assert.is(first.key, key);
  assert.is(first.versionId, payloadVersionId(nowMs, first.sha256!));
  const located = async () => (await locateSnapshot(vstore, DEV, '1h', 100, nowMs, 'canonical'))!;
  assert.equal([...readPayloadObject(await located(), first.versionId!)!.body], [...firstBody], 'the current version is pinnable');
  nowMs += MIN;
  await handler(vstore)({ windows: ['1h'] });
  const second = await meta('1h', 100, vstore);
  assert.is.not(second.versionId, first.versionId);
  assert.is(readPayloadObject(await located(), first.versionId!), undefined, 'the replaced version is gone (the API answers 404)');
  const current = readPayloadObject(await located(), second.versionId!)!;
  assert.is(JSON.parse(gunzipSync(current.body).toString()).generatedAt, new Date(nowMs).toISOString());
});
overlap.run();
