import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WINDOWS } from '../../../builder/constants.js';
import type { Payload } from '../../../builder/types.js';
import { newestSampleText, seriesAge } from '../../../web/src/data-age.js';
import { windowTheDataFills } from '../../../web/src/dashboard.js';
import { cadenceMsOf, isNewBuild, nextCheckDelayMs } from '../../../web/src/live.js';

const G = Date.parse('2019-09-30T16:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

test('checks 2 s after the next build is due, by the server\'s cadence (half of expiresAt − generatedAt)', () => {
  const meta = { generatedAt: iso(G), expiresAt: iso(G + 60_000) }; // the daemon's 1h: every 30 s
  assert.is(cadenceMsOf(meta, '1h'), 30_000);
  assert.is(nextCheckDelayMs(meta, '1h', G + 10_000), 22_000);
  assert.is(nextCheckDelayMs(meta, '1h', G + 40_000), 5_000, 'overdue: every tenth of the cadence, at least 5 s');
  assert.is(nextCheckDelayMs({ generatedAt: iso(G), expiresAt: iso(G + 600_000) }, '1d', G + 400_000), 30_000, 'overdue 1d: at most 30 s');
  assert.is(cadenceMsOf(undefined, '10d'), WINDOWS['10d'].rebuildEveryMs);
  assert.is(nextCheckDelayMs(undefined, '1h', G), 5_000);
  assert.ok(isNewBuild({ generatedAt: iso(G), versionId: 'a' }, { generatedAt: iso(G + 1), versionId: 'b' }));
  assert.not.ok(isNewBuild({ generatedAt: iso(G), versionId: 'a' }, { generatedAt: iso(G), versionId: 'a' }));
});

const payload = (points: Array<{ tsMs: number; value: number | null }>, latest?: { tsMs: number; value: number }): Payload => ({
  schemaVersion: 1, window: '1h', granularity: 500, resolution: 'raw', bucketMs: null, from: iso(G - 3_600_000 + 1), to: iso(G),
  lastBucketPartial: false, generatedAt: iso(G), device: 'd',
  series: [{ id: 's', metric: 'tempC', unit: '°C', kind: 'gauge', points, ...(latest ? { latest } : {}) }],
});

test('the newest sample and a silent series: older than 4 intervals and 2 min', () => {
  const pts = Array.from({ length: 20 }, (_, i) => ({ tsMs: G - 3_000_000 + i * 10_000, value: 20 }));
  const p = payload(pts, pts[19] as { tsMs: number; value: number });
  const newest = pts[19].tsMs;
  assert.equal(newestSampleText(p, newest + 5 * 60_000), { text: 'newest sample 5 min ago', newestMs: newest });
  assert.is(seriesAge(p.series[0], p, newest + 30_000).isSilent, false, '30 s: 3 intervals of 10 s but under 2 min');
  assert.is(seriesAge(p.series[0], p, newest + 46 * 60_000).warning, 'no sample for 46 min (usually every 10 s)');
});

test('a young database: the first view narrows to the smallest window holding all its data', () => {
  const young = { ...payload([{ tsMs: G - 3 * 3_600_000, value: 1 }, { tsMs: G, value: 2 }]), window: '1d' as const };
  assert.is(windowTheDataFills(young), '10h');
  const old = { ...payload([{ tsMs: G - 20 * 3_600_000, value: 1 }]), window: '1d' as const };
  assert.is(windowTheDataFills(old), undefined);
});

test.run();
