import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mergePayload, planGranularity } from '../../api/granularity.js';
import type { BucketPoint } from '../../builder/types.js';
import { bucketize, buildPayload, frame, sampleSeries } from '../support/snapshot-fixtures.js';

const plan = suite('planGranularity');

plan('serves prebuilt sizes as is, merges divisors of 500, and rounds others down (below 20: 20)', () => {
  const table: Array<[number, ReturnType<typeof planGranularity>]> = [
    [20, { source: 20 }], [100, { source: 100 }], [250, { source: 250 }], [500, { source: 500 }],
    [1, { source: 500, mergeTo: 1 }], [50, { source: 500, mergeTo: 50 }], [125, { source: 500, mergeTo: 125 }],
    [7, { source: 20 }], [99, { source: 20 }], [101, { source: 100 }], [300, { source: 250 }], [499, { source: 250 }],
  ];
  for (const [samples, expected] of table) assert.equal(planGranularity(samples), expected, String(samples));
});

const merge = suite('mergePayload');
const TO_MS = Date.UTC(2019, 8, 30, 16, 0, 0) + 123_456; // not on a bucket edge
const series = sampleSeries('pi', TO_MS - 12 * 86_400_000, TO_MS, 600_000);

merge('equals a brute-force bucketing of the raw rows for every divisor of 500 on 10d', () => {
  const p500 = buildPayload({ device: 'pi', window: '10d', granularity: 500, toMs: TO_MS, generatedAtMs: TO_MS, series });
  assert.is(p500.resolution, 'bucketed');
  for (const n of [1, 2, 4, 5, 10, 25, 50, 125]) {
    const merged = mergePayload(p500, n);
    const { firstMs, widthMs } = frame('10d', n, TO_MS);
    merged.series.forEach((s, i) => {
      const expected = bucketize(series[i].samples, firstMs, widthMs, n, TO_MS);
      const actual = s.points as BucketPoint[];
      assert.equal(actual.map((p) => [p.startMs, p.count, p.min, p.max]), expected.map((p) => [p.startMs, p.count, p.min, p.max]), `n=${n}`);
      actual.forEach((p, j) => assert.ok(Math.abs(p.avg! - expected[j].avg!) <= 1e-9 * Math.abs(expected[j].avg!), `n=${n} avg ${j}`));
    });
    assert.is(merged.lastBucketPartial, true);
  }
});

merge('matches the prebuilt 20 and 100 variants exactly when merging 500 into 20 and 100', () => {
  const make = (g: 20 | 100 | 500) => buildPayload({ device: 'pi', window: '10d', granularity: g, toMs: TO_MS, generatedAtMs: TO_MS, series });
  for (const g of [20, 100] as const) {
    const merged = mergePayload(make(500), g);
    const prebuilt = make(g);
    assert.equal(merged.series.map((s) => (s.points as BucketPoint[]).map((p) => [p.startMs, p.count, p.min, p.max])),
      prebuilt.series.map((s) => (s.points as BucketPoint[]).map((p) => [p.startMs, p.count, p.min, p.max])));
    assert.is(merged.from, prebuilt.from);
    assert.is(merged.bucketMs, prebuilt.bucketMs);
  }
});

plan.run();
merge.run();
