import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { uploadStatus } from '../../pi/upload-service.js';
import { BME280_SERIES, DEVICE_ID } from '../support/upload-fixture.js';

const T0 = Date.UTC(2019, 8, 1);
const [TEMP, RH, PRESS] = BME280_SERIES.map((s) => s.seriesId);

function setup(enabled = true) {
  const dir = mkdtempSync(join(tmpdir(), 'upload-queue-'));
  const path = join(dir, 'sensorctl.db');
  const db = openDatabase(path);
  const buffer = SqliteBuffer.openOn(db);
  buffer.defineSeries(BME280_SERIES);
  const queue = SqliteUploadQueue.open(db);
  queue.setEnabled(enabled);
  buffer.addRetentionGuard(queue.pendingSamplesGuard());
  return { dir, path, db, buffer, queue, done: () => (buffer.close(), rmSync(dir, { recursive: true, force: true })) };
}

const queue = suite('SqliteUploadQueue');

queue('enqueues one item per (device, instant) only while enabled; a later series at that instant bumps its version', () => {
  const t = setup(false);
  try {
    t.buffer.insert(DEVICE_ID, [{ seriesId: TEMP, tsMs: T0, value: 21.5 }]);
    assert.is(t.queue.backlog(0).items, 0, 'disabled: nothing enqueued');
    t.queue.setEnabled(true);
    t.buffer.insert(DEVICE_ID, [
      { seriesId: TEMP, tsMs: T0 + 1000, value: 21.6 },
      { seriesId: RH, tsMs: T0 + 1000, value: 55.25 },
    ]);
    t.buffer.insert(DEVICE_ID, [{ seriesId: PRESS, tsMs: T0 + 1000, value: 101_325 }]);
    const { items } = t.queue.lease(10, 60_000, 0);
    assert.equal(items, [{ deviceId: DEVICE_ID, tsMs: T0 + 1000, version: 3, values: { [TEMP]: 21.6, [RH]: 55.25, [PRESS]: 101_325 } }]);
  } finally {
    t.done();
  }
});

queue('enqueueSince adds stored instants from a time on, once', () => {
  const t = setup(false);
  try {
    t.buffer.insert(DEVICE_ID, [0, 1, 2, 3].flatMap((i) => [{ seriesId: TEMP, tsMs: T0 + i * 1000, value: i }, { seriesId: RH, tsMs: T0 + i * 1000, value: 50 + i }]));
    assert.is(t.queue.enqueueSince(T0 + 2000), 2);
    assert.is(t.queue.enqueueSince(T0 + 2000), 0);
    assert.equal(t.queue.backlog(0), { items: 2, oldestTsMs: T0 + 2000, leased: 0 });
    assert.is(t.queue.backlogRows(), 4);
  } finally {
    t.done();
  }
});

queue('leases oldest first, never hands a leased item out again before the lease expires', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [3, 1, 2, 0].map((i) => ({ seriesId: TEMP, tsMs: T0 + i * 1000, value: i })));
    const a = t.queue.lease(2, 10_000, 5_000);
    assert.equal(a.items.map((i) => i.tsMs), [T0, T0 + 1000]);
    const b = t.queue.lease(10, 10_000, 5_000);
    assert.equal(b.items.map((i) => i.tsMs), [T0 + 2000, T0 + 3000]);
    assert.is(t.queue.lease(10, 10_000, 14_999).items.length, 0, 'still leased');
    assert.is(t.queue.lease(10, 10_000, 15_000).items.length, 4, 'expired leases are free again');
  } finally {
    t.done();
  }
});

queue('issue 14: backlog().leased counts only leases that have not expired at the given now', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [0, 1, 2].map((i) => ({ seriesId: TEMP, tsMs: T0 + i * 1000, value: i })));
    t.queue.lease(2, 10_000, 5_000); // held until 15_000, then expired (a killed uploader's lease)
    assert.equal(t.queue.backlog(14_999), { items: 3, oldestTsMs: T0, leased: 2 });
    assert.equal(t.queue.backlog(14_999, DEVICE_ID), { items: 3, oldestTsMs: T0, leased: 2 });
    assert.equal(t.queue.backlog(15_000), { items: 3, oldestTsMs: T0, leased: 0 }, 'expired at 15_000: lease() hands them out again');
    assert.is(t.queue.lease(10, 10_000, 15_000).items.length, 3);
  } finally {
    t.done();
  }
});

queue('two connections to one file never lease the same item', () => {
  const t = setup();
  const other = openDatabase(t.path);
  try {
    t.buffer.insert(DEVICE_ID, Array.from({ length: 100 }, (_, i) => ({ seriesId: TEMP, tsMs: T0 + i * 1000, value: i })));
    const q2 = SqliteUploadQueue.open(other);
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      for (const q of [t.queue, q2]) for (const item of q.lease(3, 60_000, 0).items) {
        assert.not.ok(seen.has(item.tsMs), `item ${item.tsMs} leased twice`);
        seen.add(item.tsMs);
      }
    }
    assert.is(seen.size, 100);
  } finally {
    other.close();
    t.done();
  }
});

queue('ack removes only the version that was sent; a newer version stays pending and its lease is freed', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [{ seriesId: TEMP, tsMs: T0, value: 1 }, { seriesId: TEMP, tsMs: T0 + 1000, value: 2 }]);
    const { leaseId, items } = t.queue.lease(10, 60_000, 0);
    t.buffer.insert(DEVICE_ID, [{ seriesId: RH, tsMs: T0 + 1000, value: 40 }]);
    t.queue.ack(leaseId, items);
    const again = t.queue.lease(10, 60_000, 0);
    assert.equal(again.items, [{ deviceId: DEVICE_ID, tsMs: T0 + 1000, version: 2, values: { [TEMP]: 2, [RH]: 40 } }]);
  } finally {
    t.done();
  }
});

queue('reject logs the item with its reason; release puts items back at once', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [{ seriesId: TEMP, tsMs: T0, value: 1.5 }, { seriesId: TEMP, tsMs: T0 + 1000, value: 2.5 }]);
    const { leaseId, items } = t.queue.lease(10, 60_000, 0);
    t.queue.reject(leaseId, [items[0]], 'ValidationException: bad', 7_000);
    t.queue.release(leaseId, [items[1]]);
    assert.equal(t.queue.rejected().map((r) => [r.tsMs, r.reason, r.values, r.rejectedAtMs]), [[T0, 'ValidationException: bad', { [TEMP]: 1.5 }, 7_000]]);
    assert.equal(t.queue.lease(10, 60_000, 0).items.map((i) => i.tsMs), [T0 + 1000]);
  } finally {
    t.done();
  }
});

queue('counters and markers persist across reopening the database', () => {
  const t = setup();
  try {
    t.queue.record({ written: 25, retried: 2, unprocessed: 24, requests: 3 }, { lastSuccessMs: T0 });
    t.queue.record({ written: 5 }, { lastError: 'x' });
    t.buffer.close();
    const db = openDatabase(t.path);
    const c = SqliteUploadQueue.open(db).counters();
    assert.equal(
      { written: c.written, retried: c.retried, unprocessed: c.unprocessed, requests: c.requests, lastSuccessMs: c.lastSuccessMs, lastError: c.lastError },
      { written: 30, retried: 2, unprocessed: 24, requests: 3, lastSuccessMs: T0, lastError: 'x' },
    );
    db.close();
  } finally {
    t.done();
  }
});

const guard = suite('SqliteUploadQueue.pendingSamplesGuard');

guard('retention keeps rows whose item is pending and deletes the uploaded ones', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [0, 1, 2].flatMap((i) => [{ seriesId: TEMP, tsMs: T0 + i * 1000, value: i }, { seriesId: RH, tsMs: T0 + i * 1000, value: i }]));
    const { leaseId, items } = t.queue.lease(1, 60_000, 0);
    t.queue.ack(leaseId, items); // T0 uploaded
    const deleted = t.buffer.deleteOlderThan(T0 + 10_000, 100);
    assert.is(deleted, 2);
    assert.equal(t.buffer.stats(DEVICE_ID).map((s) => [s.seriesId, s.count, s.firstTsMs]), [
      [PRESS, 0, undefined],
      [RH, 2, T0 + 1000],
      [TEMP, 2, T0 + 1000],
    ], 'T0 (uploaded) went; T0+1000 and T0+2000 (pending) stay');
    assert.is(t.queue.backlogRows(), 4);
  } finally {
    t.done();
  }
});

guard('without an uplink (queue disabled) retention deletes pending rows as usual', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [0, 1].map((i) => ({ seriesId: TEMP, tsMs: T0 + i * 1000, value: i })));
    t.queue.setEnabled(false);
    assert.is(t.buffer.deleteOlderThan(T0 + 10_000, 100), 2);
  } finally {
    t.done();
  }
});

guard('a forced loss drops pending items older than the cutoff and counts them', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [0, 1, 2].map((i) => ({ seriesId: TEMP, tsMs: T0 + i * 1000, value: i })));
    assert.is(t.queue.dropPendingOlderThan(T0 + 2000), 2);
    assert.is(t.queue.counters().forcedLoss, 2);
    assert.is(uploadStatus(t.db).counters.forcedLoss, 2);
    assert.is(t.buffer.deleteOlderThan(T0 + 10_000, 100), 2, 'the dropped items no longer hold their samples; the pending one does');
    assert.equal(t.buffer.stats(DEVICE_ID).find((s) => s.seriesId === TEMP)?.firstTsMs, T0 + 2000);
  } finally {
    t.done();
  }
});

const status = suite('uploadStatus');

status('shows backlog items, rows, the oldest pending time and the last success', () => {
  const t = setup();
  try {
    t.buffer.insert(DEVICE_ID, [{ seriesId: TEMP, tsMs: T0, value: 1 }, { seriesId: RH, tsMs: T0, value: 2 }, { seriesId: TEMP, tsMs: T0 + 1000, value: 3 }]);
    t.queue.record({ written: 7 }, { lastSuccessMs: T0 + 5000 });
    const s = uploadStatus(t.db);
    assert.equal(
      [s.enabled, s.backlogItems, s.backlogRows, s.oldestPending, s.lastSuccess, s.counters.written],
      [true, 2, 3, '2019-09-01T00:00:00.000Z', '2019-09-01T00:00:05.000Z', 7],
    );
  } finally {
    t.done();
  }
});

status('reports no uplink on a database the queue never touched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upload-status-'));
  const db = openDatabase(join(dir, 'x.db'));
  const buffer = SqliteBuffer.openOn(db);
  try {
    const s = uploadStatus(db);
    assert.equal([s.enabled, s.backlogItems], [false, 0]);
  } finally {
    buffer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

queue('updateMarkers reads the current values and applies the changes in one transaction (null deletes)', () => {
  const t = setup();
  try {
    t.queue.setMarker('a', '1');
    let seen: Record<string, string | undefined> = {};
    t.queue.updateMarkers(['a', 'b'], (cur) => {
      seen = cur;
      return { a: null, b: String(Number(cur.a) + 1) };
    });
    assert.equal(seen, { a: '1', b: undefined });
    assert.is(t.queue.getMarker('a'), undefined);
    assert.is(t.queue.getMarker('b'), '2');
    // A second handle on the same file sees the committed result.
    const otherDb = openDatabase(t.path);
    try {
      assert.is(SqliteUploadQueue.attach(otherDb).getMarker('b'), '2');
    } finally {
      otherDb.close();
    }
  } finally {
    t.done();
  }
});

queue.run();
guard.run();
status.run();
