/**
 * The circular kind (wind direction): buckets average with the circular mean, checked against a
 * brute-force computation over the raw samples, through full and incremental builds (the saved
 * state's JSON round trip included), with order independence.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { allSnapshots } from '../../builder/constants.js';
import { circularMeanDeg } from '../../builder/circular-mean.js';
import { RollupState } from '../../builder/rollup-state.js';
import { runBuild, type BuildDeps } from '../../builder/run-build.js';
import { payloadProblems } from '../../builder/validate-payload.js';
import type { BucketPoint, Payload, Sample, SeriesInfo } from '../../builder/types.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, gauge, readPayload, silentLog } from '../support/builder-harness.js';

const T0 = Date.parse('2024-03-10T12:00:00Z');
const WIND: SeriesInfo = { deviceId: DEVICE, seriesId: 'wind.dir', sensorId: 'wind', metric: 'windDirDeg', unit: '°', kind: 'circular' };

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A northerly wind veering slowly, ±40° of gusts: bearings around 0/360, where the arithmetic mean fails. */
function generate(fromMs: number, toMs: number, stepMs: number, seed: number): Sample[] {
  const r = rng(seed);
  const out: Sample[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    if (r() < 0.05) continue;
    const deg = (360 + 30 * Math.sin(t / 2e7) + (r() - 0.5) * 80) % 360;
    out.push({ seriesId: 'wind.dir', tsMs: t, value: Math.round(deg * 10) / 10 });
    out.push({ seriesId: 'bme.tempC', tsMs: t, value: 20 + r() });
  }
  return out;
}

/** Brute force: per bucket of `p`, the circular mean (atan2 of plain sums), numeric min and max of the samples. */
function bruteProblems(p: Payload, samples: readonly Sample[]): string[] {
  const problems: string[] = [];
  const atMs = Date.parse(p.to);
  const s = p.series.find((x) => x.id === 'wind.dir')!;
  if (p.resolution === 'raw') return problems;
  (s.points as BucketPoint[]).forEach((pt, i) => {
    const inBucket = samples.filter((x) => x.seriesId === 'wind.dir' && x.tsMs >= pt.startMs && x.tsMs < pt.startMs + p.bucketMs! && x.tsMs <= atMs);
    const where = `${p.window}/${p.granularity}[${i}]`;
    if (inBucket.length !== pt.count) return void problems.push(`${where}: count ${pt.count}, expected ${inBucket.length}`);
    if (!inBucket.length) return;
    let sin = 0;
    let cos = 0;
    for (const x of inBucket) {
      sin += Math.sin((x.value * Math.PI) / 180);
      cos += Math.cos((x.value * Math.PI) / 180);
    }
    const mean = ((Math.atan2(sin, cos) * 180) / Math.PI + 360) % 360;
    const diff = Math.abs((((pt.avg! - mean) % 360) + 540) % 360 - 180);
    if (!(diff < 1e-9)) problems.push(`${where}: avg ${pt.avg}, brute force ${mean}`);
    const values = inBucket.map((x) => x.value);
    if (pt.min !== Math.min(...values) || pt.max !== Math.max(...values)) problems.push(`${where}: min/max ${pt.min}/${pt.max}`);
  });
  return problems;
}

function setup(samples: Sample[]) {
  const source = new MemoryBuffer();
  source.defineSeries([WIND, gauge('bme.tempC')]);
  source.insert(DEVICE, samples);
  const store = new MemoryObjectStore();
  const clock = new FakeClock(T0);
  const deps: BuildDeps = { source, store, clock, log: silentLog, deviceId: DEVICE, builder: 'pi' };
  return { source, store, clock, deps };
}

const circular = suite('circular kind');

circular('350° and 10° average to 0°, not 180°; opposite bearings have no mean', () => {
  const v = (d: number) => [Math.sin((d * Math.PI) / 180), Math.cos((d * Math.PI) / 180)];
  const [s1, c1] = v(350);
  const [s2, c2] = v(10);
  assert.ok(Math.abs(circularMeanDeg(s1 + s2, c1 + c2, 2)! - 0) < 1e-9 || Math.abs(circularMeanDeg(s1 + s2, c1 + c2, 2)! - 360) < 1e-9);
  const [s3, c3] = v(180);
  const [s4, c4] = v(0);
  assert.is(circularMeanDeg(s3 + s4, c3 + c4, 2), null);
  assert.is(circularMeanDeg(v(90)[0], v(90)[1], 1), 90);
});

circular('every bucketed snapshot equals brute force, in a full build and after an incremental one', async () => {
  const first = generate(T0 - 12 * 86_400_000, T0, 120_000, 7);
  const { deps, store, source, clock } = setup(first);
  const report = await runBuild(deps);
  assert.ok(report.ok, JSON.stringify(report.snapshots.filter((s) => !s.ok)));
  for (const { window, granularity } of allSnapshots()) {
    const p = (await readPayload(store, window, granularity))!;
    assert.equal(payloadProblems(p), [], `${window}/${granularity}`);
    assert.is(p.series.find((x) => x.id === 'wind.dir')!.kind, 'circular');
    assert.equal(bruteProblems(p, first), [], `${window}/${granularity}`);
  }
  const more = generate(T0, T0 + 3_600_000, 120_000, 8);
  source.insert(DEVICE, more);
  clock.tsMs = T0 + 3_600_000;
  const second = await runBuild(deps);
  assert.ok(second.windows.every((w) => w.mode === 'incremental'), JSON.stringify(second.windows.map((w) => w.mode)));
  for (const { window, granularity } of allSnapshots()) {
    const p = (await readPayload(store, window, granularity))!;
    assert.equal(bruteProblems(p, [...first, ...more]), [], `incremental ${window}/${granularity}`);
  }
  // The arithmetic mean is far off around north: the check above is not vacuous.
  const p = (await readPayload(store, '1d', 20))!;
  const pt = (p.series.find((x) => x.id === 'wind.dir')!.points as BucketPoint[]).find((x) => x.count > 0 && x.min! < 30 && x.max! > 330)!;
  assert.ok(Math.abs(pt.sum! / pt.count - 180) < 120 && (pt.avg! < 60 || pt.avg! > 300), `avg ${pt.avg}, arithmetic ${pt.sum! / pt.count}`);
});

circular('the fold order does not change a bit, and the state survives its JSON form', () => {
  const samples = generate(T0 - 86_400_000, T0, 60_000, 3);
  const a = new RollupState('1d', DEVICE);
  const b = new RollupState('1d', DEVICE);
  a.circularSeriesIds = b.circularSeriesIds = new Set(['wind.dir']);
  a.fold(samples, T0);
  b.fold([...samples].reverse(), T0);
  const c = RollupState.fromJSON(JSON.parse(JSON.stringify(b.toJSON())), '1d', DEVICE, 'k');
  c.circularSeriesIds = a.circularSeriesIds;
  for (const st of [b, c]) assert.equal(st.aggregate('wind.dir', T0 - 86_400_000, T0 + 1), a.aggregate('wind.dir', T0 - 86_400_000, T0 + 1));
  assert.ok(a.aggregate('wind.dir', T0 - 86_400_000, T0 + 1).sinSum !== undefined);
  assert.is(a.aggregate('bme.tempC', T0 - 86_400_000, T0 + 1).sinSum, undefined, 'gauges carry no vector sums');
});

circular.run();
