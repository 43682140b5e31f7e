/**
 * End to end, late data: the real uploader (SQLite temp file → dynalite) uploads a backlog of items
 * older than the cloud's re-read tail after fresher items; the cloud side (DynamoDbSource over the
 * same dynalite, the builder Lambda handler with s3rver) then sees the backfill marker, re-aggregates
 * and puts every late sample in its bucket of the 10d snapshot. Real protocol peers in-process on
 * 127.0.0.1; data: the real bme280-livingroom log (September 2019, ../shared/datasets).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync } from 'node:zlib';
import { devicePrefix } from '../../builder/constants.js';
import { getPublished } from '../support/builder-harness.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { BucketPoint, Payload } from '../../builder/types.js';
import { createBuilderHandler, type ScheduledResult } from '../../cloud/builder-handler.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startHarness, type Harness } from '../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID, loadBme280Month } from '../support/upload-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { silentLog as silent } from '../../builder/ports.js';

const MIN = 60_000;
const DAY_MS = 86_400_000;
const MONTH = loadBme280Month('2019/09');
const T0 = MONTH[0].tsMs;
const days = (from: number, to: number) => MONTH.filter((s) => s.tsMs >= T0 + from * DAY_MS && s.tsMs < T0 + to * DAY_MS);
const LIVE = days(6, 9);
const LATE = days(3, 4);
const decode = (body: Uint8Array) => JSON.parse(gunzipSync(body).toString('utf8')) as Payload;

let h: Harness;
let s3: S3rverHandle;
let nowMs = Math.max(...LIVE.map((s) => s.tsMs)) + MIN;
const clock = { nowMs: () => nowMs };

async function drain() {
  const r = await h.uploader({ chunkItems: 100_000 }).runOnce();
  assert.is(r.stoppedBy, undefined);
  assert.is(r.remaining.items, 0);
  return r;
}

const e2e = suite('late backlog: uploader → DynamoDB → cloud builder');
e2e.before(async () => {
  [h, s3] = await Promise.all([startHarness(BME280_SERIES, LIVE), startS3rver()]);
});
e2e.after(async () => {
  await Promise.all([h.close(), s3.close()]);
});

e2e('the cursor from before the backlog expires, and the 10d snapshot gets every late sample in its bucket', async () => {
  const client = h.dynalite.uploadClient();
  try {
    const bucket = new S3ObjectStore(s3.client, s3.bucket);
    const handler = createBuilderHandler({
      bucket,
      sourceFor: () => new DynamoDbSource(client, h.table, clock),
      build: runBuild,
      clock,
      log: silent,
      discoverDevices: async () => [DEVICE_ID],
      emit: () => {},
    });
    await drain();
    const first = ((await handler({ windows: ['10d'] })) as ScheduledResult).reports[0];
    assert.is(first.error, undefined);
    const { cursor } = await new DynamoDbSource(client, h.table, clock).readRange(DEVICE_ID, 1, nowMs);
    nowMs += MIN;
    assert.is((await new DynamoDbSource(client, h.table, clock).readSince(DEVICE_ID, cursor, 10_000)).cursorExpired, false, 'before the backlog: incremental');

    h.buffer.insert(DEVICE_ID, LATE);
    const r = await drain();
    assert.equal(r.backfills, { [DEVICE_ID]: Math.min(...LATE.map((s) => s.tsMs)) });
    const after = await new DynamoDbSource(client, h.table, clock).readSince(DEVICE_ID, cursor, 10_000);
    assert.is(after.cursorExpired, true, 'the builder is told to re-aggregate');

    nowMs += MIN;
    const second = ((await handler({ windows: ['10d'] })) as ScheduledResult).reports[0];
    assert.is(second.error, undefined);
    assert.is(second.wasFull, true);
    const p = decode((await getPublished(bucket, devicePrefix(DEVICE_ID), '10d', 500))!.body);
    const all = [...LIVE, ...LATE];
    let checked = 0;
    for (const series of p.series) {
      assert.is(p.resolution, 'bucketed');
      const points = series.points as BucketPoint[];
      const lateOfSeries = LATE.filter((s) => s.seriesId === series.id);
      assert.ok(lateOfSeries.length > 0, `${series.id} has late samples`);
      for (const point of points) {
        const brute = all.filter((s) => s.seriesId === series.id && s.tsMs >= point.startMs && s.tsMs < point.startMs + p.bucketMs!);
        if (!brute.some((s) => s.tsMs < LIVE[0].tsMs)) continue; // only buckets holding late samples
        assert.is(point.count, brute.length, `${series.id} bucket ${new Date(point.startMs).toISOString()} count`);
        assert.is(point.max, Math.max(...brute.map((s) => s.value)));
        assert.is(point.min, Math.min(...brute.map((s) => s.value)));
        checked++;
      }
      // Nothing lost or doubled over the whole window: the counts add up to the samples in [from, to].
      const fromMs = Date.parse(p.from);
      const toMs = Date.parse(p.to);
      const inWindow = all.filter((s) => s.seriesId === series.id && s.tsMs >= fromMs && s.tsMs <= toMs).length;
      assert.is(points.reduce((n, x) => n + x.count, 0), inWindow);
    }
    assert.ok(checked >= 3 * 20, `late buckets checked (${checked})`);
  } finally {
    client.destroy();
  }
});

e2e.run();
