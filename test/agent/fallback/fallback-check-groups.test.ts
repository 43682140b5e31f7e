/**
 * When the Pi checks the cloud's metas (`fallbackCheckGroups`, agent/fallback/fallback.ts): each window
 * the cloud schedules, at that window's cadence (builder/constants.ts), so 3 stale checks are 3 stale
 * builds and the checks cost 38 GETs an hour (issue 14's cost), not 300 (every window every minute).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fallbackCheckGroups } from '../../../agent/fallback/fallback.js';

test('10h and 1d every 5 min, 10d every 10, 3m and 12m every 15; the on-read 1h window never', () => {
  assert.equal(fallbackCheckGroups(), [
    { everyMs: 300_000, windows: ['10h', '1d'] },
    { everyMs: 600_000, windows: ['10d'] },
    { everyMs: 900_000, windows: ['3m', '12m'] },
  ]);
});

test('38 window checks an hour', () => {
  const perHour = fallbackCheckGroups().reduce((n, g) => n + (3_600_000 / g.everyMs) * g.windows.length, 0);
  assert.is(perHour, 38);
});

test.run();
