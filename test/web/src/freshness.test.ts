import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SnapshotMeta } from '../../../builder/types.js';
import { formatAge, freshnessOf } from '../../../web/src/freshness.js';

const MIN = 60_000;
const age = suite('formatAge');

age('words ages from seconds to days', () => {
  const cases: Array<[number, string]> = [
    [-5000, 'just now'], [0, 'just now'], [9_999, 'just now'], [10_000, '10 s ago'], [59_999, '59 s ago'],
    [MIN, '1 min ago'], [4 * MIN + 59_000, '4 min ago'], [60 * MIN, '1 h ago'], [125 * MIN, '2 h 5 min ago'],
    [10 * 60 * MIN, '10 h ago'], [47 * 60 * MIN, '47 h ago'], [3 * 24 * 60 * MIN, '3 d ago'],
  ];
  for (const [ms, text] of cases) assert.is(formatAge(ms), text, String(ms));
});

const META: SnapshotMeta = {
  schemaVersion: 1, window: '1d', granularity: 100, device: 'd', key: 'k', generatedAt: '2019-09-30T16:00:00.000Z',
  expiresAt: '2019-09-30T16:10:00.000Z', versionId: 'v', stagedKey: 's', sha256: 'h', bytes: 1, pointCount: 100,
  stale: false, consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder: 'pi',
};
const at = (iso: string) => Date.parse(iso);
const fresh = suite('freshnessOf');

fresh('is fresh before expiresAt and words the age from meta generatedAt', () => {
  assert.equal(freshnessOf(META, '2000-01-01T00:00:00Z', at('2019-09-30T16:04:00Z')), {
    generatedMs: at('2019-09-30T16:00:00Z'), text: 'last updated 4 min ago', isStale: false, banner: undefined,
  });
});

fresh('says the latest build failed when meta is stale, with the failure count and error', () => {
  const f = freshnessOf({ ...META, stale: true, consecutiveFailures: 2, lastError: 'disk full' }, undefined, at('2019-09-30T18:00:00Z'));
  assert.is(f.banner, 'Showing data from 2 h ago; the latest build failed (2 failed builds in a row): disk full.');
  assert.ok(f.isStale);
});

fresh('is stale once expiresAt has passed', () => {
  const f = freshnessOf(META, undefined, at('2019-09-30T16:30:00Z'));
  assert.is(f.banner, 'Showing data from 30 min ago; a newer build was due 20 min ago and has not arrived.');
});

fresh('falls back to Last-Updated when the meta could not be fetched, and to "age unknown" without either', () => {
  assert.is(freshnessOf(undefined, '2019-09-30T15:00:00Z', at('2019-09-30T16:00:00Z')).text, 'last updated 1 h ago');
  assert.equal(freshnessOf(undefined, 'garbage', 0), { generatedMs: undefined, text: 'age unknown', isStale: false, banner: undefined });
});

age.run();
fresh.run();
