import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GRANULARITIES, WINDOWS, WINDOW_NAMES, allSnapshots, bucketMsOf, metaKey, snapshotKey, stagedKey, STAGED_KEY_PATTERN,
} from '../../builder/constants.js';

const matrix = suite('snapshot matrix');

matrix('has the six windows in span order, 3m = 90 d and 12m = 365 d', () => {
  assert.equal(WINDOW_NAMES, ['1h', '10h', '1d', '10d', '3m', '12m']);
  assert.is(WINDOWS['3m'].spanMs, 90 * 86_400_000);
  assert.is(WINDOWS['12m'].spanMs, 365 * 86_400_000);
  for (let i = 1; i < WINDOW_NAMES.length; i++) {
    assert.ok(WINDOWS[WINDOW_NAMES[i]].spanMs > WINDOWS[WINDOW_NAMES[i - 1]].spanMs);
  }
});

matrix('gives ≤ 1h windows a 30–60 s TTL and larger ones a 5–15 min cadence', () => {
  for (const w of WINDOW_NAMES) {
    const { spanMs, ttlS, rebuildEveryMs } = WINDOWS[w];
    if (spanMs <= 3_600_000) {
      assert.ok(ttlS >= 30 && ttlS <= 60, `${w} ttl ${ttlS}`);
      assert.ok(rebuildEveryMs >= 30_000 && rebuildEveryMs <= 60_000, `${w} cadence ${rebuildEveryMs}`);
    } else {
      assert.ok(rebuildEveryMs >= 300_000 && rebuildEveryMs <= 900_000, `${w} cadence ${rebuildEveryMs}`);
    }
  }
});

matrix('has 24 snapshots whose bucket widths are whole milliseconds and nest into the 500 variant', () => {
  const all = allSnapshots();
  assert.is(all.length, 24);
  assert.equal([...GRANULARITIES], [20, 100, 250, 500]);
  for (const { window, granularity } of all) {
    const b = bucketMsOf(window, granularity);
    assert.ok(Number.isInteger(b), `${window}/${granularity} = ${b}`);
    assert.is(b % bucketMsOf(window, 500), 0);
  }
  assert.is(bucketMsOf('1h', 500), 7_200);
  assert.is(bucketMsOf('12m', 20), 1_576_800_000);
});

matrix('names keys latest_{window}_{granularity}(.meta).json and recognises staged keys', () => {
  assert.is(snapshotKey('1h', 20), 'latest_1h_20.json');
  assert.is(metaKey('10d', 500), 'latest_10d_500.meta.json');
  const staged = stagedKey('3m', 250, 1_700_000_000_000);
  assert.is(staged, 'latest_3m_250.tmp-1700000000000.json');
  assert.is(STAGED_KEY_PATTERN.exec(staged)?.[1], '1700000000000');
  assert.is(STAGED_KEY_PATTERN.exec('latest_3m_250.json'), null);
});

matrix.run();
