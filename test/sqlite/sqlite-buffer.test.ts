import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { READ_CHUNK_ROWS, SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-buffer-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => SqliteBuffer.open(join(dir, `b${n++}.db`));
const T: SeriesInfo = { deviceId: 'pi-1', seriesId: 'tempC', sensorId: 'bme280', metric: 'tempC', unit: '°C', kind: 'gauge' };
const ramp = (n: number, startMs = 0): Sample[] => Array.from({ length: n }, (_, i) => ({ seriesId: 'tempC', tsMs: startMs + i * 1000, value: i }));

const readRange = suite('SqliteBuffer.readRange');

readRange('streams from one snapshot: rows inserted while the iterator runs are not in it but after its cursor', async () => {
  const b = fresh();
  b.defineSeries([T]);
  const total = READ_CHUNK_ROWS * 2 + 7;
  b.insert('pi-1', ramp(total));
  const { cursor, chunks } = await b.readRange('pi-1', 0, 1e15);
  let seen = 0;
  let chunkCount = 0;
  for await (const c of chunks) {
    if (chunkCount === 0) b.insert('pi-1', [{ seriesId: 'tempC', tsMs: 5_500, value: -1 }, { seriesId: 'tempC', tsMs: 1e12, value: -2 }]);
    chunkCount++;
    seen += c.length;
  }
  assert.is(chunkCount, 3);
  assert.is(seen, total, 'the two rows committed mid-read are not part of the snapshot');
  const after = await b.readSince('pi-1', cursor, 10);
  assert.equal(after.samples.map((s) => s.tsMs), [5_500, 1e12]);
  b.close();
});

readRange('closes its read connection when the consumer breaks early, so a checkpoint can complete', async () => {
  const b = fresh();
  b.defineSeries([T]);
  b.insert('pi-1', ramp(READ_CHUNK_ROWS * 2));
  const { chunks } = await b.readRange('pi-1', 0, 1e15);
  for await (const _ of chunks) break;
  b.insert('pi-1', ramp(10, 1e12));
  assert.is(b.checkpoint(), true);
  b.close();
});

readRange('reads a :memory: buffer too (materialised)', async () => {
  const b = SqliteBuffer.open(':memory:');
  b.defineSeries([T]);
  b.insert('pi-1', ramp(10));
  const { chunks } = await b.readRange('pi-1', 2_000, 4_000);
  const rows: Sample[] = [];
  for await (const c of chunks) rows.push(...c);
  assert.equal(rows.map((r) => r.tsMs), [2_000, 3_000, 4_000]);
  b.close();
});
readRange.run();

const guard = suite('SqliteBuffer.addRetentionGuard');

guard('keeps rows a guard holds for and deletes the rest of the old ones', () => {
  const db = openDatabase(join(dir, `b${n++}.db`));
  const b = SqliteBuffer.openOn(db);
  b.defineSeries([T]);
  b.insert('pi-1', ramp(10));
  db.exec('CREATE TABLE pending (device_id TEXT, ts_ms INTEGER)');
  db.prepare('INSERT INTO pending VALUES (?, ?), (?, ?)').run('pi-1', 1_000, 'pi-2', 2_000);
  b.addRetentionGuard({ name: 'upload', keepIfSql: 'EXISTS (SELECT 1 FROM pending p WHERE p.device_id = series.device_id AND p.ts_ms = samples.ts_ms)' });
  db.function('is_pinned', (tsMs: unknown) => Number(tsMs === 3_000));
  b.addRetentionGuard({ name: 'pin', keepIfSql: 'is_pinned(ts_ms)' });
  assert.is(b.deleteOlderThan(5_000, 100), 3, '0, 2000, 4000 go; 1000 is pending for pi-1, 3000 pinned');
  assert.is(b.deleteOlderThan(5_000, 100), 0);
  assert.equal(db.prepare('SELECT ts_ms FROM samples WHERE ts_ms < 6000 ORDER BY ts_ms').pluck().all(), [1_000, 3_000, 5_000]);
  b.close();
});

guard('a second guard with the same name replaces the first', () => {
  const b = fresh();
  b.defineSeries([T]);
  b.insert('pi-1', ramp(4));
  b.addRetentionGuard({ name: 'pin', keepIfSql: 'samples.ts_ms = 1000' });
  b.addRetentionGuard({ name: 'pin', keepIfSql: 'samples.ts_ms = 2000' });
  assert.is(b.deleteOlderThan(10_000, 100), 3, 'only 2000 is kept');
  assert.equal(b.stats('pi-1')[0].firstTsMs, 2_000);
  b.close();
});

guard('rejects a condition that does not compile and keeps the previous guards', () => {
  const b = fresh();
  b.defineSeries([T]);
  assert.throws(() => b.addRetentionGuard({ name: 'bad', keepIfSql: 'no_such_column = 1' }), /retention guard bad: no such column/);
  b.insert('pi-1', ramp(3));
  assert.is(b.deleteOlderThan(10_000, 100), 3);
  b.close();
});
guard.run();

const fresh2 = suite('SqliteBuffer after a recovery: a fresh file and cursors of the old one');

fresh2('issue 12: a cursor ahead of the journal (from a file moved aside) is expired, not silently stuck', async () => {
  const b = fresh();
  b.defineSeries([T]);
  b.insert('pi-1', ramp(3));
  const batch = await b.readSince('pi-1', '5000', 100);
  assert.equal([batch.cursorExpired, batch.samples.length], [true, 0]);
  b.close();
});

fresh2('issue 12: continueJournalAfter(seq): the samples stored next are exactly what readSince(seq) returns', async () => {
  const b = fresh();
  b.defineSeries([T]);
  b.continueJournalAfter(5000);
  b.continueJournalAfter(10); // behind the journal: nothing to do
  b.insert('pi-1', ramp(3, 1_000));
  const batch = await b.readSince('pi-1', '5000', 100);
  assert.equal(batch.samples.map((s) => s.tsMs), [1_000, 2_000, 3_000]);
  assert.equal([batch.cursor, batch.cursorExpired], ['5003', false]);
  assert.throws(() => b.continueJournalAfter(-1), /-1 is not a journal sequence number/);
  b.close();
});

fresh2.run();
