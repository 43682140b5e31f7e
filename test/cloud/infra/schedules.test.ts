import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOUD_ON_READ_WINDOWS, CLOUD_SCHEDULED_WINDOWS, META_TTL_S, WINDOW_NAMES, WINDOWS } from '../../../builder/constants.js';
import { scheduleGroups, snapshotBehaviours } from '../../../cloud/infra/schedules.js';

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

groups.run();

const behaviours = suite('snapshotBehaviours');

/** CloudFront path-pattern matching: `*` any characters, `?` one; the first matching behaviour wins. */
const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/[.+^$()[\]{}|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(path);
const firstMatch = (path: string) => snapshotBehaviours().find((b) => matches(b.pathPattern, path));

behaviours('each window key, canonical or fallback, lands on its own window TTL; meta on the short TTL', () => {
  for (const w of WINDOW_NAMES) {
    for (const prefix of ['snapshots/pi/', 'fallback/snapshots/pi/']) {
      assert.is(firstMatch(`${prefix}latest_${w}_20.json`)?.ttlS, WINDOWS[w].ttlS, `${prefix} ${w}`);
      assert.is(firstMatch(`${prefix}latest_${w}_20.meta.json`)?.ttlS, META_TTL_S);
      assert.is(firstMatch(`${prefix}latest_${w}_20.json`)?.name, `Window${w}`);
    }
  }
});

behaviours.run();
