import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RollupState } from '../../builder/rollup-state.js';
import { StateError } from '../../builder/errors.js';
import { fineBucketMs } from '../../builder/bucket-geometry.js';
import type { Sample } from '../../builder/types.js';

const W = fineBucketMs('1h'); // 7.2 s
const s = (tsMs: number, value: number, seriesId = 'a'): Sample => ({ seriesId, tsMs, value });

const state = suite('RollupState');
state('folds samples into epoch-aligned fine buckets with count, exact sum, min and max', () => {
  const r = new RollupState('1h', 'd');
  r.fold([s(W, 0.1), s(W + 1, 0.2), s(2 * W - 1, 0.3), s(2 * W, 5)], 10 * W);
  assert.equal(r.aggregate('a', W, 2 * W), { count: 3, sum: 0.6, min: 0.1, max: 0.3 });
  assert.equal(r.aggregate('a', 2 * W, 3 * W), { count: 1, sum: 5, min: 5, max: 5 });
  assert.equal(r.aggregate('b', 0, 10 * W).count, 0);
});
state('gives identical aggregates whatever the fold order', () => {
  const xs = Array.from({ length: 200 }, (_, i) => s(i * 97, 1000 + Math.sin(i) * 0.123456789));
  const a = new RollupState('1h', 'd');
  const b = new RollupState('1h', 'd');
  a.fold(xs, 1e9);
  for (const x of [...xs].reverse()) b.fold([x], 1e9);
  for (let t = 0; t < 200 * 97; t += W) assert.equal(a.aggregate('a', t, t + 5 * W), b.aggregate('a', t, t + 5 * W));
});
state('holds samples after the build instant until a later advance passes them', () => {
  const r = new RollupState('1h', 'd');
  r.fold([s(5 * W, 1), s(20 * W, 2)], 10 * W);
  r.advance(10 * W, 0);
  assert.is(r.pendingCount, 1);
  assert.is(r.aggregate('a', 0, 100 * W).count, 1);
  r.advance(20 * W, 0);
  assert.is(r.pendingCount, 0);
  assert.is(r.aggregate('a', 0, 100 * W).count, 2);
});
state('drops fine buckets that start before the oldest bucket any variant needs', () => {
  const r = new RollupState('1h', 'd');
  r.fold([s(0, 1), s(W, 2), s(2 * W, 3)], 10 * W);
  r.advance(10 * W, W);
  assert.is(r.bucketCount(), 2);
  assert.is(r.aggregate('a', 0, W).count, 0);
});
state('round-trips through JSON bit for bit, cursor and pending included', () => {
  const r = new RollupState('10d', 'dev');
  r.fold([s(1_000, 0.1), s(2_000, 1e16), s(3_000, 1), s(4_000, -1e16), s(9e12, 7)], 1e12);
  r.cursor = '42';
  r.advance(1e12, 0);
  const back = RollupState.fromJSON(JSON.parse(JSON.stringify(r.toJSON())), '10d', 'dev', 'k');
  assert.equal(back.toJSON(), r.toJSON());
  assert.is(back.aggregate('a', 0, 1e12).sum, 1.1);
  assert.is(back.cursor, '42');
  assert.is(back.pendingCount, 1);
});
state('refuses saved state of another window, device or version with a StateError', () => {
  const json = new RollupState('1h', 'd').toJSON();
  for (const [v, w, d] of [[json, '10h', 'd'], [json, '1h', 'x'], [{ ...json, stateVersion: 99 }, '1h', 'd'], [null, '1h', 'd']] as const) {
    try {
      RollupState.fromJSON(v, w, d, 'state/d/rollup_1h.json');
      assert.unreachable();
    } catch (err) {
      assert.instance(err, StateError);
      assert.match((err as Error).message, 'state/d/rollup_1h.json');
    }
  }
});
state.run();
