import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CATALOG_TS_MS, catalogToSeries, MAX_ITEM_BYTES } from '../../../aws/dynamodb-item.js';
import { nonOverlapping } from '../../../agent/upload/uploader.js';
import { startDynalite, type DynaliteHandle } from '../../support/dynalite.js';
import { FAULTS, type Fault } from '../../support/fault-proxy.js';
import { startHarness, memoryLogger, type Harness } from '../../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID, diffItems, dynamoItems, loadBme280Month, sqliteItems } from '../../support/upload-fixture.js';

const MONTH = loadBme280Month('2019/09');
const DAY = MONTH.filter((s) => s.tsMs < MONTH[0].tsMs + 86_400_000);

let dyn: DynaliteHandle;
const start = async () => void (dyn = await startDynalite());
const stop = async () => dyn.close();

async function assertCloudEqualsSqlite(h: Harness, fromMs?: number, toMs?: number) {
  const expected = sqliteItems(h.db, DEVICE_ID, fromMs, toMs);
  const actual = await dynamoItems(h.dynalite.client, h.table, DEVICE_ID, fromMs, toMs);
  assert.ok(expected.size > 0, 'the comparison covers some items');
  assert.is(diffItems(expected, actual), undefined);
}

const upload = suite('Uploader.runOnce');
upload.before(start);
upload.after(stop);

upload('uploads a month of real BME280 samples; DynamoDB equals SQLite item by item, by time range', async () => {
  const h = await startHarness(BME280_SERIES, MONTH, dyn);
  try {
    const summary = await h.uploader({ chunkItems: 100_000 }).runOnce();
    const items = sqliteItems(h.db, DEVICE_ID);
    assert.is(summary.written, items.size);
    assert.is(summary.rejected, 0);
    assert.is(summary.remaining.items, 0);
    assert.is(summary.stoppedBy, undefined);
    await assertCloudEqualsSqlite(h);
    const mid = MONTH[Math.floor(MONTH.length / 2)].tsMs;
    await assertCloudEqualsSqlite(h, mid, mid + 3 * 86_400_000);
    const counters = h.queue.counters();
    assert.is(counters.written, items.size);
    assert.ok(counters.lastSuccessMs !== undefined);
  } finally {
    await h.close();
  }
});


upload('writes the series catalogue item (tsMs 0) with metric, unit and kind of every series', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 30), dyn);
  try {
    await h.uploader().runOnce();
    const got = await h.dynalite.client.send(new GetItemCommand({ TableName: h.table, Key: { deviceId: { S: DEVICE_ID }, tsMs: { N: String(CATALOG_TS_MS) } } }));
    const series = catalogToSeries(DEVICE_ID, got.Item);
    assert.ok(got.Item !== undefined, 'the catalogue item exists');
    assert.equal(series.sort((a, b) => a.seriesId.localeCompare(b.seriesId)), [...BME280_SERIES].sort((a, b) => a.seriesId.localeCompare(b.seriesId)));
  } finally {
    await h.close();
  }
});

upload('field case 1: 24 of 25 unprocessed are resubmitted exactly, with backoff, until written', async () => {
  const h = await startHarness(BME280_SERIES, DAY, dyn);
  try {
    let faulted = 0;
    h.proxy.setPlan((c) => (c.operation === 'BatchWriteItem' && c.keys.length === 25 && faulted++ < 3 ? { kind: 'unprocessed', keep: 1 } : { kind: 'pass' }));
    const summary = await h.uploader({ maxInFlight: 1 }).runOnce();
    const first = h.proxy.calls.findIndex((c) => c.keys.length === 25);
    // The answer to a 25-put batch with 24 unprocessed is followed by a request holding exactly those 24.
    assert.equal(h.proxy.calls[first + 1].keys, h.proxy.calls[first].keys.slice(1));
    assert.is(summary.unprocessed, 24 + 24 + 24);
    assert.is(summary.remaining.items, 0);
    assert.is(h.queue.counters().unprocessed, 72);
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

upload('field case 1: when attempts run out, confirmed items are acked and the rest stays pending for the next run', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 3 * 25), dyn);
  try {
    h.proxy.setPlan((c) => (c.operation === 'BatchWriteItem' && c.keys.length > 1 ? { kind: 'unprocessed', keep: 1 } : { kind: 'pass' }));
    const summary = await h.uploader({ maxInFlight: 1, attempts: 3 }).runOnce();
    assert.is(summary.written, 3, 'one confirmed per attempt');
    assert.is(summary.remaining.items, 25 - 3);
    assert.is(summary.remaining.leased, 0, 'released, not left leased');
    assert.ok(summary.stoppedBy?.includes('UnprocessedItems'));
    const acked = await dynamoItems(h.dynalite.client, h.table, DEVICE_ID);
    assert.is(acked.size, 3);
    h.proxy.setPlan(() => ({ kind: 'pass' }));
    const next = await h.uploader().runOnce();
    assert.is(next.remaining.items, 0);
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

const transientFaults: Array<[string, Fault]> = [
  ['ThrottlingException', FAULTS.throttling],
  ['ProvisionedThroughputExceededException', FAULTS.provisioned],
  ['RequestLimitExceeded', FAULTS.requestLimit],
  ['HTTP 500 InternalServerError', FAULTS.internal],
  ['a connection dropped before the write', { kind: 'drop' }],
  ['a connection dropped after the write', { kind: 'drop', afterForward: true }],
];
for (const [name, fault] of transientFaults) {
  upload(`retries ${name} and ends with DynamoDB equal to SQLite`, async () => {
    const h = await startHarness(BME280_SERIES, DAY.slice(0, 600), dyn);
    try {
      h.proxy.setPlan((c) => (c.operation === 'BatchWriteItem' && c.index % 3 === 0 ? fault : { kind: 'pass' }));
      const summary = await h.uploader({ maxInFlight: 3, batchItems: 20 }).runOnce();
      assert.ok(summary.retried >= 3, `retried ${summary.retried}`);
      assert.is(summary.rejected, 0);
      assert.is(summary.remaining.items, 0);
      await assertCloudEqualsSqlite(h);
    } finally {
      await h.close();
    }
  });
}

upload('a validation error rejects only the offending item (logged with it) and the rest is written', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 150), dyn);
  try {
    const items = [...sqliteItems(h.db, DEVICE_ID).keys()];
    const bad = `${DEVICE_ID}#${items[7]}`;
    h.proxy.setPlan((c) => (c.keys.includes(bad) ? FAULTS.validation : { kind: 'pass' }));
    const summary = await h.uploader().runOnce();
    assert.is(summary.rejected, 1);
    assert.is(summary.remaining.items, 0);
    const rejected = h.queue.rejected();
    assert.is(rejected.length, 1);
    assert.is(rejected[0].tsMs, items[7]);
    assert.match(rejected[0].reason, 'ValidationException');
    assert.ok(h.log.lines.some((l) => l.level === 'error' && l.fields?.tsMs === items[7] && typeof l.fields?.values === 'object'));
    const cloud = await dynamoItems(h.dynalite.client, h.table, DEVICE_ID);
    assert.is(cloud.size, items.length - 1);
    assert.not.ok(cloud.has(items[7]));
  } finally {
    await h.close();
  }
});

upload('an item the real peer refuses (empty device id key) is rejected without blocking the backlog', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 60), dyn);
  try {
    h.db.prepare("INSERT INTO series (device_id, series_id, sensor_id, metric, unit, kind) VALUES ('', 'x.tempC', 'x', 'tempC', '°C', 'gauge')").run();
    const pk = (h.db.prepare("SELECT series_pk FROM series WHERE device_id = ''").get() as { series_pk: number }).series_pk;
    h.db.prepare('INSERT INTO samples (series_pk, ts_ms, value) VALUES (?, ?, 21.5)').run(pk, DAY[0].tsMs);
    const summary = await h.uploader().runOnce();
    assert.is(summary.remaining.items, 0);
    assert.is(h.queue.rejected().filter((r) => r.deviceId === '').length, 1);
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

upload('a sample stamped tsMs 0 (written behind the sampler and import guards) is rejected, never overwriting the catalogue item', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 60), dyn);
  try {
    await h.uploader().runOnce();
    const catalogKey = { deviceId: { S: DEVICE_ID }, tsMs: { N: String(CATALOG_TS_MS) } };
    const before = await h.dynalite.client.send(new GetItemCommand({ TableName: h.table, Key: catalogKey }));
    assert.ok(before.Item, 'the catalogue item was written');
    const pk = (h.db.prepare("SELECT series_pk FROM series WHERE series_id = 'bme280-76.tempC'").get() as { series_pk: number }).series_pk;
    h.db.prepare('INSERT INTO samples (series_pk, ts_ms, value) VALUES (?, 0, 21.5)').run(pk);
    const summary = await h.uploader().runOnce();
    assert.is(summary.rejected, 1);
    const rejected = h.queue.rejected();
    assert.equal(rejected.map((r) => r.tsMs), [0]);
    assert.match(rejected[0].reason, 'before 2000-01-01T00:00:00.000Z');
    const after = await h.dynalite.client.send(new GetItemCommand({ TableName: h.table, Key: catalogKey }));
    assert.equal(after.Item, before.Item, 'the catalogue item is unchanged');
  } finally {
    await h.close();
  }
});

upload('NaN and ±Infinity are omitted from the item; an instant with no finite value is rejected', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 30), dyn);
  try {
    const pk = (id: string) => (h.db.prepare('SELECT series_pk FROM series WHERE series_id = ?').get(id) as { series_pk: number }).series_pk;
    const t1 = DAY[0].tsMs - 60_000;
    const t2 = DAY[0].tsMs - 120_000;
    const ins = h.db.prepare('INSERT INTO samples (series_pk, ts_ms, value) VALUES (?, ?, ?)');
    ins.run(pk('bme280-76.tempC'), t1, 21.25);
    ins.run(pk('bme280-76.rhPct'), t1, Infinity);
    ins.run(pk('bme280-76.tempC'), t2, -Infinity);
    const atMs = Date.UTC(2030, 0, 1); // the uploader's clock, far from the system's
    await h.uploader({}, () => atMs).runOnce();
    const cloud = await dynamoItems(h.dynalite.client, h.table, DEVICE_ID);
    assert.equal(cloud.get(t1), { 'bme280-76.tempC': 21.25 });
    assert.not.ok(cloud.has(t2));
    assert.equal(h.queue.rejected().map((r) => [r.tsMs, r.reason, r.rejectedAtMs]), [[t2, 'no finite value at this instant', atMs]], 'stamped by the uploader\'s clock (issue 14)');
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

upload('an item over 1 KB is rejected for good and logged with the item; the rest is written', async () => {
  const wide = Array.from({ length: 40 }, (_, i) => ({ ...BME280_SERIES[0], seriesId: `probe-${String(i).padStart(2, '0')}.temperature-celsius-long-name` }));
  const h = await startHarness([...BME280_SERIES, ...wide], DAY.slice(0, 30), dyn);
  try {
    const tsMs = DAY[0].tsMs - 1_000;
    h.buffer.insert(DEVICE_ID, wide.map((s, i) => ({ seriesId: s.seriesId, tsMs, value: 20 + i / 7 })));
    const summary = await h.uploader().runOnce();
    assert.is(summary.rejected, 1);
    const [r] = h.queue.rejected();
    assert.is(r.tsMs, tsMs);
    assert.match(r.reason, new RegExp(`over the ${MAX_ITEM_BYTES}-byte limit`));
    assert.is(Object.keys(r.values).length, 40);
    const cloud = await dynamoItems(h.dynalite.client, h.table, DEVICE_ID);
    assert.not.ok(cloud.has(tsMs));
    assert.is(cloud.size, sqliteItems(h.db, DEVICE_ID).size - 1);
  } finally {
    await h.close();
  }
});

upload('a batch never holds one key twice: a duplicate lease is sent once', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 30), dyn);
  try {
    const lease = h.queue.lease.bind(h.queue);
    h.queue.lease = (...args) => {
      const r = lease(...args);
      if (r.items.length) r.items.push({ ...r.items[0] });
      return r;
    };
    const summary = await h.uploader().runOnce();
    for (const c of h.proxy.calls) assert.is(new Set(c.keys).size, c.keys.length);
    assert.is(summary.rejected, 0);
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

upload('DynamoDB stopped mid-backlog: the run stops with items pending; after restart the next run drains oldest-first', async () => {
  const levelDir = mkdtempSync(join(tmpdir(), 'dynalite-'));
  const own = await startDynalite({ path: levelDir });
  const h2 = await startHarness(BME280_SERIES, DAY, own);
  try {
    let calls = 0;
    h2.proxy.setPlan((c) => {
      if (c.operation === 'BatchWriteItem' && ++calls === 5) void own.pause();
      return { kind: 'pass' };
    });
    const first = await h2.uploader({ maxInFlight: 1, attempts: 3 }).runOnce();
    assert.ok(first.stoppedBy !== undefined);
    assert.ok(first.remaining.items > 0);
    const oldestLeft = first.remaining.oldestTsMs!;
    await own.resume();
    const uploaded = await dynamoItems(own.client, h2.table, DEVICE_ID);
    assert.ok(uploaded.size > 0);
    assert.ok([...uploaded.keys()].every((t) => t < oldestLeft), 'everything uploaded is older than what is left');
    const second = await h2.uploader().runOnce();
    assert.is(second.remaining.items, 0);
    const expected = sqliteItems(h2.db, DEVICE_ID);
    assert.is(diffItems(expected, await dynamoItems(own.client, h2.table, DEVICE_ID)), undefined);
    assert.is(h2.queue.counters().lastError, undefined);
  } finally {
    await h2.close();
    await own.close();
    rmSync(levelDir, { recursive: true, force: true });
  }
});

upload('a long backlog drains in bounded chunks per run', async () => {
  const h = await startHarness(BME280_SERIES, DAY, dyn);
  try {
    const total = sqliteItems(h.db, DEVICE_ID).size;
    const r = await h.uploader({ chunkItems: 50 }).runOnce();
    assert.is(r.written, 50);
    assert.is(r.remaining.items, total - 50);
  } finally {
    await h.close();
  }
});

const gate = suite('nonOverlapping');
gate.before(start);
gate.after(stop);

gate('field case 2: a tick while a throttled run is still going is skipped and logged', async () => {
  const h = await startHarness(BME280_SERIES, DAY.slice(0, 200), dyn);
  try {
    let throttle = true;
    h.proxy.setPlan((c) => (c.operation === 'BatchWriteItem' && throttle ? FAULTS.provisioned : { kind: 'pass' }));
    const uploader = h.uploader({ maxInFlight: 2, minBackoffMs: 20, maxBackoffMs: 40, attempts: 1000 });
    const log = memoryLogger();
    let skipped = 0;
    const tick = nonOverlapping(() => uploader.runOnce(), log, () => skipped++);
    const first = tick();
    while (h.proxy.calls.length < 4) await new Promise((r) => setTimeout(r, 10));
    assert.is(await tick(), false, 'second tick skipped');
    assert.is(skipped, 1);
    assert.ok(log.lines.some((l) => l.level === 'warn' && /skipped/.test(l.message)));
    throttle = false;
    assert.is(await first, true);
    // No sample key was ever in two in-flight batches. (The catalogue item, tsMs 0, may be put twice:
    // a throttled batch retried after a newer one was confirmed can be late in this sparse log, and the
    // end of the run then re-writes the catalogue with its backfill marker.)
    const sent = h.proxy.calls.filter((c) => c.fault === 'pass');
    const sampleKeys = sent.flatMap((c) => c.keys).filter((k) => !k.endsWith('#0'));
    assert.is(new Set(sampleKeys).size, sampleKeys.length);
    assert.is(await tick(), true, 'the next tick after the run runs');
    await assertCloudEqualsSqlite(h);
  } finally {
    await h.close();
  }
});

upload.run();
gate.run();
