import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_FLOOR, DEFAULT_RETENTION, freeSpaceUnderFloor, retentionCutoffMs, runRetention } from '../../../agent/buffer/retention.js';
import { openDatabase } from '../../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../../sqlite/sqlite-upload-queue.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { RETENTION_MS } from '../../../builder/constants.js';
import type { Sample, SeriesInfo } from '../../../builder/types.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);
const STEP_MS = 600_000; // one sample per 10 min per series, like bme280-livingroom
const SERIES: SeriesInfo[] = ['tempC', 'rhPct'].map((m) => ({ deviceId: 'pi', seriesId: m, sensorId: 'bme280', metric: m, unit: m === 'tempC' ? '°C' : '%RH', kind: 'gauge' }));
const clockAt = (nowMs: number) => ({ nowMs: () => nowMs });
const pause = () => new Promise<void>((r) => setImmediate(r));

function fill(b: SqliteBuffer | MemoryBuffer, fromMs: number, toMs: number): number {
  let n = 0;
  let batch: Sample[] = [];
  for (let t = fromMs; t < toMs; t += STEP_MS) {
    for (const s of SERIES) batch.push({ seriesId: s.seriesId, tsMs: t, value: 20 + Math.sin(t / DAY) });
    if (batch.length >= 20_000) (n += b.insert('pi', batch).inserted), (batch = []);
  }
  if (batch.length) n += b.insert('pi', batch).inserted;
  return n;
}

const policy = suite('retentionCutoffMs');
policy('keeps exactly the last 365 days (RETENTION_MS) and refuses a non-positive retention', () => {
  assert.is(RETENTION_MS, 365 * DAY);
  assert.is(retentionCutoffMs(T0 + 400 * DAY), T0 + 35 * DAY);
  assert.throws(() => retentionCutoffMs(T0, 0), /expected > 0 ms/);
});
policy.run();

const run = suite('runRetention');
const dir = mkdtempSync(join(tmpdir(), 'retention-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

run('turns two years of data into the last 365 days, in steps of at most 5,000 rows (SQLite file)', async () => {
  const b = SqliteBuffer.open(join(dir, 'two-years.db'));
  b.defineSeries(SERIES);
  const end = T0 + 730 * DAY;
  const stored = fill(b, T0, end);
  const calls: number[] = [];
  const counting = { deleteOlderThan: (c: number, m: number) => (calls.push(m), b.deleteOlderThan(c, m)) };
  const r = await runRetention(counting, clockAt(end), pause);
  const cutoff = end - 365 * DAY;
  const expectedDeleted = SERIES.length * Math.ceil((cutoff - T0) / STEP_MS);
  assert.is(r.deleted, expectedDeleted);
  assert.is(r.isPartial, false);
  assert.ok(calls.every((m) => m === 5_000));
  assert.is(r.steps, Math.floor(expectedDeleted / 5_000) + 1);
  for (const s of b.stats('pi')) {
    assert.ok(s.firstTsMs! >= cutoff, `${s.seriesId} first ${new Date(s.firstTsMs!).toISOString()}`);
    assert.ok(s.firstTsMs! - cutoff < STEP_MS);
    assert.is(s.lastTsMs, end - STEP_MS);
  }
  assert.is(b.stats('pi').reduce((a, s) => a + s.count, 0), stored - expectedDeleted);
  b.close();
});

run('keeps the file size flat once a steady inflow is trimmed to a year: freed pages are reused', async () => {
  const path = join(dir, 'steady.db');
  const b = SqliteBuffer.open(path);
  b.defineSeries(SERIES);
  let t = T0;
  fill(b, t, (t += 365 * DAY));
  const sizes: number[] = [];
  for (let month = 0; month < 8; month++) {
    fill(b, t, (t += 30 * DAY));
    await runRetention(b, clockAt(t), pause);
    const { cursor, chunks } = await b.readRange('pi', 0, -1); // the builder consumed the journal
    for await (const _ of chunks);
    await b.release('pi', cursor);
    b.checkpoint();
    sizes.push(b.sizeBytes());
  }
  if (process.env.TEST_VERBOSE) console.log("sizes", sizes);
  const settled = sizes.slice(2);
  const growth = Math.max(...settled) - settled[0];
  assert.ok(growth <= 0.01 * settled[0], `sizes ${sizes.join(', ')}: grew ${growth} bytes after settling`);
  assert.ok(b.pageStats().freePages > 0 || growth <= 0, 'deleted pages are on the free list for reuse');
  b.close();
});

run('leaves rows a guard keeps, and stops after maxSteps with isPartial (memory buffer)', async () => {
  const b = new MemoryBuffer();
  b.defineSeries(SERIES);
  fill(b, T0, T0 + 10 * DAY);
  b.addRetentionGuard('upload', (_d, ts) => ts < T0 + DAY);
  const partial = await runRetention(b, clockAt(T0 + 10 * DAY), pause, { ...DEFAULT_RETENTION, retentionMs: 5 * DAY, stepRows: 100, maxSteps: 2 });
  assert.equal([partial.deleted, partial.isPartial], [200, true]);
  const rest = await runRetention(b, clockAt(T0 + 10 * DAY), pause, { ...DEFAULT_RETENTION, retentionMs: 5 * DAY, stepRows: 100 });
  assert.is(partial.deleted + rest.deleted, SERIES.length * 4 * 144, 'days 1–4 go; day 0 is held by the guard');
  assert.is(b.stats('pi')[0].firstTsMs, T0);
});
run.run();

const floor = suite('freeSpaceUnderFloor (real SQLite file, with the upload queue\'s guard)');

floor('issue 12: under the floor it deletes the oldest samples first, an hour at a time, never one still pending upload, until a tenth of the file is reusable; above it, nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floor-'));
  const db = openDatabase(join(dir, 'b.db'));
  const b = SqliteBuffer.openOn(db);
  const queue = SqliteUploadQueue.open(db);
  try {
    b.addRetentionGuard(queue.pendingSamplesGuard());
    b.defineSeries(SERIES);
    fill(b, T0, T0 + 10 * DAY); // not enqueued: uploaded long ago (or no uplink)
    queue.setEnabled(true);
    fill(b, T0 + 10 * DAY, T0 + 12 * DAY); // pending upload
    const total = b.stats('pi').reduce((a, s) => a + s.count, 0);
    assert.equal(await freeSpaceUnderFloor(b, DEFAULT_FLOOR.floorBytes, pause), { deleted: 0, reusableBytes: 0 });
    const r = await freeSpaceUnderFloor(b, 1_000_000, pause, { ...DEFAULT_FLOOR, stepRows: 50 });
    assert.ok(r.deleted > 0);
    const p = b.pageStats();
    assert.ok(r.reusableBytes >= (p.pageCount * p.pageSizeBytes) / 10, `${r.reusableBytes} bytes reusable of ${p.pageCount * p.pageSizeBytes}`);
    const left = b.stats('pi');
    assert.is(left.reduce((a, s) => a + s.count, 0), total - r.deleted);
    for (const s of left) assert.ok(s.firstTsMs! >= r.cutoffMs! - 3_600_000 && s.firstTsMs! > T0, 'the oldest went first');
    assert.ok(r.cutoffMs! < T0 + 10 * DAY, 'stopped long before the samples pending upload');
    // With only pending samples left, nothing more goes however full the disk is.
    await freeSpaceUnderFloor(b, 0, pause, { ...DEFAULT_FLOOR, reserveBytes: Number.MAX_SAFE_INTEGER, reserveFileFraction: 1, maxSteps: 10_000 });
    assert.equal(b.stats('pi').map((s) => s.firstTsMs), [T0 + 10 * DAY, T0 + 10 * DAY]);
  } finally {
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

floor.run();
