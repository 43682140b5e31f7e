import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GRANULARITIES, LEGACY_SNAPSHOT_KEY_PATTERN, PAYLOAD_VERSION_ID_PATTERN, WINDOWS, WINDOW_NAMES, WINDOW_OBJECT_KEY_PATTERN,
  allSnapshots, bucketMsOf, payloadVersionId, windowObjectKey,
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

matrix('names one object per window latest_{window}.snapshots and recognises it', () => {
  assert.equal(WINDOW_NAMES.map(windowObjectKey), ['latest_1h.snapshots', 'latest_10h.snapshots', 'latest_1d.snapshots', 'latest_10d.snapshots', 'latest_3m.snapshots', 'latest_12m.snapshots']);
  assert.equal(WINDOW_NAMES.map((w) => WINDOW_OBJECT_KEY_PATTERN.exec(windowObjectKey(w))?.[1]), WINDOW_NAMES);
  for (const other of ['latest_1h_20.meta.json', 'latest_1h.snapshots.tmp', 'snapshots/dev1/latest_1h.snapshots', 'latest_.snapshots']) {
    assert.is(WINDOW_OBJECT_KEY_PATTERN.exec(other), null, other);
  }
});

matrix('names payload versions v<startMs>-<16 hex of the sha256> and parses the start back', () => {
  const id = payloadVersionId(1_700_000_000_000, '0123456789abcdef' + 'f'.repeat(48));
  assert.is(id, 'v1700000000000-0123456789abcdef');
  assert.equal(PAYLOAD_VERSION_ID_PATTERN.exec(id)?.slice(1), ['1700000000000', '0123456789abcdef']);
  assert.is(PAYLOAD_VERSION_ID_PATTERN.exec('3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY'), null, 'an S3 VersionId is not a builder version');
});

matrix('recognises every key of the earlier per-snapshot layout, and nothing of this one', () => {
  const legacy = [
    'latest_1h_20.meta.json', 'latest_1h_20.json', 'latest_1h_20.v1700000000000-0123456789abcdef.json', 'latest_1h_20.tmp-1.json',
    'latest_12m_500.meta.json', 'latest_10d_250.tmp-1700000000000.json',
  ];
  for (const key of legacy) assert.ok(LEGACY_SNAPSHOT_KEY_PATTERN.test(key), key);
  const current = [...WINDOW_NAMES.map(windowObjectKey), 'latest_1h.json', 'latest_1h_20.json.gz', 'rollup_1h.json', 'latest_1h_x.meta.json', 'notes/latest_1h_20.json'];
  for (const key of current) assert.not.ok(LEGACY_SNAPSHOT_KEY_PATTERN.test(key), key);
});

matrix.run();
