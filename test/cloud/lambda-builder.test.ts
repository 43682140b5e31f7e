/**
 * The builder Lambda end to end against real protocol peers in-process: dynalite (DynamoDB) holding a
 * month of the real bme280-livingroom log in the uploader's item format, s3rver (S3). The payloads are
 * compared with what the same `runBuild` produces from the same samples through an in-memory source.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { allSnapshots, devicePrefix, metaKey, WINDOW_NAMES, WINDOWS } from '../../builder/constants.js';
import { getPublished, publishedKey } from '../support/builder-harness.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { Payload, Sample } from '../../builder/types.js';
import { decodeSnapshotMeta } from '../../builder/snapshot-meta.js';
import { createBuilderHandler, type ScheduledResult, type SqsBatchResult } from '../../cloud/builder-handler.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { handlerFromEnv, LambdaConfigError, parseDeviceIds } from '../../cloud/lambda-builder.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../support/dynalite.js';
import { silentLog as silent } from '../../builder/ports.js';

const MIN = 60_000;
const samples = fixtureSamples();
const lastTs = Math.max(...samples.map((s) => s.tsMs));
const itemCount = new Set(samples.map((s) => s.tsMs)).size;

let db: DynaliteHandle;
let s3: S3rverHandle;
let bucket: S3ObjectStore;
let nowMs = lastTs + MIN;
const clock = { nowMs: () => nowMs };
const emitted: string[] = [];

function handler() {
  return createBuilderHandler({
    bucket,
    sourceFor: () => new DynamoDbSource(db.client, db.table, clock),
    build: runBuild,
    clock,
    log: silent,
    discoverDevices: async () => [DEV],
    emit: (line) => emitted.push(line),
  });
}

const decode = (body: Uint8Array) => JSON.parse(gunzipSync(body).toString('utf8')) as Payload;

const lambda = suite('builder Lambda handler (dynalite + s3rver)');
lambda.before(async () => {
  [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  bucket = new S3ObjectStore(s3.client, s3.bucket);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, samples));
});
lambda.after(async () => {
  await Promise.all([db.close(), s3.close()]);
});

lambda('a scheduled event for every window writes 24 payloads equal to the edge build of the same samples', async () => {
  const out = (await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: { windows: [...WINDOW_NAMES] } })) as ScheduledResult;
  assert.is(out.reports[0].built, 24);
  assert.is(out.reports[0].stale, 0);
  const edge = new MemoryObjectStore();
  await runBuild(
    { deviceId: DEV, store: edge, prefix: 'edge/', statePrefix: 'edge-state/', source: MemoryBuffer.holding(FIXTURE_SERIES, samples), clock, log: silent, builder: 'lambda' },
    { windows: [...WINDOW_NAMES] },
  );
  for (const { window, granularity } of allSnapshots()) {
    const cloud = await getPublished(bucket, devicePrefix(DEV), window, granularity);
    const local = await getPublished(edge, 'edge/', window, granularity);
    assert.ok(cloud, `${window}_${granularity} in S3`);
    const c = decode(cloud!.body);
    assert.equal(c, decode(local!.body), `${window}_${granularity} identical`);
    assert.is(c.series.length, 3);
  }
  // Not vacuous: the 12m/500 payload carries every valid sample of the month.
  const year = decode((await getPublished(bucket, devicePrefix(DEV), '12m', 500))!.body);
  const counted = year.series.map((s) => (s.points as Array<{ count: number }>).reduce((n, p) => n + p.count, 0));
  assert.equal(counted, FIXTURE_SERIES.map((s) => samples.filter((x) => x.seriesId === s.seriesId).length));
});

lambda('published payloads carry application/json, gzip and the window TTL, and meta matches their bytes', async () => {
  for (const { window, granularity } of allSnapshots()) {
    const key = await publishedKey(bucket, devicePrefix(DEV), window, granularity);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.is(head.ContentType, 'application/json');
    assert.is(head.ContentEncoding, 'gzip');
    assert.is(head.CacheControl, `public, max-age=${WINDOWS[window].ttlS}`);
    const meta = decodeSnapshotMeta((await bucket.get(devicePrefix(DEV) + metaKey(window, granularity)))!.body);
    const body = (await bucket.get(key))!.body;
    assert.is(meta.sha256, createHash('sha256').update(body).digest('hex'));
    assert.is(meta.builder, 'lambda');
    assert.is(meta.stale, false);
  }
  assert.not.ok((await bucket.list(devicePrefix(DEV))).some((k) => k.includes('.tmp-')), 'no staged key left');
});

lambda('emits EMF through Powertools: a run line (ItemsRead, ConsumedRCU, DurationMs) and a line per window, namespace Sensorctl, device as metadata', async () => {
  const lines = emitted.map((l) => JSON.parse(l));
  const line = lines.find((l) => 'ItemsRead' in l && l.deviceId === DEV)!;
  assert.is(line._aws.CloudWatchMetrics[0].Namespace, 'Sensorctl');
  assert.equal(line._aws.CloudWatchMetrics[0].Dimensions, [['service']]);
  assert.is(line.service, 'sensorctl-builder');
  assert.equal(line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name), ['ItemsRead', 'ConsumedRCU', 'DurationMs']);
  assert.is(line.deviceId, DEV);
  // Every item once plus the catalogue; the core also re-reads the raw ranges of windows that hold ≤ 500 samples.
  assert.ok(line.ItemsRead >= itemCount + 1 && line.ItemsRead < 2 * itemCount, `${line.ItemsRead} items`);
  assert.ok(line.ConsumedRCU > 0);
  const at = lines.indexOf(line) + 1;
  const windows = lines.slice(at, at + WINDOW_NAMES.length);
  assert.equal(windows.map((l) => l.Window), [...WINDOW_NAMES]);
  for (const w of windows) {
    assert.is(w.ConsecutiveStaleBuilds, 0);
    assert.is(w.SnapshotAgeMs, 0, 'built at the clock\'s now');
  }
  // Then the invocation's fleet line: one device built, none failed.
  const fleet = lines[at + WINDOW_NAMES.length];
  assert.equal(fleet._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name), ['DevicesBuilt', 'DeviceBuildErrors', 'FleetRunMs']);
  assert.is(fleet.DevicesBuilt, 1);
  assert.is(fleet.DeviceBuildErrors, 0);
});

lambda('a second run after one new minute reads only the new item', async () => {
  const fresh: Sample[] = FIXTURE_SERIES.map((s, i) => ({ seriesId: s.seriesId, tsMs: lastTs + MIN, value: [22.5, 41, 100_900][i] }));
  await writeItems(db.client, db.table, samplesToItems(DEV, fresh));
  nowMs += MIN;
  const out = (await handler()({ windows: ['1h'] })) as ScheduledResult;
  const r = out.reports[0];
  assert.is(r.wasFull, false);
  // Per-window change reads (6 × the new item) plus the raw 500 variant's range read of the 1h window.
  const lastHourItems = new Set(samples.filter((s) => s.tsMs > nowMs - 3_600_000).map((s) => s.tsMs)).size + 1;
  assert.ok(r.itemsRead <= 1 + 6 + lastHourItems, `${r.itemsRead} items, not the month's ${itemCount}`);
  assert.is(r.built, 4);
  const p = decode((await getPublished(bucket, devicePrefix(DEV), '1h', 20))!.body);
  const last = p.series.find((s) => s.id === 'bme280.tempC')!.points.at(-1) as { count: number; max: number };
  assert.ok(last.count >= 1 && last.max >= 22.5, 'the new minute is in the last bucket');
});

lambda('a late backlog marked by the uploader lands in the right buckets (full re-aggregation)', async () => {
  const t = lastTs - 3 * 86_400_000 + 7 * MIN; // three days back, inside an existing 10d bucket
  const late: Sample[] = [{ seriesId: 'bme280.tempC', tsMs: t, value: 30.125 }];
  await writeItems(db.client, db.table, samplesToItems(DEV, late));
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES, t);
  nowMs += MIN;
  const r = ((await handler()({ windows: ['10d'] })) as ScheduledResult).reports[0];
  assert.is(r.wasFull, true);
  const p = decode((await getPublished(bucket, devicePrefix(DEV), '10d', 500))!.body);
  const point = (p.series.find((s) => s.id === 'bme280.tempC')!.points as Array<{ startMs: number; count: number; max: number }>).find(
    (x) => x.startMs <= t && t < x.startMs + p.bucketMs!,
  )!;
  const brute = [...samples, ...late].filter((s) => s.seriesId === 'bme280.tempC' && s.tsMs >= point.startMs && s.tsMs < point.startMs + p.bucketMs!);
  assert.is(point.count, brute.length);
  assert.is(point.max, Math.max(...brute.map((s) => s.value)));
});

lambda('SQS refresh jobs are built per record and only bad records are reported as failures', async () => {
  const out = (await handler()({
    Records: [
      { messageId: 'ok-1', eventSource: 'aws:sqs', body: JSON.stringify({ requestId: 'r1', deviceId: DEV, window: '1h' }) },
      { messageId: 'bad-1', eventSource: 'aws:sqs', body: JSON.stringify({ window: '2h' }) },
      { messageId: 'bad-2', eventSource: 'aws:sqs', body: 'not json' },
    ],
  })) as SqsBatchResult;
  assert.equal(out.batchItemFailures, [{ itemIdentifier: 'bad-1' }, { itemIdentifier: 'bad-2' }]);
  assert.is(emitted.map((l) => JSON.parse(l)).findLast((l) => 'ItemsRead' in l).requestId, 'r1', 'the run line carries the job\'s requestId');
});

lambda.run();

const env = suite('handlerFromEnv / parseDeviceIds');
env('names the missing variable', () => {
  try {
    handlerFromEnv({ TABLE_NAME: 't' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LambdaConfigError);
    assert.is((err as LambdaConfigError).variable, 'SNAPSHOT_BUCKET');
  }
});
env('needs no DEVICE_IDS (the fleet is discovered) and rejects a BUILD_CONCURRENCY below 1', () => {
  assert.type(handlerFromEnv({ TABLE_NAME: 't', BUCKET_NAME: 'b', AWS_REGION: 'us-east-1' }), 'function');
  try {
    handlerFromEnv({ TABLE_NAME: 't', BUCKET_NAME: 'b', AWS_REGION: 'us-east-1', BUILD_CONCURRENCY: '0' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LambdaConfigError);
    assert.is((err as LambdaConfigError).variable, 'BUILD_CONCURRENCY');
  }
});
env('splits a device list (the API DEVICE_IDS) on commas and rejects an invalid id', () => {
  assert.equal(parseDeviceIds(' pi-kitchen, livingroom ,'), ['pi-kitchen', 'livingroom']);
  assert.throws(() => parseDeviceIds('ok,bad id'), /DEVICE_IDS/);
});
env.run();
