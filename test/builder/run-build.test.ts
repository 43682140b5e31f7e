import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, WINDOW_NAMES, allSnapshots, devicePrefix, payloadVersionId, payloadVersionKey, stagedKey, type Window } from '../../builder/constants.js';
import { runBuild, type BuildDeps, type BuildOptions } from '../../builder/run-build.js';
import { RollupStateCache, stateKey } from '../../builder/state-store.js';
import { payloadProblems, metaProblems } from '../../builder/validate-payload.js';
import type { BucketPoint, Payload, Sample } from '../../builder/types.js';
import { sha256Hex } from '../../builder/codec.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, compareWithBruteForce, counter, gauge, readMetaOf, readPayload, silentLog } from '../support/builder-harness.js';

const T0 = Date.parse('2024-03-10T12:00:00Z');
const SERIES = [gauge('bme.tempC'), gauge('bme.rhPct', 'rhPct', '%RH'), counter('rain.pulses')];

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples every `stepMs` in [fromMs, toMs) for the three series, with gaps and jitter. */
function generate(fromMs: number, toMs: number, stepMs: number, seed = 1): Sample[] {
  const r = rng(seed);
  const out: Sample[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    if (r() < 0.05) continue; // gaps
    const ts = t + Math.floor(r() * 900);
    out.push({ seriesId: 'bme.tempC', tsMs: ts, value: 20 + 3 * Math.sin(ts / 3.6e6) + r() * 0.37 });
    out.push({ seriesId: 'bme.rhPct', tsMs: ts, value: 45 + r() * 10 });
    if (r() < 0.3) out.push({ seriesId: 'rain.pulses', tsMs: ts, value: Math.floor(r() * 4) });
  }
  return out;
}

function setup(nowMs: number, samples: Sample[] = []) {
  const source = new MemoryBuffer();
  source.defineSeries(SERIES);
  source.insert(DEVICE, samples);
  const store = new MemoryObjectStore();
  const clock = new FakeClock(nowMs);
  const deps: BuildDeps = { source, store, clock, log: silentLog, deviceId: DEVICE, builder: 'pi' };
  return { source, store, clock, deps, all: [...samples] };
}

const withoutTime = (p: Payload | undefined) => (p ? { ...p, generatedAt: '' } : p);

const build = suite('runBuild');

build('builds all 24 snapshots and meta that validate and equal a brute-force bucketing, counters included', async () => {
  const samples = generate(T0 - 3 * 86_400_000, T0, 60_000);
  const { deps, store } = setup(T0, samples);
  const report = await runBuild(deps);
  assert.ok(report.ok, JSON.stringify(report.snapshots.filter((s) => !s.ok)));
  assert.is(report.snapshots.length, 24);
  for (const { window, granularity } of allSnapshots()) {
    const p = (await readPayload(store, window, granularity))!;
    assert.equal(payloadProblems(p), [], `${window}/${granularity}`);
    assert.equal(metaProblems(await readMetaOf(store, window, granularity)), []);
    assert.equal(compareWithBruteForce(p, samples, 1e-12), []);
  }
  const day = (await readPayload(store, '1d', 20))!;
  const rain = day.series.find((s) => s.id === 'rain.pulses')!;
  const total = samples.filter((s) => s.seriesId === 'rain.pulses' && s.tsMs >= Date.parse(day.from) && s.tsMs <= T0).reduce((a, s) => a + s.value, 0);
  assert.ok(total > 100);
  assert.is((rain.points as BucketPoint[]).reduce((a, p) => a + (p.sum ?? 0), 0), total, 'counter sums add up to the pulses in range');
  assert.is(rain.kind, 'counter');
});

build('merges 20, 100 and 250 buckets exactly from the 500 buckets (count, min, max; sum to rounding)', async () => {
  const samples = generate(T0 - 3_600_000, T0 + 1, 1_000, 7);
  const { deps, store } = setup(T0, samples);
  await runBuild(deps, { windows: ['1h'] });
  const fine = (await readPayload(store, '1h', 500))!;
  assert.is(fine.resolution, 'bucketed');
  for (const g of [20, 100, 250] as const) {
    const coarse = (await readPayload(store, '1h', g))!;
    const f = 500 / g;
    coarse.series.forEach((s, si) => {
      const finePts = fine.series[si].points as BucketPoint[];
      (s.points as BucketPoint[]).forEach((pt, i) => {
        // The 500 variant starts up to f-1 fine buckets earlier than the coarse variant.
        const offset = (pt.startMs - finePts[0].startMs) / (fine.bucketMs as number);
        const group = finePts.slice(offset, offset + f).filter((x) => x.count > 0);
        assert.is(pt.count, group.reduce((a, x) => a + x.count, 0));
        if (!group.length) return assert.is(pt.min, null);
        assert.is(pt.min, Math.min(...group.map((x) => x.min as number)));
        assert.is(pt.max, Math.max(...group.map((x) => x.max as number)));
        const sum = group.reduce((a, x) => a + (x.sum as number), 0);
        assert.ok(Math.abs((pt.sum as number) - sum) <= 1e-12 * Math.abs(sum), `${g} ${s.id}[${i}]`);
      });
    });
  }
});

build('keeps empty buckets explicit with count 0 and null values, and marks the partial last bucket', async () => {
  const samples = generate(T0 - 3_600_000, T0 - 1_800_000, 10_000); // nothing in the last 30 min
  const { deps, store } = setup(T0 + 90_000, samples);
  await runBuild(deps, { windows: ['1h'] });
  const p = (await readPayload(store, '1h', 20))!;
  const last = (p.series[0].points as BucketPoint[]).at(-1)!;
  assert.equal(last, { startMs: T0, count: 0, avg: null, min: null, max: null, sum: null });
  assert.ok(p.lastBucketPartial);
  assert.is(p.to, new Date(T0 + 90_000).toISOString());
});

build('gives incremental builds exactly the output of full rebuilds, late, future and backfilled samples included', async () => {
  const history = generate(T0 - 12 * 86_400_000, T0, 300_000, 3);
  const inc = setup(T0, history);
  await runBuild(inc.deps);
  const r = rng(99);
  let nowMs = T0;
  for (let step = 0; step < 6; step++) {
    const advanceMs = [45_000, 7_200, 600_000, 1, 3_600_000, 86_400_000][step];
    const fresh = generate(nowMs, nowMs + advanceMs, 5_000, 10 + step);
    // late: an old sample inside the windows; future: stamped after the build instant (clock skew)
    const late = [{ seriesId: 'bme.tempC', tsMs: nowMs - Math.floor(r() * 5 * 86_400_000), value: 18.25 + step }];
    const future = [{ seriesId: 'bme.rhPct', tsMs: nowMs + advanceMs + 30_000, value: 50.5 }];
    nowMs += advanceMs;
    const added = inc.source.insert(DEVICE, [...fresh, ...late, ...future]).inserted;
    inc.all.push(...fresh, ...late, ...future);
    inc.clock.tsMs = nowMs;
    const report = await runBuild(inc.deps);
    assert.ok(report.ok);
    for (const w of report.windows) {
      assert.is(w.mode, 'incremental', `${w.window} step ${step}`);
      assert.is(w.samplesRead, added, `${w.window} reads only the new samples`);
    }
    const full = setup(nowMs, inc.all);
    const fullReport = await runBuild(full.deps, { full: true });
    assert.ok(fullReport.windows.every((w) => w.mode === 'full'));
    for (const { window, granularity } of allSnapshots()) {
      assert.equal(withoutTime(await readPayload(inc.store, window, granularity)), withoutTime(await readPayload(full.store, window, granularity)), `${window}/${granularity} step ${step}`);
    }
  }
});

build('folds a backfilled sample into the bucket of its timestamp on the next incremental build', async () => {
  const samples = generate(T0 - 10 * 3_600_000, T0, 60_000);
  const { deps, source, store, clock } = setup(T0, samples);
  await runBuild(deps, { windows: ['10h'] });
  const tsMs = T0 - 5 * 3_600_000 + 123; // five hours late
  source.insert(DEVICE, [{ seriesId: 'bme.tempC', tsMs, value: 99.5 }]);
  clock.tsMs = T0 + 1_000;
  const report = await runBuild(deps, { windows: ['10h'] });
  assert.equal([report.windows[0].mode, report.windows[0].samplesRead], ['incremental', 1]);
  const p = (await readPayload(store, '10h', 20))!;
  const pts = p.series.find((s) => s.id === 'bme.tempC')!.points as BucketPoint[];
  const hit = pts.find((pt) => pt.startMs <= tsMs && tsMs < pt.startMs + (p.bucketMs as number))!;
  const before = samples.filter((s) => s.seriesId === 'bme.tempC' && s.tsMs >= hit.startMs && s.tsMs < hit.startMs + (p.bucketMs as number));
  assert.is(hit.count, before.length + 1);
  assert.is(hit.max, 99.5);
  assert.equal(compareWithBruteForce(p, [...samples, { seriesId: 'bme.tempC', tsMs, value: 99.5 }]), []);
});

build('rebuilds in full when the source says the cursor expired, with correct output', async () => {
  const samples = generate(T0 - 86_400_000, T0, 60_000);
  const { deps, source, store, clock, all } = setup(T0, samples);
  await runBuild(deps, { windows: ['1d'] });
  const more = generate(T0, T0 + 600_000, 60_000, 5);
  source.insert(DEVICE, more);
  all.push(...more);
  await source.release(DEVICE, '999999'); // another consumer forgot the journal
  clock.tsMs = T0 + 600_000;
  const report = await runBuild(deps, { windows: ['1d'] });
  assert.is(report.windows[0].mode, 'full');
  assert.is(report.windows[0].reason, 'cursor expired');
  for (const g of GRANULARITIES) {
    const p = (await readPayload(store, '1d', g))!;
    assert.equal(compareWithBruteForce(p, all), []);
  }
});

build('switches the 500 variant to raw samples when every series has at most 500 in the window', async () => {
  const at = T0;
  const series = (n: number, id: string) => Array.from({ length: n }, (_, i) => ({ seriesId: id, tsMs: at - i * 7_000, value: i + 0.5 }));
  const a = setup(at, [...series(500, 'bme.tempC'), ...series(3, 'bme.rhPct'), { seriesId: 'bme.tempC', tsMs: at - 3_600_000, value: 1 }]);
  await runBuild(a.deps, { windows: ['1h'] });
  const raw = (await readPayload(a.store, '1h', 500))!;
  assert.is(raw.resolution, 'raw');
  assert.is(raw.bucketMs, null);
  assert.is(raw.series.find((s) => s.id === 'bme.tempC')!.points.length, 500, 'the sample at exactly atMs - 1h is outside');
  assert.equal(raw.series.find((s) => s.id === 'bme.rhPct')!.points, [{ tsMs: at - 14_000, value: 2.5 }, { tsMs: at - 7_000, value: 1.5 }, { tsMs: at, value: 0.5 }]);
  assert.equal(payloadProblems(raw), []);
  assert.is((await readMetaOf(a.store, '1h', 500))!.pointCount, 500);
  const b = setup(at, [...series(501, 'bme.tempC'), ...series(3, 'bme.rhPct')]);
  await runBuild(b.deps, { windows: ['1h'] });
  const bucketed = (await readPayload(b.store, '1h', 500))!;
  assert.is(bucketed.resolution, 'bucketed');
  assert.equal(compareWithBruteForce(bucketed, b.all), []);
});

build('keeps meta naming the last good payload and marks it stale when the payload write fails, then recovers', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store, clock } = setup(T0, samples);
  await runBuild(deps, { windows: ['1h'] });
  const prefix = devicePrefix(DEVICE);
  const goodMeta = (await readMetaOf(store, '1h', 100))!;
  const good = (await store.get(goodMeta.key))!;
  store.faults = (op, k) => (op === 'put' && k.startsWith(prefix + 'latest_1h_100.v') ? new Error('AccessDenied') : undefined);
  for (const n of [1, 2]) {
    clock.tsMs += 60_000;
    const report = await runBuild(deps, { windows: ['1h'] });
    assert.is(report.failed, 1);
    assert.not.ok(report.ok);
    assert.match(report.snapshots.find((s) => !s.ok)!.error!, 'AccessDenied');
    const meta = (await readMetaOf(store, '1h', 100))!;
    assert.equal(metaProblems(meta), []);
    assert.is(meta.stale, true);
    assert.is(meta.consecutiveFailures, n);
    assert.match(meta.lastError!, 'AccessDenied');
    assert.is(meta.lastFailureAt, new Date(clock.tsMs).toISOString());
    assert.is(meta.key, goodMeta.key, 'meta still names the last good payload');
    assert.is(meta.sha256, goodMeta.sha256);
    assert.is(meta.generatedAt, goodMeta.generatedAt);
    assert.equal([...(await store.get(meta.key))!.body], [...good.body], 'and that payload is still there');
    assert.is((await readMetaOf(store, '1h', 20))!.stale, false, 'other snapshots still built');
  }
  store.faults = () => undefined;
  clock.tsMs += 60_000;
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const meta = (await readMetaOf(store, '1h', 100))!;
  assert.equal([meta.stale, meta.consecutiveFailures, meta.lastError], [false, 0, null]);
  assert.is(await sha256Hex((await store.get(meta.key))!.body), meta.sha256);
});

build('gives a never-built snapshot that fails a stale meta with null payload fields', async () => {
  const { deps, store } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  store.faults = (op, k) => (op === 'put' && k.includes('latest_1h_20.v') ? new Error('SlowDown') : undefined);
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.is(report.failed, 1);
  const meta = (await readMetaOf(store, '1h', 20))!;
  assert.equal(metaProblems(meta), []);
  assert.equal([meta.generatedAt, meta.sha256, meta.versionId, meta.stale, meta.consecutiveFailures], [null, null, null, true, 1]);
  assert.is(await readPayload(store, '1h', 20), undefined);
});

build('keeps one previous version for pinned readers and deletes older ones after the meta write', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const prefix = devicePrefix(DEVICE);
  const metas = [];
  for (let i = 0; i < 4; i++) {
    clock.tsMs = T0 + i * 2 * 60_000;
    assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
    metas.push((await readMetaOf(store, '1h', 20))!);
  }
  const versions = store.keys().filter((k) => k.startsWith(prefix + 'latest_1h_20.v'));
  assert.equal(versions, [metas[2].key, metas[3].key], 'current and previous kept, older deleted');
  assert.is(metas[3].versionId, payloadVersionId(clock.tsMs, metas[3].sha256!));
  assert.is(metas[3].key, prefix + payloadVersionKey('1h', 20, metas[3].versionId!));
});

build('sweeps staged keys older than 10 minutes and keeps younger ones of a run in progress', async () => {
  const { deps, store } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const prefix = devicePrefix(DEVICE);
  const old = prefix + stagedKey('1d', 20, T0 - 11 * 60_000);
  const young = prefix + stagedKey('1d', 20, T0 - 5 * 60_000);
  await store.put(old, new Uint8Array([1]), { contentType: 'application/json' });
  await store.put(young, new Uint8Array([1]), { contentType: 'application/json' });
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.equal(report.sweptKeys, [old]);
  assert.equal(store.keys().filter((k) => k.includes('.tmp-')), [young]);
});

build('recovers from a run killed between the payload and the meta write: meta named the old payload throughout, the orphan goes later', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  await runBuild(deps, { windows: ['1h'] });
  const prefix = devicePrefix(DEVICE);
  const before = (await readMetaOf(store, '1h', 20))!;
  // The killed run wrote its payload version and died before the meta write.
  const orphan = prefix + payloadVersionKey('1h', 20, payloadVersionId(T0 + 1, 'f'.repeat(64)));
  await store.put(orphan, new Uint8Array([1, 2, 3]), { contentType: 'application/json', contentEncoding: 'gzip' });
  assert.equal(await readMetaOf(store, '1h', 20), before);
  assert.is(await sha256Hex((await store.get(before.key))!.body), before.sha256);
  for (const m of [2, 4]) {
    clock.tsMs = T0 + m * 60_000;
    assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  }
  assert.is((await readPayload(store, '1h', 20))!.to, new Date(clock.tsMs).toISOString());
  assert.not.ok(store.keys().includes(orphan), 'orphan version deleted');
});

build('with listEveryMs, lists once an hour, meta always names a complete payload, and the hourly listing deletes the old versions and a killed run\'s orphan', async () => {
  const { deps, store, clock, source } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const hourly: BuildDeps = { ...deps, listEveryMs: 3_600_000 };
  const prefix = devicePrefix(DEVICE);
  const list = store.list.bind(store);
  const listedAt: number[] = [];
  store.list = async (p: string) => {
    listedAt.push(Math.floor((clock.tsMs - T0) / 60_000));
    return list(p);
  };
  const orphan = prefix + payloadVersionKey('1h', 100, payloadVersionId(T0 + 30 * 60_000 + 1, 'f'.repeat(64)));
  for (let m = 0; m <= 61; m++) {
    clock.tsMs = T0 + m * 60_000 + 2_000;
    source.insert(DEVICE, generate(clock.tsMs - 60_000, clock.tsMs, 10_000, 40 + m));
    // minute 30: a run killed between its payload and its meta write left a version no meta names
    if (m === 30) await store.put(orphan, new Uint8Array([1, 2, 3]), { contentType: 'application/json', contentEncoding: 'gzip' });
    assert.ok((await runBuild(hourly, { windows: ['1h'] })).ok);
    for (const g of GRANULARITIES) {
      const meta = (await readMetaOf(store, '1h', g))!;
      const body = (await store.get(meta.key))!.body;
      assert.is(await sha256Hex(body), meta.sha256, `minute ${m} 1h/${g}: meta names a complete payload`);
      assert.is(body.byteLength, meta.bytes);
    }
  }
  assert.equal(listedAt, [0, 60], 'listed at the start of each hour only');
  const versions = store.keys().filter((k) => k.startsWith(prefix + 'latest_1h_100.v'));
  assert.is(versions.length, 3, `the hourly listing kept current and previous, the one run after it adds one: ${versions.join(' ')}`);
  assert.not.ok(store.keys().includes(orphan), 'orphan deleted by the hourly listing');
});

build('publishes a window in two concurrent rounds, and a reader at any write sees every meta naming a complete payload', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const writes: string[] = [];
  const put = store.put.bind(store);
  let checks = 0;
  store.put = async (key, body, headers, options) => {
    for (const g of GRANULARITIES) {
      const meta = (await readMetaOf(store, '1h', g))!;
      assert.is(await sha256Hex((await store.get(meta.key))!.body), meta.sha256, `before writing ${key}: 1h/${g}`);
      checks++;
    }
    writes.push(key.includes('.meta.json') ? 'meta' : key.includes('/state/') || key.startsWith('state/') ? 'state' : 'payload');
    return put(key, body, headers, options);
  };
  clock.tsMs = T0 + 60_000;
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  assert.equal(writes, ['payload', 'payload', 'payload', 'payload', 'meta', 'meta', 'meta', 'meta', 'state']);
  assert.is(checks, 36);
});

build('builds as of an explicit instant from raw rows without touching saved state, excluding later samples', async () => {
  const samples = generate(T0 - 86_400_000, T0 + 3_600_000, 60_000);
  const { deps, store, source } = setup(T0 + 3_600_000, samples);
  await runBuild(deps, { windows: ['1h', '1d'] });
  const stateBefore = await store.get(stateKey(`state/${DEVICE}/`, '1h'));
  const report = await runBuild(deps, { windows: ['1h', '1d'], atMs: T0 });
  assert.ok(report.ok);
  assert.ok(report.windows.every((w) => w.mode === 'at' && !w.stateSaved));
  assert.equal([...(await store.get(stateKey(`state/${DEVICE}/`, '1h')))!.body], [...stateBefore!.body]);
  for (const g of GRANULARITIES) {
    const p = (await readPayload(store, '1d', g))!;
    assert.is(p.to, new Date(T0).toISOString());
    assert.equal(compareWithBruteForce(p, samples.filter((s) => s.tsMs <= T0)), []);
  }
  assert.is(source.reads.since, 0);
});

build('with a state cache, reads no saved state after the first run, and a run that failed before saving never leaks its half-folded state', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store, clock, source } = setup(T0, samples);
  const cached: BuildDeps = { ...deps, stateCache: new RollupStateCache() };
  assert.ok((await runBuild(cached)).ok);
  const getsOf: string[] = [];
  const get = store.get.bind(store);
  store.get = async (key, o) => (getsOf.push(key), get(key, o));
  clock.tsMs += 60_000;
  assert.ok((await runBuild(cached, { windows: ['1h'] })).ok);
  assert.equal(getsOf.filter((k) => k.startsWith('state/')), [], 'neither its own state nor the other windows\' cursors were read');
  // A run whose state save fails: the 1h state was folded in memory but not saved.
  const more = generate(T0 + 60_000, T0 + 120_000, 10_000);
  source.insert(DEVICE, more);
  samples.push(...more);
  store.faults = (op, k) => (op === 'put' && k.startsWith('state/') ? new Error('disk full') : undefined);
  clock.tsMs += 60_000;
  assert.not.ok((await runBuild(cached, { windows: ['1h'] })).windows[0].stateSaved);
  store.faults = () => undefined;
  getsOf.length = 0;
  clock.tsMs += 60_000;
  assert.ok((await runBuild(cached, { windows: ['1h'] })).ok);
  assert.ok(getsOf.includes(stateKey(`state/${DEVICE}/`, '1h')), 'the saved state was read again');
  for (const g of GRANULARITIES) assert.equal(compareWithBruteForce((await readPayload(store, '1h', g))!, samples), [], `1h/${g}: nothing counted twice`);
});

build('with stateSaveEveryMs, saves a window\'s state only once the saved one is that old, refolds from it in between, and publishes what a full rebuild would', async () => {
  const inc = setup(T0, generate(T0 - 2 * 3_600_000, T0, 10_000));
  const deps: BuildDeps = { ...inc.deps, stateSaveEveryMs: 10 * 60_000 };
  const windows: Window[] = ['1h', '10h'];
  const first = await runBuild(deps, { windows });
  assert.ok(first.windows.every((w) => w.mode === 'full' && w.stateSaved), 'a full rebuild is always saved');
  const savedAtMinute: number[] = [];
  let sinceSave = 0;
  for (let m = 1; m <= 21; m++) {
    const t = T0 + m * 60_000;
    const fresh = generate(t - 60_000, t, 5_000, 20 + m);
    sinceSave += inc.source.insert(DEVICE, fresh).inserted;
    inc.all.push(...fresh);
    inc.clock.tsMs = t;
    const r = await runBuild(deps, { windows });
    assert.ok(r.ok);
    assert.ok(r.windows.every((w) => w.mode === 'incremental'), `minute ${m}: the journal was never released past the saved cursor`);
    assert.is(r.windows[0].samplesRead, sinceSave, `minute ${m}: folds every change since the saved state again`);
    assert.is(r.windows[0].stateSaved, r.windows[1].stateSaved);
    if (r.windows[0].stateSaved) {
      savedAtMinute.push(m);
      sinceSave = 0;
    }
    if (m % 5 === 0 || m === 21) {
      const full = setup(t, inc.all);
      await runBuild(full.deps, { windows, full: true });
      for (const w of windows) {
        for (const g of GRANULARITIES) assert.equal(withoutTime(await readPayload(inc.store, w, g)), withoutTime(await readPayload(full.store, w, g)), `${w}/${g} minute ${m}`);
      }
    }
  }
  assert.equal(savedAtMinute, [10, 20]);
});

build('releases the journal only up to the oldest cursor any window still needs', async () => {
  const { deps, source, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const first = await runBuild(deps);
  const cursorAfterAll = first.releasedCursor!;
  source.insert(DEVICE, generate(T0, T0 + 60_000, 5_000, 4));
  clock.tsMs = T0 + 60_000;
  const onlyShort = await runBuild(deps, { windows: ['1h'] });
  assert.is(onlyShort.releasedCursor, cursorAfterAll, 'the other five windows still need the new samples');
  const rest: Window[] = WINDOW_NAMES.filter((w) => w !== '1h');
  const others = await runBuild(deps, { windows: rest });
  assert.ok(others.windows.every((w) => w.mode === 'incremental'));
  assert.ok(Number(others.releasedCursor) > Number(cursorAfterAll));
});

build('reports a window whose change read fails as four failed snapshots and continues with the others', async () => {
  const { deps, source, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  await runBuild(deps, { windows: ['1h', '10h'] });
  const readSince = source.readSince.bind(source);
  let calls = 0;
  source.readSince = async (...args: Parameters<typeof readSince>) => {
    if (calls++ === 0) throw new Error('ProvisionedThroughputExceededException');
    return readSince(...args);
  };
  clock.tsMs += 60_000;
  const report = await runBuild(deps, { windows: ['1h', '10h'] } satisfies BuildOptions);
  assert.is(report.failed, 4);
  assert.ok(report.windows[0].error?.includes('ProvisionedThroughputExceeded'));
  assert.ok(report.snapshots.filter((s) => s.window === '10h').every((s) => s.ok));
  assert.ok((await readMetaOf(store, '1h', 250))!.stale);
});

build('rebuilds every window that needs it from one shared range read', async () => {
  const samples = generate(T0 - 400 * 86_400_000, T0, 3_600_000);
  const { deps, source } = setup(T0, samples);
  const report = await runBuild(deps);
  assert.ok(report.windows.every((w) => w.mode === 'full' && w.reason === 'no saved state'));
  const year = report.windows.find((w) => w.window === '12m')!.samplesRead;
  assert.ok(year > 15_000, String(year));
  const raw = report.windows.reduce((a, w) => a + w.rawSamplesRead, 0);
  assert.is(source.reads.range, year + raw, 'the 12m range read covers every other window');
  assert.is(report.samplesRead, year + raw);
});

build.run();
