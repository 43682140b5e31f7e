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
import { allSnapshots, devicePrefix, GRANULARITIES, META_TTL_S, WINDOW_NAMES, WINDOWS, windowObjectKey } from '../../builder/constants.js';
import { getPublished, readWindow } from '../support/builder-harness.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { Payload, Sample } from '../../builder/types.js';
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

/** The S3 requests `run` makes through the test's client, as `<Command> <Key or Prefix>`, in order. */
async function s3RequestsOf(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const name = `countRequests${Math.random()}`;
  s3.client.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as { Key?: string; Prefix?: string };
    sent.push(`${String(context.commandName).replace(/Command$/, '')} ${input.Key ?? input.Prefix ?? ''}`);
    return next(args);
  }, { step: 'initialize', name });
  try {
    await run();
  } finally {
    s3.client.middlewareStack.remove(name);
  }
  return sent;
}
const ofCommand = (requests: string[], command: string) => requests.filter((r) => r.startsWith(`${command} `)).map((r) => r.slice(command.length + 1));

/** Keys of the earlier per-snapshot layout (payload, version, staged, meta) the first run in this layout deletes, and a key it keeps. */
const LEGACY_KEYS = ['latest_1h_20.json', 'latest_1h_20.meta.json', 'latest_10d_500.v1700000000000-0123456789abcdef.json', 'latest_12m_250.tmp-1700000000000.json'].map((k) => devicePrefix(DEV) + k);
const FOREIGN_KEY = devicePrefix(DEV) + 'notes.txt';

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

lambda('a scheduled event for every window writes 24 payloads equal to the edge build of the same samples, ONE PutObject per window', async () => {
  for (const key of [...LEGACY_KEYS, FOREIGN_KEY]) await bucket.put(key, Uint8Array.of(1), { contentType: 'application/json' });
  let out: ScheduledResult | undefined;
  const requests = await s3RequestsOf(async () => {
    out = (await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: { windows: [...WINDOW_NAMES] } })) as ScheduledResult;
  });
  assert.is(out!.reports[0].built, 24);
  assert.is(out!.reports[0].stale, 0);
  assert.equal(ofCommand(requests, 'PutObject'), WINDOW_NAMES.map((w) => devicePrefix(DEV) + windowObjectKey(w)), 'one put per window, nothing else written');
  // The first run in this layout lists the prefix once and deletes the earlier layout's keys (and only those).
  assert.equal(ofCommand(requests, 'ListObjectsV2'), [devicePrefix(DEV)]);
  assert.equal(ofCommand(requests, 'DeleteObject').sort(), [...LEGACY_KEYS].sort());
  assert.equal(await bucket.list(devicePrefix(DEV)), [FOREIGN_KEY, ...WINDOW_NAMES.map((w) => devicePrefix(DEV) + windowObjectKey(w))].sort());
  assert.equal(await bucket.list('state/'), [], 'no rollup state object of its own (it is in the window objects), no run health while runs succeed');
  const edge = new MemoryObjectStore();
  await runBuild(
    { deviceId: DEV, store: edge, prefix: 'edge/', source: MemoryBuffer.holding(FIXTURE_SERIES, samples), clock, log: silent, builder: 'lambda' },
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

lambda('a window object is stored binary with the short meta TTL; its metas match the payload sections and name it; it carries the rollup state', async () => {
  for (const window of WINDOW_NAMES) {
    const key = devicePrefix(DEV) + windowObjectKey(window);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.is(head.ContentType, 'application/octet-stream');
    assert.is(head.ContentEncoding, undefined);
    assert.is(head.CacheControl, `public, max-age=${META_TTL_S}`);
    const object = (await readWindow(bucket, devicePrefix(DEV), window))!;
    assert.ok(object.state(), `${window} carries its rollup state`);
    for (const granularity of GRANULARITIES) {
      const meta = object.metas.get(granularity)!;
      const body = object.payload(granularity)!;
      assert.is(meta.sha256, createHash('sha256').update(body).digest('hex'));
      assert.is(meta.bytes, body.byteLength);
      assert.is(meta.key, key);
      assert.is(meta.builder, 'lambda');
      assert.is(meta.stale, false);
      // Served as a payload: gzip JSON with the window's TTL.
      const served = (await getPublished(bucket, devicePrefix(DEV), window, granularity))!;
      assert.equal(served.headers, { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: `public, max-age=${WINDOWS[window].ttlS}` });
      assert.is(decode(served.body).granularity, granularity);
    }
  }
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
  let out: ScheduledResult | undefined;
  const requests = await s3RequestsOf(async () => {
    out = (await handler()({ windows: ['1h'] })) as ScheduledResult;
  });
  const r = out!.reports[0];
  assert.is(r.wasFull, false);
  // On S3: the run health and the window object (its state) read, the window object written once; no LIST, no DELETE.
  assert.equal(ofCommand(requests, 'PutObject'), [devicePrefix(DEV) + windowObjectKey('1h')]);
  assert.equal(ofCommand(requests, 'GetObject').sort(), [`state/${DEV}/run-health.json`, devicePrefix(DEV) + windowObjectKey('1h')].sort());
  assert.is(requests.length, 3, requests.join(', '));
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
