import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIRST_LOCATIONS, SeriesProfile, formatDuration } from '../../../agent/import/profile.js';

const profile = suite('SeriesProfile');
const make = () => new SeriesProfile('tempC', 'tempC', '°C', 'C', { min: -40, max: 85 }, ['a.csv', 'b.csv']);

profile('counts back-steps, zero steps, short steps under a tenth of the median step and gaps over 5× it, as a brute force does', () => {
  // steps: 600 s ×6, one 0.07 s wake-up, one back-step, one zero step, one 9.35 h gap, one 50 min step (not a gap: 5× exactly).
  const ts = [0, 600, 1200, 1800, 2400, 3000, 3600, 3600.07, 1000, 1000, 1000 + 9.35 * 3600, 1000 + 9.35 * 3600 + 3000].map((s) => Math.round(s * 1000));
  const p = make();
  ts.forEach((t, i) => p.timestamp(t, i < 6 ? 0 : 1, i + 2));
  const r = p.report();
  const steps = ts.slice(1).map((t, i) => t - ts[i]);
  const positive = steps.filter((s) => s > 0).sort((a, b) => a - b);
  const median = positive.length % 2 ? positive[(positive.length - 1) / 2] : (positive[positive.length / 2 - 1] + positive[positive.length / 2]) / 2;
  assert.is(r.typicalIntervalMs, median);
  assert.is(r.typicalIntervalMs, 600_000);
  assert.is(r.counts.nonMonotonic, steps.filter((s) => s < 0).length);
  assert.is(r.counts.zeroStep, 1);
  assert.is(r.counts.shortStep, steps.filter((s) => s > 0 && s < median / 10).length);
  assert.is(r.counts.shortStep, 1);
  assert.is(r.shortStepThresholdMs, 60_000);
  assert.equal(r.firstLocations.shortStep, ['b.csv:9 (0.070 s)']);
  assert.is(r.counts.gap, steps.filter((s) => s > 5 * median).length);
  assert.is(r.counts.gap, 1);
  assert.is(r.longestGapMs, 9.35 * 3_600_000);
  assert.is(r.longestBackStepMs, 3_600_070 - 1_000_000);
  assert.equal(r.firstLocations.gap, ['b.csv:12 (9.35 h)']);
  assert.equal(r.firstLocations.nonMonotonic, ['b.csv:10 (-43.3 min)']);
  assert.is(r.firstTsMs, 0);
  assert.is(r.lastTsMs, ts[ts.length - 1]);
});

profile('judges short steps against the series’ own cadence: a 10 s log with 1–15 s jitter flags only the sub-second step', () => {
  const stepsS = [10, 10, 1.01, 10, 15, 10, 0.5, 10, 9, 10];
  const p = make();
  let t = 0;
  p.timestamp(0, 0, 1);
  stepsS.forEach((s, i) => p.timestamp((t += Math.round(s * 1000)), 0, i + 2));
  const r = p.report();
  assert.is(r.typicalIntervalMs, 10_000);
  assert.is(r.shortStepThresholdMs, 1_000);
  assert.is(r.counts.shortStep, 1);
  assert.equal(r.firstLocations.shortStep, ['a.csv:8 (0.500 s)']);
});

profile('keeps only the first few locations of a fault but counts all of them', () => {
  const p = make();
  for (let line = 2; line < 20; line++) p.fault('empty', 0, line);
  const r = p.report();
  assert.is(r.counts.empty, 18);
  assert.is(r.firstLocations.empty!.length, FIRST_LOCATIONS);
  assert.is(r.firstLocations.empty![0], 'a.csv:2');
});

profile('reports no interval and no gaps for a single timestamp', () => {
  const p = make();
  p.timestamp(5, 0, 2);
  const r = p.report();
  assert.is(r.typicalIntervalMs, undefined);
  assert.is(r.counts.gap, 0);
});
profile.run();

const dur = suite('formatDuration');
dur('prints days, hours, minutes or seconds', () => {
  assert.is(formatDuration(9.35 * 3_600_000), '9.35 h');
  assert.is(formatDuration(37.5 * 60_000), '37.5 min');
  assert.is(formatDuration(70), '0.070 s');
  assert.is(formatDuration(3 * 86_400_000), '3.00 d');
});
dur.run();
