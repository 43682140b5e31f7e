import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, WINDOW_NAMES, allSnapshots, devicePrefix, payloadVersionId, windowObjectKey, type Window } from '../../builder/constants.js';
import { runBuild, type BuildDeps, type BuildOptions } from '../../builder/run-build.js';
import { RollupStateCache, loadState } from '../../builder/state-store.js';
import { payloadProblems, metaProblems } from '../../builder/validate-payload.js';
import type { BucketPoint, Payload, Sample } from '../../builder/types.js';
import { sha256Hex } from '../../builder/codec.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { FaultyStore } from '../support/faulty-store.js';
import { publishedProblems } from '../support/published-check.js';
import { DEVICE, FakeClock, compareWithBruteForce, counter, gauge, readMetaOf, readPayload, readWindow, silentLog } from '../support/builder-harness.js';

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

const PREFIX = devicePrefix(DEVICE);
/** Key of `w`'s window object of DEVICE. */
const objectKey = (w: Window): string => PREFIX + windowObjectKey(w);
/** The stored bytes of `w`'s window object. */
const objectBytes = async (store: MemoryObjectStore, w: Window): Promise<number[]> => [...(await store.get(objectKey(w)))!.body];

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

build('a render failure of one granularity keeps its previous payload bytes with a stale meta, counting, while the others are new; then recovers', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000); // ≤ 500 per series: the 500 variant is raw, read from the source
  const { deps, source, store, clock } = setup(T0, samples);
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const goodMeta = (await readMetaOf(store, '1h', 500))!;
  const goodSha = await sha256Hex((await readWindow(store, PREFIX, '1h'))!.payload(500)!);
  assert.is(goodSha, goodMeta.sha256);
  const readRange = source.readRange.bind(source);
  source.readRange = async () => {
    throw new Error('SQLITE_BUSY: database is locked');
  };
  for (const n of [1, 2]) {
    clock.tsMs += 60_000;
    const report = await runBuild(deps, { windows: ['1h'] });
    assert.equal([report.failed, report.ok, report.windows[0].mode, report.windows[0].stateSaved], [1, false, 'incremental', true]);
    const failed = report.snapshots.find((s) => !s.ok)!;
    assert.is(failed.granularity, 500);
    assert.match(failed.error!, 'SQLITE_BUSY');
    const object = (await readWindow(store, PREFIX, '1h'))!;
    const meta = object.metas.get(500)!;
    assert.equal(failed.meta, meta, 'the report carries the meta written');
    assert.equal(metaProblems(meta), []);
    assert.equal([meta.stale, meta.consecutiveFailures, meta.lastFailureAt], [true, n, new Date(clock.tsMs).toISOString()]);
    assert.match(meta.lastError!, 'SQLITE_BUSY');
    assert.equal([meta.generatedAt, meta.sha256, meta.versionId, meta.bytes], [goodMeta.generatedAt, goodMeta.sha256, goodMeta.versionId, goodMeta.bytes]);
    assert.is(await sha256Hex(object.payload(500)!), goodSha, 'the last good payload is still served');
    for (const g of [20, 100, 250] as const) {
      const m = object.metas.get(g)!;
      assert.equal([m.stale, m.generatedAt], [false, new Date(clock.tsMs).toISOString()], `1h/${g} is new`);
      assert.is(await sha256Hex(object.payload(g)!), m.sha256);
    }
  }
  source.readRange = readRange;
  clock.tsMs += 60_000;
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const meta = (await readMetaOf(store, '1h', 500))!;
  assert.equal([meta.stale, meta.consecutiveFailures, meta.lastError, meta.generatedAt], [false, 0, null, new Date(clock.tsMs).toISOString()]);
  assert.equal(compareWithBruteForce((await readPayload(store, '1h', 500))!, samples), []);
});

build('gives a never-built snapshot that fails a stale meta with null payload fields', async () => {
  const { deps, source, store } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const readRange = source.readRange.bind(source);
  let calls = 0;
  // The first range read is the full rebuild's; the second the raw read of the 500 variant.
  source.readRange = async (...args: Parameters<typeof readRange>) => {
    if (++calls === 2) throw new Error('SlowDown');
    return readRange(...args);
  };
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.is(report.failed, 1);
  const meta = (await readMetaOf(store, '1h', 500))!;
  assert.equal(metaProblems(meta), []);
  assert.equal([meta.generatedAt, meta.sha256, meta.versionId, meta.bytes, meta.stale, meta.consecutiveFailures], [null, null, null, null, true, 1]);
  assert.is(meta.key, objectKey('1h'));
  assert.is(await readPayload(store, '1h', 500), undefined);
  assert.ok(await readPayload(store, '1h', 20), 'the others are built');
});

build('a failed put leaves the previous object byte-identical; the next run catches up from the state it holds', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store, clock, source } = setup(T0, samples);
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const before = await objectBytes(store, '1h');
  const more = generate(T0, T0 + 60_000, 10_000, 8);
  source.insert(DEVICE, more);
  samples.push(...more);
  store.faults = (op) => (op === 'put' ? new Error('InternalError') : undefined);
  clock.tsMs = T0 + 60_000;
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.equal([report.failed, report.windows[0].stateSaved], [4, false]);
  assert.ok(report.snapshots.every((s) => s.error?.includes('InternalError') && s.meta === undefined), 'the failure record could not be written either');
  assert.equal(await objectBytes(store, '1h'), before);
  store.faults = () => undefined;
  clock.tsMs = T0 + 120_000;
  const next = await runBuild(deps, { windows: ['1h'] });
  assert.ok(next.ok);
  assert.equal([next.windows[0].mode, next.windows[0].samplesRead], ['incremental', more.length]);
  for (const g of GRANULARITIES) assert.equal(compareWithBruteForce((await readPayload(store, '1h', g))!, samples), [], `1h/${g}`);
});

build('a store error reading the window object fails the window without overwriting the object', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  assert.ok((await runBuild(deps, { windows: ['1h', '10h'] })).ok);
  const before = await objectBytes(store, '1h');
  store.faults = (op, k) => (op === 'get' && k === objectKey('1h') ? new Error('SlowDown') : undefined);
  const puts: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key, ...rest) => (puts.push(key), put(key, ...rest));
  clock.tsMs += 60_000;
  const report = await runBuild(deps, { windows: ['1h', '10h'] });
  assert.equal(report.snapshots.filter((s) => !s.ok).map((s) => `${s.window}/${s.granularity}`), ['1h/20', '1h/100', '1h/250', '1h/500']);
  assert.ok(report.snapshots.filter((s) => !s.ok).every((s) => s.error?.includes('SlowDown') && s.meta === undefined));
  assert.equal(puts, [objectKey('10h')], 'no put of the 1h object: a failure record needs the object it could not read');
  store.faults = () => undefined;
  assert.equal(await objectBytes(store, '1h'), before);
});

build('keeps the version id of each payload in its meta: v<start of the attempt>-<sha256>', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  clock.tsMs = T0 + 2 * 60_000;
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const object = (await readWindow(store, PREFIX, '1h'))!;
  for (const g of GRANULARITIES) {
    const meta = object.metas.get(g)!;
    assert.is(meta.sha256, await sha256Hex(object.payload(g)!));
    assert.is(meta.versionId, payloadVersionId(clock.tsMs, meta.sha256!));
    assert.equal([meta.key, meta.stagedKey], [objectKey('1h'), objectKey('1h')]);
  }
});

build('puts exactly ONE object per window and run, and lists nothing once every window object exists', async () => {
  const { deps, store: inner, clock, source } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const store = new FaultyStore(inner);
  const counted: BuildDeps = { ...deps, store };
  const first = await runBuild(counted);
  assert.ok(first.ok);
  assert.equal(store.calls.filter((c) => c.startsWith('put ')).sort(), WINDOW_NAMES.map((w) => `put ${objectKey(w)}`).sort());
  assert.equal([store.count('get'), store.count('list'), store.count('delete'), store.count('head')], [6, 1, 0, 0], 'one GET per window for its state; the first run lists once for the earlier layout');
  assert.equal(first.sweptKeys, []);
  for (let m = 1; m <= 3; m++) {
    store.calls.length = 0;
    clock.tsMs = T0 + m * 60_000;
    source.insert(DEVICE, generate(clock.tsMs - 60_000, clock.tsMs, 10_000, 50 + m));
    const r = await runBuild(counted);
    assert.ok(r.ok && r.windows.every((w) => w.mode === 'incremental'));
    assert.equal([store.count('put'), store.count('put', { windowObjects: true }), store.count('get'), store.count('list'), store.count('delete')], [6, 6, 6, 0, 0], `run ${m}`);
  }
  store.calls.length = 0;
  clock.tsMs += 60_000;
  assert.ok((await runBuild(counted, { windows: ['1h'] })).ok);
  assert.equal(store.calls.filter((c) => !c.startsWith('get ')), [`put ${objectKey('1h')}`]);
  assert.equal(store.count('get'), 6, 'its own state, and the five other windows\' cursors for the release');
  const check = await publishedProblems(inner, PREFIX);
  assert.equal([check.problems, check.built, check.windows], [[], 24, 6]);
});

build('the put is the commit point: before it every stored object is the previous, consistent one', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const previous = await objectBytes(store, '1h');
  const writes: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key, body, headers, options) => {
    assert.equal(await objectBytes(store, '1h'), previous, `before writing ${key}`);
    assert.equal(await publishedProblems(store, PREFIX), { problems: [], built: 4, windows: 1 });
    writes.push(key);
    return put(key, body, headers, options);
  };
  clock.tsMs = T0 + 60_000;
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  assert.equal(writes, [objectKey('1h')]);
  assert.not.equal(await objectBytes(store, '1h'), previous);
  assert.is((await readMetaOf(store, '1h', 20))!.generatedAt, new Date(T0 + 60_000).toISOString());
});

build('the first run in a prefix of the earlier layout deletes exactly its keys; later runs list nothing', async () => {
  const { deps, store, clock } = setup(T0, generate(T0 - 3_600_000, T0, 10_000));
  const legacy = ['latest_1h_20.meta.json', 'latest_1h_20.v1700000000000-0123456789abcdef.json', 'latest_1h_20.json', 'latest_1h_20.tmp-1.json'].map((k) => PREFIX + k);
  const kept = [PREFIX + 'notes.json', PREFIX + 'latest_1h.json', 'snapshots/other/latest_1h_20.meta.json', `state/${DEVICE}/rollup_1h.json`, 'fallback/' + PREFIX + 'latest_1h_20.json'];
  for (const k of [...legacy, ...kept]) await store.put(k, new Uint8Array([1]), { contentType: 'application/json' });
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.ok(report.ok);
  assert.equal(report.sweptKeys, legacy.slice().sort());
  assert.equal(store.keys(), [...kept, objectKey('1h')].sort());
  let lists = 0;
  const list = store.list.bind(store);
  store.list = async (p) => (lists++, list(p));
  clock.tsMs += 60_000;
  const again = await runBuild(deps, { windows: ['1h'] });
  assert.equal([again.sweptKeys, lists], [[], 0]);
});

build('rebuilds in full over a window object that cannot be decoded, and replaces it', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store } = setup(T0, samples);
  await store.put(objectKey('1h'), new TextEncoder().encode('SNAPWIN1 but not really'), { contentType: 'application/octet-stream' });
  const report = await runBuild(deps, { windows: ['1h'] });
  assert.ok(report.ok);
  assert.is(report.windows[0].mode, 'full');
  assert.match(report.windows[0].reason!, /snapshot meta unreadable: header of [0-9]+ bytes runs past/);
  assert.equal((await publishedProblems(store, PREFIX)).problems, []);
  for (const g of GRANULARITIES) assert.equal(compareWithBruteForce((await readPayload(store, '1h', g))!, samples), [], `1h/${g}`);
});

build('builds as of an explicit instant from raw rows, keeping the object\'s state section byte for byte, excluding later samples', async () => {
  const samples = generate(T0 - 86_400_000, T0 + 3_600_000, 60_000);
  const { deps, store, source } = setup(T0 + 3_600_000, samples);
  await runBuild(deps, { windows: ['1h', '1d'] });
  const stateBefore = [...(await readWindow(store, PREFIX, '1h'))!.state()!];
  const report = await runBuild(deps, { windows: ['1h', '1d'], atMs: T0 });
  assert.ok(report.ok);
  assert.ok(report.windows.every((w) => w.mode === 'at' && !w.stateSaved));
  assert.equal(report.sweptKeys, []);
  const after = (await readWindow(store, PREFIX, '1h'))!;
  assert.equal([...after.state()!], stateBefore);
  assert.is(after.metas.get(20)!.generatedAt, new Date(T0 + 3_600_000).toISOString(), 'generatedAt is the clock, to the instant built');
  for (const g of GRANULARITIES) {
    const p = (await readPayload(store, '1d', g))!;
    assert.is(p.to, new Date(T0).toISOString());
    assert.equal(compareWithBruteForce(p, samples.filter((s) => s.tsMs <= T0)), []);
  }
  assert.is(source.reads.since, 0);
  const next = await runBuild(deps, { windows: ['1h'] });
  assert.equal([next.windows[0].mode, next.windows[0].samplesRead], ['incremental', 0], 'the next run catches up from the kept state');
});

build('loads the state from the window object: the second run is incremental from the first run\'s cursor', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store, clock, source } = setup(T0, samples);
  const first = await runBuild(deps, { windows: ['1h'] });
  assert.equal([first.windows[0].mode, first.windows[0].reason, first.windows[0].stateSaved], ['full', 'no window object', true]);
  const saved = (await loadState(store, PREFIX, '1h', DEVICE)).state!;
  assert.equal([saved.atMs, saved.cursor], [T0, first.releasedCursor]);
  const more = generate(T0, T0 + 30_000, 5_000, 9);
  const added = source.insert(DEVICE, more).inserted;
  clock.tsMs = T0 + 30_000;
  const second = await runBuild(deps, { windows: ['1h'] });
  assert.equal([second.windows[0].mode, second.windows[0].samplesRead], ['incremental', added]);
  assert.ok(added > 0);
  const after = (await loadState(store, PREFIX, '1h', DEVICE)).state!;
  assert.equal([after.atMs, after.cursor], [T0 + 30_000, second.releasedCursor]);
  assert.not.equal(after.cursor, saved.cursor);
  for (const g of GRANULARITIES) assert.equal(compareWithBruteForce((await readPayload(store, '1h', g))!, [...samples, ...more]), [], `1h/${g}`);
});

build('with a state cache, reads no window object after the first run, and a run that failed before saving never leaks its half-folded state', async () => {
  const samples = generate(T0 - 3_600_000, T0, 10_000);
  const { deps, store, clock, source } = setup(T0, samples);
  const cached: BuildDeps = { ...deps, stateCache: new RollupStateCache() };
  assert.ok((await runBuild(cached)).ok);
  const getsOf: string[] = [];
  const get = store.get.bind(store);
  store.get = async (key, o) => (getsOf.push(key), get(key, o));
  clock.tsMs += 60_000;
  assert.ok((await runBuild(cached, { windows: ['1h'] })).ok);
  assert.equal(getsOf, [], 'neither its own state nor the other windows\' cursors were read');
  // A run whose put fails: the 1h state was folded in memory but not saved.
  const more = generate(T0 + 60_000, T0 + 120_000, 10_000);
  source.insert(DEVICE, more);
  samples.push(...more);
  store.faults = (op) => (op === 'put' ? new Error('disk full') : undefined);
  clock.tsMs += 60_000;
  assert.not.ok((await runBuild(cached, { windows: ['1h'] })).windows[0].stateSaved);
  store.faults = () => undefined;
  getsOf.length = 0;
  clock.tsMs += 60_000;
  assert.ok((await runBuild(cached, { windows: ['1h'] })).ok);
  assert.equal(getsOf, [objectKey('1h')], 'the saved state was read again, from the window object');
  for (const g of GRANULARITIES) assert.equal(compareWithBruteForce((await readPayload(store, '1h', g))!, samples), [], `1h/${g}: nothing counted twice`);
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
  assert.ok(report.windows.every((w) => w.mode === 'full' && w.reason === 'no window object'));
  const year = report.windows.find((w) => w.window === '12m')!.samplesRead;
  assert.ok(year > 15_000, String(year));
  const raw = report.windows.reduce((a, w) => a + w.rawSamplesRead, 0);
  assert.is(source.reads.range, year + raw, 'the 12m range read covers every other window');
  assert.is(report.samplesRead, year + raw);
});

build.run();
