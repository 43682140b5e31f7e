import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOUD_ON_READ_WINDOWS, CLOUD_SCHEDULED_WINDOWS, META_TTL_S, WINDOW_NAMES, WINDOWS, windowObjectKey } from '../../../builder/constants.js';
import { builderReservedConcurrency, MIN_BUILDER_CONCURRENCY, scheduleGroups, snapshotBehaviours } from '../../../cloud/infra/schedules.js';

const groups = suite('scheduleGroups');

groups('groups the scheduled windows by cadence; the on-read 1h window has no rule (issue 14: 8 S3 PUTs a minute)', () => {
  assert.equal(CLOUD_ON_READ_WINDOWS, ['1h']);
  assert.equal(scheduleGroups(), [
    { rateMinutes: 5, windows: ['10h', '1d'] },
    { rateMinutes: 10, windows: ['10d'] },
    { rateMinutes: 15, windows: ['3m', '12m'] },
  ]);
});

groups('every window is either scheduled (exactly once) or rendered on read, never both', () => {
  const scheduled = scheduleGroups().flatMap((g) => g.windows);
  assert.equal(scheduled, [...CLOUD_SCHEDULED_WINDOWS]);
  for (const w of WINDOW_NAMES) assert.is(scheduled.includes(w), !CLOUD_ON_READ_WINDOWS.includes(w), w);
});

groups('never schedules a window less often than its cadence (beyond the one-minute floor)', () => {
  for (const g of scheduleGroups()) for (const w of g.windows) assert.ok(g.rateMinutes * 60_000 <= Math.max(60_000, WINDOWS[w].rebuildEveryMs), w);
});

groups('the builder\'s reserved concurrency: the busiest minute\'s shards (every group\'s) within the shortest cadence', () => {
  // 1,000 devices: 20 shards of 50 per run, 3 groups firing together, 50 × 0.3 s = 15 s a shard, in 60 s.
  assert.is(builderReservedConcurrency(1_000), 15);
  assert.is(builderReservedConcurrency(3_000), 45);
  assert.is(builderReservedConcurrency(1_001), 16, 'a 21st shard of one device still takes a slot');
  assert.is(builderReservedConcurrency(1), MIN_BUILDER_CONCURRENCY, 'a small fleet keeps the floor');
  assert.is(builderReservedConcurrency(1_000, 100), 15, 'half the shards, each twice as long');
  assert.is(builderReservedConcurrency(1_000, 50, [{ rateMinutes: 5, windows: ['10h', '1d'] }, { rateMinutes: 15, windows: ['3m'] }]), MIN_BUILDER_CONCURRENCY, 'two groups: ceil(2 × 20 × 15 s / 60 s) = 10');
  assert.is(builderReservedConcurrency(1_000, 50, [{ rateMinutes: 5, windows: ['10h'] }]), MIN_BUILDER_CONCURRENCY, 'one group: 5, raised to the floor');
  assert.throws(() => builderReservedConcurrency(0), /expectedDevices 0: expected an integer ≥ 1/);
  assert.throws(() => builderReservedConcurrency(Number('lots')), /expectedDevices NaN/);
});

groups.run();

const behaviours = suite('snapshotBehaviours');

/** CloudFront path-pattern matching: `*` any characters, `?` one; the first matching behaviour wins. */
const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/[.+^$()[\]{}|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(path);
const firstMatch = (path: string) => snapshotBehaviours().find((b) => matches(b.pathPattern, path));

behaviours('every window object, canonical or fallback, lands on the one WindowObject behaviour with the short meta TTL', () => {
  assert.equal(snapshotBehaviours(), [{ pathPattern: '*.snapshots', ttlS: META_TTL_S, name: 'WindowObject' }]);
  assert.is(META_TTL_S, 10, 'an object carries its metas, so it is cached no longer than a meta');
  for (const w of WINDOW_NAMES) {
    for (const prefix of ['snapshots/pi/', 'fallback/snapshots/pi/']) {
      assert.is(firstMatch(prefix + windowObjectKey(w))?.name, 'WindowObject', `${prefix} ${w}`);
    }
  }
  // The earlier per-snapshot layout's keys no longer have a behaviour of their own (they are deleted by the first build).
  for (const key of ['snapshots/pi/latest_1h_20.json', 'snapshots/pi/latest_1h_20.meta.json', 'fallback/snapshots/pi/latest_1d_100.v1-0123456789abcdef.json']) {
    assert.is(firstMatch(key), undefined, key);
  }
});

behaviours.run();
