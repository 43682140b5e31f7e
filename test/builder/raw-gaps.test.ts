/**
 * The raw variant marks outages: a step longer than RAW_GAP_FACTOR × the series' median step gets a
 * gap marker (a null point), so the page breaks the line; every series carries its newest raw sample.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RAW_GAP_FACTOR } from '../../builder/constants.js';
import { withGapMarkers } from '../../builder/render.js';
import { runBuild, type BuildDeps } from '../../builder/run-build.js';
import type { RawPoint, Sample } from '../../builder/types.js';
import { payloadProblems } from '../../builder/validate-payload.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, gauge, readPayload, silentLog } from '../support/builder-harness.js';

const AT_MS = Date.parse('2024-03-10T13:00:00Z');
const HOLE = { afterMs: Date.parse('2024-03-10T12:19:50Z'), resumeMs: Date.parse('2024-03-10T12:40:00Z') };

/** 10-second samples over the hour before AT_MS, none from 12:20:00 to 12:39:50. */
function tenSecondSamplesWithHole(): Sample[] {
  const out: Sample[] = [];
  for (let t = AT_MS - 3_600_000 + 10_000; t <= AT_MS; t += 10_000) {
    if (t > HOLE.afterMs && t < HOLE.resumeMs) continue;
    out.push({ seriesId: 'bme.tempC', tsMs: t, value: 20 + ((t / 10_000) % 7) * 0.25 });
  }
  return out;
}

test('a 20-minute hole in 10-second samples is one gap marker in the raw 1h payload, between 12:19:50 and 12:40:00', async () => {
  const samples = tenSecondSamplesWithHole();
  const source = new MemoryBuffer();
  source.defineSeries([gauge('bme.tempC')]);
  source.insert(DEVICE, samples);
  const store = new MemoryObjectStore();
  const deps: BuildDeps = { source, store, clock: new FakeClock(AT_MS), log: silentLog, deviceId: DEVICE, builder: 'pi' };
  assert.ok((await runBuild(deps, { windows: ['1h'] })).ok);
  const raw = (await readPayload(store, '1h', 500))!;
  assert.is(raw.resolution, 'raw');
  assert.equal(payloadProblems(raw), []);
  const points = raw.series[0].points as RawPoint[];
  const gaps = points.filter((p) => p.value === null);
  assert.is(points.length - gaps.length, samples.length);
  assert.equal(gaps, [{ tsMs: (HOLE.afterMs + HOLE.resumeMs) / 2, value: null }]);
  const at = points.indexOf(gaps[0]);
  assert.equal([points[at - 1].tsMs, points[at + 1].tsMs], [HOLE.afterMs, HOLE.resumeMs]);
  const newest = samples[samples.length - 1];
  assert.equal(raw.series[0].latest, { tsMs: AT_MS, value: newest.value });
  // Bucketed variants carry the same newest raw sample, not their last bucket's average.
  const bucketed = (await readPayload(store, '1h', 20))!;
  assert.equal(bucketed.series[0].latest, { tsMs: AT_MS, value: newest.value });
});

test('steps up to RAW_GAP_FACTOR × the median step are not gaps; irregular series use their own median', () => {
  const pts = (times: number[]): RawPoint[] => times.map((tsMs) => ({ tsMs, value: 1 }));
  assert.is(withGapMarkers(pts([0, 60, 120, 120 + RAW_GAP_FACTOR * 60])).filter((p) => p.value === null).length, 0);
  assert.equal(withGapMarkers(pts([0, 60, 120, 121 + RAW_GAP_FACTOR * 60])).filter((p) => p.value === null), [{ tsMs: Math.floor((120 + 121 + RAW_GAP_FACTOR * 60) / 2), value: null }]);
  assert.equal(withGapMarkers(pts([5])), pts([5]));
});

test.run();
