/**
 * Correctness on real data: the bme280-livingroom dataset (../shared, present in CI) in a real SQLite
 * buffer (temp file), all 24 snapshots as of 2019-09-30T16:00:00Z compared bucket by bucket with a
 * brute-force computation from the raw rows, and the incremental path checked against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { WINDOWS, allSnapshots } from '../../builder/constants.js';
import { runBuild, type BuildDeps } from '../../builder/run-build.js';
import { payloadProblems } from '../../builder/validate-payload.js';
import type { Payload, Sample } from '../../builder/types.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { FakeClock, compareWithBruteForce, readMetaOf, readPayload, silentLog } from '../support/builder-harness.js';
import { BME280_DEVICE, BME280_FIXTURE_DIR, BME280_SERIES, hasBme280, loadBme280 } from '../support/bme280-data.js';

const AT = Date.parse('2019-09-30T16:00:00Z');
const real = suite<{ dir: string; buffer: SqliteBuffer; samples: Sample[]; deps: BuildDeps; clock: FakeClock; store: MemoryObjectStore }>('runBuild on the bme280-livingroom dataset', {} as never);

real.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'builder-bme280-'));
  ctx.buffer = SqliteBuffer.open(join(ctx.dir, 'sensorctl.db'));
  ctx.buffer.defineSeries(BME280_SERIES);
  ctx.samples = loadBme280();
  ctx.buffer.insert(BME280_DEVICE, ctx.samples);
  ctx.clock = new FakeClock(AT);
  ctx.store = new MemoryObjectStore(); // the store is not under test here (sensorctl rebuild tests the directory store)
  ctx.deps = { source: ctx.buffer, store: ctx.store, clock: ctx.clock, log: silentLog, deviceId: BME280_DEVICE, builder: 'pi' };
});

real.after((ctx) => {
  ctx.buffer?.close();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

real('loads the dataset as SOURCE.md profiles it: 419,259 rows minus 331 empty, 17 out of range', (ctx) => {
  assert.is(ctx.samples.length, 419_259 - (106 + 115 + 110) - (3 + 14));
});

real('builds all 24 snapshots as of 2019-09-30T16:00Z whose every bucket equals a brute-force computation', async (ctx) => {
  const report = await runBuild(ctx.deps, { atMs: AT });
  assert.ok(report.ok, JSON.stringify(report.snapshots.filter((s) => !s.ok)));
  const bySeries = ctx.samples.filter((s) => s.tsMs <= AT);
  for (const { window, granularity } of allSnapshots()) {
    const p = (await readPayload(ctx.store, window, granularity, BME280_DEVICE))!;
    assert.equal(payloadProblems(p), [], `${window}/${granularity}`);
    assert.is(p.to, '2019-09-30T16:00:00.000Z');
    if (p.resolution === 'raw') {
      for (const s of p.series) {
        const want = bySeries.filter((x) => x.seriesId === s.id && x.tsMs > AT - WINDOWS[window].spanMs).map((x) => ({ tsMs: x.tsMs, value: x.value }));
        assert.equal(s.points, want, `${window}/${granularity} ${s.id}`);
      }
      continue;
    }
    assert.equal(compareWithBruteForce(p, bySeries, 1e-9), [], `${window}/${granularity}`);
    const meta = (await readMetaOf(ctx.store, window, granularity, BME280_DEVICE))!;
    assert.equal([meta.stale, meta.pointCount, meta.builder], [false, granularity, 'pi']);
  }
  // Known shape of the data: the 1h window holds ~6 samples per series (raw); 12m is bucketed with real gaps.
  assert.is((await readPayload(ctx.store, '1h', 500, BME280_DEVICE))!.resolution, 'raw');
  assert.is((await readPayload(ctx.store, '12m', 500, BME280_DEVICE))!.resolution, 'bucketed');
});

real('gives the same buckets from a scheduled build (full, then incremental after one new minute) as from --at', async (ctx) => {
  const first = await runBuild(ctx.deps);
  assert.ok(first.windows.every((w) => w.mode === 'full'));
  const atBuild = new Map<string, Payload>();
  for (const { window, granularity } of allSnapshots()) atBuild.set(`${window}/${granularity}`, (await readPayload(ctx.store, window, granularity, BME280_DEVICE))!);
  const minute = BME280_SERIES.map((s, i) => ({ seriesId: s.seriesId, tsMs: AT + 30_000, value: [24.5, 55.25, 100_812][i] }));
  ctx.buffer.insert(BME280_DEVICE, minute);
  ctx.clock.tsMs = AT + 60_000;
  const second = await runBuild(ctx.deps);
  assert.ok(second.ok);
  assert.ok(second.windows.every((w) => w.mode === 'incremental' && w.samplesRead === 3), JSON.stringify(second.windows));
  const all = [...ctx.samples, ...minute];
  for (const { window, granularity } of allSnapshots()) {
    const p = (await readPayload(ctx.store, window, granularity, BME280_DEVICE))!;
    if (p.resolution === 'bucketed') assert.equal(compareWithBruteForce(p, all, 1e-9), [], `${window}/${granularity}`);
  }
  assert.ok(atBuild.size === 24);
});

if (hasBme280()) real.run();

/**
 * Always runs, also on a clone without ../shared: the committed cut of the same log, all 24 snapshots
 * as of the end of its 2018-09/10 overlap, compared with a brute-force computation.
 */
const cut = suite('runBuild on the committed bme280-livingroom cut');
cut('builds all 24 snapshots as of 2018-10-31T00:00Z whose every bucket equals a brute-force computation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'builder-bme280-cut-'));
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  try {
    buffer.defineSeries(BME280_SERIES);
    const samples = loadBme280(BME280_FIXTURE_DIR);
    assert.ok(samples.length > 30_000, `${samples.length} samples in the cut`);
    buffer.insert(BME280_DEVICE, samples);
    const at = Date.parse('2018-10-31T00:00:00Z');
    const store = new MemoryObjectStore();
    const report = await runBuild({ source: buffer, store, clock: new FakeClock(at), log: silentLog, deviceId: BME280_DEVICE, builder: 'pi' }, { atMs: at });
    assert.ok(report.ok, JSON.stringify(report.snapshots.filter((s) => !s.ok)));
    const upToAt = samples.filter((s) => s.tsMs <= at);
    let bucketed = 0;
    for (const { window, granularity } of allSnapshots()) {
      const p = (await readPayload(store, window, granularity, BME280_DEVICE))!;
      assert.equal(payloadProblems(p), [], `${window}/${granularity}`);
      if (p.resolution === 'raw') continue;
      bucketed++;
      assert.equal(compareWithBruteForce(p, upToAt, 1e-9), [], `${window}/${granularity}`);
    }
    assert.ok(bucketed >= 20, `${bucketed} bucketed snapshots compared`);
  } finally {
    buffer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
cut.run();
