/**
 * PiFreshBuilder over a real SQLite buffer and FsObjectStore in a temp dir, and WindowLocks (the
 * per-device/window mutex shared by refresh jobs and the daemon's scheduled builds).
 */
import { getPublished } from '../support/builder-harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PiFreshBuilder, WindowLocks } from '../../pi/pi-fresh-builder.js';
import { FreshBuildError } from '../../api/ports.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { decodePayload } from '../../api/snapshots.js';
import { GRANULARITIES, windowObjectKey } from '../../builder/constants.js';
import { readWindowObject } from '../../builder/publish.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import type { BucketPoint } from '../../builder/types.js';
import { recordingLogger } from '../support/recording-logger.js';
import { RollupStateCache } from '../../builder/state-store.js';
import { runBuild } from '../../builder/run-build.js';
import { piBuildDeps } from '../../pi/pi-build-deps.js';

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const builder = suite('PiFreshBuilder');
const w = {} as { dir: string; buffer: SqliteBuffer; store: FsObjectStore; locks: WindowLocks };
builder.before(() => {
  w.dir = mkdtempSync(join(tmpdir(), 'pi-fresh-'));
  w.buffer = SqliteBuffer.open(join(w.dir, 'sensorctl.db'));
  w.buffer.defineSeries([{ deviceId: 'pi', seriesId: 's.tempC', sensorId: 's', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  // 600 samples, one every 5 s up to 10 s before NOW: value = index (so sums are easy to recompute).
  w.buffer.insert('pi', Array.from({ length: 600 }, (_, i) => ({ seriesId: 's.tempC', tsMs: NOW_MS - 10_000 - i * 5_000, value: i })));
  w.store = new FsObjectStore(w.dir);
  w.locks = new WindowLocks();
});
builder.after(() => {
  w.buffer.close();
  rmSync(w.dir, { recursive: true, force: true });
});

builder('waits for the window lock, publishes the four snapshots and returns the requested one as stored', async () => {
  const puts: string[] = [];
  const put = w.store.put.bind(w.store);
  const store = Object.assign(Object.create(w.store) as FsObjectStore, { put: (...a: Parameters<FsObjectStore['put']>) => (puts.push(a[0]), put(...a)) });
  const fresh = new PiFreshBuilder({ source: w.buffer, store, clock: { nowMs: () => NOW_MS }, log: recordingLogger(), locks: w.locks });
  const release = await w.locks.acquire('pi', '1h');
  const progress: number[] = [];
  const built = fresh.build({ device: 'pi', window: '1h', granularity: 100 }, (f) => progress.push(f));
  await new Promise((r) => setImmediate(r));
  assert.equal(progress, [0], 'nothing happens while the scheduled build holds the lock');
  release();
  const payload = await built;
  assert.equal(progress, [0, 0.1, 0.9], 'waiting, lock held, window object written');
  assert.equal(puts, [`snapshots/pi/${windowObjectKey('1h')}`], 'the four snapshots in ONE put of the window object');
  assert.equal(await decodePayload((await getPublished(w.store, 'snapshots/pi/', '1h', 100))!), payload);
  const object = (await readWindowObject(w.store, 'snapshots/pi/', '1h'))!;
  for (const g of GRANULARITIES) {
    const meta = object.metas.get(g)!;
    assert.equal([meta.generatedAt, meta.stale, meta.builder], [new Date(NOW_MS).toISOString(), false, 'pi'], `meta of 1h/${g}`);
    assert.ok(object.payload(g), `payload of 1h/${g}`);
  }
  const points = payload.series[0].points as BucketPoint[];
  const samples = Array.from({ length: 600 }, (_, i) => ({ tsMs: NOW_MS - 10_000 - i * 5_000, value: i }));
  for (const p of points) {
    const inBucket = samples.filter((x) => x.tsMs >= p.startMs && x.tsMs < p.startMs + payload.bucketMs! && x.tsMs <= NOW_MS);
    assert.equal([p.count, p.sum ?? 0], [inBucket.length, inBucket.reduce((a, x) => a + x.value, 0)], `bucket ${p.startMs}`);
  }
  assert.is(points.reduce((a, p) => a + p.count, 0), 600, 'all 600 samples (the last 50 min) lie in the hour');
});

builder('rejects with FreshBuildError carrying the builder message when the source fails', async () => {
  const broken = Object.create(w.buffer) as SqliteBuffer;
  broken.listSeries = async () => { throw new Error('SQLITE_BUSY: database is locked'); };
  const fresh = new PiFreshBuilder({ source: broken, store: w.store, clock: { nowMs: () => NOW_MS }, log: recordingLogger(), locks: w.locks });
  const err = await fresh.build({ device: 'pi', window: '10h', granularity: 20 }).catch((e: unknown) => e);
  assert.instance(err, FreshBuildError);
  assert.is((err as Error).message, 'SQLITE_BUSY: database is locked');
  assert.equal((err as FreshBuildError).request, { device: 'pi', window: '10h', granularity: 20 });
  assert.not.ok(w.locks.isHeld('pi', '10h'), 'the lock is released');
});

builder('a refresh with the daemon\'s state cache leaves the state the next scheduled build continues from, without reading it back', async () => {
  const stateCache = new RollupStateCache();
  const log = recordingLogger();
  const clock = { nowMs: () => NOW_MS + 60_000 };
  const fresh = new PiFreshBuilder({ source: w.buffer, store: w.store, clock, log, locks: w.locks, stateCache });
  await fresh.build({ device: 'pi', window: '10h', granularity: 20 });
  const reads: string[] = [];
  const get = w.store.get.bind(w.store);
  const store = Object.assign(Object.create(w.store) as FsObjectStore, { get: (key: string, o?: { versionId?: string }) => (reads.push(key), get(key, o)) });
  const scheduled = await runBuild(piBuildDeps({ source: w.buffer, store, clock: { nowMs: () => NOW_MS + 120_000 }, log, deviceId: 'pi', stateCache }), { windows: ['10h'] });
  assert.ok(scheduled.ok);
  assert.is(scheduled.windows[0].mode, 'incremental');
  assert.not.ok(reads.includes(`snapshots/pi/${windowObjectKey('10h')}`), `the state the refresh saved came from the shared cache (reads: ${reads.join(', ')})`);
});

builder.run();

const locks = suite('WindowLocks');

locks('runs holders of one window one at a time, in arrival order', async () => {
  const l = new WindowLocks();
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const a = l.run('pi', '1d', async () => { log.push('a start'); await gate; log.push('a end'); });
  const b = l.run('pi', '1d', async () => { log.push('b'); });
  const c = l.run('pi', '1d', async () => { log.push('c'); });
  await Promise.resolve();
  assert.ok(l.isHeld('pi', '1d'));
  open();
  await Promise.all([a, b, c]);
  assert.equal(log, ['a start', 'a end', 'b', 'c']);
  assert.not.ok(l.isHeld('pi', '1d'));
});

locks('never makes different windows or devices wait for each other', async () => {
  const l = new WindowLocks();
  const release = await l.acquire('pi', '1d');
  assert.is(await l.run('pi', '10d', async () => 'other window'), 'other window');
  assert.is(await l.run('garage', '1d', async () => 'other device'), 'other device');
  release();
  release(); // twice is harmless
  assert.is(await l.run('pi', '1d', async () => 'after release'), 'after release');
});

locks('releases the lock when the holder throws', async () => {
  const l = new WindowLocks();
  await l.run('pi', '1h', async () => { throw new Error('boom'); }).catch((e: Error) => assert.is(e.message, 'boom'));
  assert.not.ok(l.isHeld('pi', '1h'));
  assert.is(await l.run('pi', '1h', async () => 1), 1);
});

locks('runMany holds every named window while fn runs, and a single-window holder waits for it', async () => {
  const l = new WindowLocks();
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const many = l.runMany('pi', ['1d', '1h'], async () => { log.push('many start'); await gate; log.push('many end'); });
  await new Promise((r) => setImmediate(r));
  assert.equal([l.isHeld('pi', '1h'), l.isHeld('pi', '1d'), l.isHeld('pi', '10h')], [true, true, false]);
  const one = l.run('pi', '1d', async () => { log.push('one'); });
  assert.is(await l.run('pi', '10h', async () => 'free'), 'free');
  open();
  await Promise.all([many, one]);
  assert.equal(log, ['many start', 'many end', 'one']);
  assert.not.ok(l.isHeld('pi', '1h'));
});

locks.run();
