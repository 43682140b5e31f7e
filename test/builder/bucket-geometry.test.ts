import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rawRange, variantBounds, windowFromMs } from '../../builder/bucket-geometry.js';
import { GRANULARITIES, WINDOW_NAMES } from '../../builder/constants.js';

const AT = Date.parse('2019-09-30T16:00:00Z');

const bounds = suite('variantBounds');
bounds('aligns 1h/20 buckets (3 min) to epoch multiples, the last containing atMs', () => {
  const b = variantBounds('1h', 20, AT + 61_000); // 16:01:01
  assert.is(b.bucketMs, 180_000);
  assert.is(b.lastStartMs, Date.parse('2019-09-30T16:00:00Z'));
  assert.is(b.fromMs, Date.parse('2019-09-30T15:03:00Z'));
  assert.is(b.lastEndMs, Date.parse('2019-09-30T16:03:00Z'));
  assert.ok(b.lastBucketPartial);
});
bounds('calls the last bucket complete only when atMs is its last millisecond', () => {
  assert.not.ok(variantBounds('1h', 20, AT - 1).lastBucketPartial);
  assert.ok(variantBounds('1h', 20, AT).lastBucketPartial);
  assert.is(variantBounds('1h', 20, AT - 1).lastStartMs, AT - 180_000);
});
bounds('gives every variant exactly granularity buckets whose start is a multiple of the width', () => {
  for (const w of WINDOW_NAMES) for (const g of GRANULARITIES) {
    const b = variantBounds(w, g, AT + 12_345);
    assert.is(b.fromMs % b.bucketMs, 0);
    assert.is((b.lastEndMs - b.fromMs) / b.bucketMs, g);
    assert.ok(b.lastStartMs <= AT + 12_345 && AT + 12_345 < b.lastEndMs);
  }
});
bounds.run();

const from = suite('windowFromMs');
from('is the 500 variant first bucket, which can lie before the 20 variant first bucket', () => {
  const at = Date.parse('2019-09-30T15:00:00Z'); // a 3-minute boundary: the 20 variant's last bucket just began
  assert.is(windowFromMs('1h', at), variantBounds('1h', 500, at).fromMs);
  assert.ok(variantBounds('1h', 500, at).fromMs < variantBounds('1h', 20, at).fromMs);
});
from.run();

const raw = suite('rawRange');
raw('is (atMs - span, atMs] as inclusive bounds', () => {
  assert.equal(rawRange('1h', AT), { fromMs: AT - 3_600_000 + 1, toMs: AT });
});
raw.run();
