/**
 * The uploader's backfill marker against dynalite (in-process, 127.0.0.1) and a real SQLite temp file:
 * late items (older than the cloud builder's re-read tail behind the newest item sent) make the end of
 * the drain write `backfillFromMs` on the device's catalogue item; live items never do. Data: the real
 * bme280-livingroom log (September 2019, ../shared/datasets/bme280-livingroom).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { backfillFromMs, CATALOG_TS_MS, catalogToSeries, type StoredItem } from '../../../aws/dynamodb-item.js';
import { DEFAULT_CURSOR_POLICY } from '../../../aws/item-cursor.js';
import { markerKeys, nextBackfillFromMs } from '../../../agent/upload/uploader.js';
import { LATE_ITEM_AGE_MS } from '../../../agent/upload/ports.js';
import { startDynalite, type DynaliteHandle } from '../../support/dynalite.js';
import { startHarness, type Harness } from '../../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID, loadBme280Month } from '../../support/upload-fixture.js';

const DAY_MS = 86_400_000;
const MONTH = loadBme280Month('2019/09');
const T0 = MONTH[0].tsMs;
/** Samples of days [from, to) of the month. */
const days = (from: number, to: number) => MONTH.filter((s) => s.tsMs >= T0 + from * DAY_MS && s.tsMs < T0 + to * DAY_MS);
const minTs = (samples: { tsMs: number }[]) => Math.min(...samples.map((s) => s.tsMs));

let dyn: DynaliteHandle;

async function catalogue(h: Harness): Promise<StoredItem> {
  const client = h.dynalite.uploadClient();
  try {
    const got = await client.send(new GetItemCommand({ TableName: h.table, Key: { deviceId: { S: DEVICE_ID }, tsMs: { N: String(CATALOG_TS_MS) } }, ConsistentRead: true }));
    assert.ok(got.Item !== undefined, 'the catalogue item exists');
    return got.Item;
  } finally {
    client.destroy();
  }
}

/** Run until nothing is pending; returns every run's summary. */
async function drain(h: Harness, chunkItems = 100_000) {
  const runs = [];
  const uploader = h.uploader({ chunkItems });
  for (;;) {
    const r = await uploader.runOnce();
    runs.push(r);
    assert.is(r.stoppedBy, undefined);
    if (r.remaining.items === 0) return runs;
  }
}

const pure = suite('nextBackfillFromMs / LATE_ITEM_AGE_MS');

pure('the late age is the cloud cursor policy lookback (one definition, 1 h)', () => {
  assert.is(LATE_ITEM_AGE_MS, DEFAULT_CURSOR_POLICY.lookbackMs);
  assert.is(LATE_ITEM_AGE_MS, 3_600_000);
});

pure('a new oldest tsMs is used as is; a recurring one steps back to the nearest value not used recently', () => {
  assert.is(nextBackfillFromMs(1_000, []), 1_000);
  assert.is(nextBackfillFromMs(1_000, [2_000]), 1_000);
  assert.is(nextBackfillFromMs(1_000, [1_000]), 999);
  assert.is(nextBackfillFromMs(1_000, [1_000, 999]), 998);
  // X → Y → X between two cloud runs still yields a value the cloud has not seen.
  assert.is(nextBackfillFromMs(1_000, [1_000, 5_000]), 999);
});

const marker = suite('Uploader backfill marker (dynalite)');
marker.before(async () => void (dyn = await startDynalite()));
marker.after(async () => dyn.close());

marker('a backlog older than the tail: after the drain the catalogue carries backfillFromMs = the oldest late tsMs', async () => {
  const live = days(6, 8);
  const late = days(2, 3);
  const h = await startHarness(BME280_SERIES, live, dyn);
  try {
    await drain(h);
    assert.is(backfillFromMs(await catalogue(h)), undefined, 'in-order upload: no marker');
    h.buffer.insert(DEVICE_ID, late);
    const [run] = await drain(h);
    assert.equal(run.backfills, { [DEVICE_ID]: minTs(late) });
    const item = await catalogue(h);
    assert.is(backfillFromMs(item), minTs(late));
    assert.is(catalogToSeries(DEVICE_ID, item).length, BME280_SERIES.length, 'the series stay in the catalogue');
    assert.is(h.queue.getMarker(markerKeys(DEVICE_ID).late), undefined, 'the note is cleared');
  } finally {
    await h.close();
  }
});

marker('a long backlog drained over several runs writes the marker once, only in the run that drains it', async () => {
  const h = await startHarness(BME280_SERIES, days(6, 8), dyn);
  try {
    await drain(h);
    const late = days(1, 3);
    h.buffer.insert(DEVICE_ID, late);
    const runs = await drain(h, 50);
    assert.ok(runs.length >= 3, `several runs (${runs.length})`);
    for (const r of runs.slice(0, -1)) assert.equal(r.backfills, {}, 'no marker while items are pending');
    assert.equal(runs.at(-1)!.backfills, { [DEVICE_ID]: minTs(late) });
    assert.is(backfillFromMs(await catalogue(h)), minTs(late));
  } finally {
    await h.close();
  }
});

marker('live items only (uploaded as they come, hour by hour) never write a marker', async () => {
  const h = await startHarness(BME280_SERIES, [], dyn);
  try {
    const day = days(4, 5);
    for (let hour = 0; hour < 24; hour++) {
      const from = T0 + 4 * DAY_MS + hour * 3_600_000;
      h.buffer.insert(DEVICE_ID, day.filter((s) => s.tsMs >= from && s.tsMs < from + 3_600_000));
      const [r] = await drain(h);
      assert.equal(r.backfills, {});
    }
    assert.ok(h.queue.counters().written > 24, 'items were uploaded');
    assert.is(backfillFromMs(await catalogue(h)), undefined);
    assert.is(h.queue.getMarker(markerKeys(DEVICE_ID).late), undefined);
  } finally {
    await h.close();
  }
});

marker('a second backfill changes the value, also when its oldest late tsMs is the same as the first', async () => {
  const h = await startHarness(BME280_SERIES, days(6, 8), dyn);
  try {
    await drain(h);
    const late = days(3, 4);
    h.buffer.insert(DEVICE_ID, late);
    await drain(h);
    const first = backfillFromMs(await catalogue(h));
    assert.is(first, minTs(late));
    // The same instants again (`push --since`): same oldest late tsMs, so the value steps back 1 ms.
    assert.ok(h.queue.enqueueSince(minTs(late), DEVICE_ID) > 0);
    await drain(h);
    assert.is(backfillFromMs(await catalogue(h)), minTs(late) - 1);
    // An older backlog: its own oldest tsMs.
    const older = days(1, 2);
    h.buffer.insert(DEVICE_ID, older);
    await drain(h);
    assert.is(backfillFromMs(await catalogue(h)), minTs(older));
  } finally {
    await h.close();
  }
});

marker('a catalogue re-written for a new series keeps the last backfillFromMs (a put replaces the whole item)', async () => {
  const h = await startHarness(BME280_SERIES, days(6, 8), dyn);
  try {
    await drain(h);
    const late = days(2, 3);
    h.buffer.insert(DEVICE_ID, late);
    await drain(h);
    const extra = { ...BME280_SERIES[0], seriesId: 'bme280-76.dewPointC', metric: 'dewPoint' };
    h.buffer.defineSeries([...BME280_SERIES, extra]);
    const newest = days(6, 8).at(-1)!.tsMs + 60_000;
    h.buffer.insert(DEVICE_ID, [{ seriesId: extra.seriesId, tsMs: newest, value: 9.5 }]);
    const [r] = await drain(h);
    assert.equal(r.backfills, {}, 'a live item: no new marker');
    const item = await catalogue(h);
    assert.is(catalogToSeries(DEVICE_ID, item).length, BME280_SERIES.length + 1);
    assert.is(backfillFromMs(item), minTs(late));
  } finally {
    await h.close();
  }
});

pure.run();
marker.run();
