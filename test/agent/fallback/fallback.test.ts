import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WINDOWS } from '../../../builder/constants.js';
import type { SnapshotMeta } from '../../../builder/types.js';
import { decideFallback, DEFAULT_FALLBACK_OPTIONS, initialFallbackState, judge, type MetaObservation } from '../../../agent/fallback/fallback.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const meta = (over: Partial<SnapshotMeta>): MetaObservation => ({
  kind: 'meta',
  meta: {
    schemaVersion: 1, window: '1h', granularity: 20, device: 'd', key: 'latest_1h_20.json', generatedAt: new Date(T0).toISOString(), expiresAt: null,
    versionId: 'v', stagedKey: 's', sha256: 'x', bytes: 1, pointCount: 20, stale: false, consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder: 'lambda', ...over,
  },
});

const j = suite('judge');
j('a fresh, recent cloud build is fresh', () => {
  assert.is(judge('1h', meta({}), T0 + 1000, DEFAULT_FALLBACK_OPTIONS), 'fresh');
});
j('stale meta, a never-built snapshot and an absent meta are stale', () => {
  assert.is(judge('1h', meta({ stale: true }), T0, DEFAULT_FALLBACK_OPTIONS), 'stale');
  assert.is(judge('1h', meta({ generatedAt: null }), T0, DEFAULT_FALLBACK_OPTIONS), 'stale');
  assert.is(judge('1h', { kind: 'absent' }, T0, DEFAULT_FALLBACK_OPTIONS), 'stale');
});
j('generatedAt older than 3 cadences is late, exactly 3 cadences is not', () => {
  const cadence = WINDOWS['1d'].rebuildEveryMs;
  assert.is(judge('1d', meta({}), T0 + 3 * cadence, DEFAULT_FALLBACK_OPTIONS), 'fresh');
  assert.is(judge('1d', meta({}), T0 + 3 * cadence + 1, DEFAULT_FALLBACK_OPTIONS), 'late');
});
j('an unreadable meta is unknown', () => {
  assert.is(judge('1h', { kind: 'unreadable', error: 'ECONNREFUSED' }, T0, DEFAULT_FALLBACK_OPTIONS), 'unknown');
});
j.run();

const d = suite('decideFallback');
d('pushes a window only at the third consecutive stale check, and keeps pushing while stale', () => {
  let state = initialFallbackState();
  const pushes: string[][] = [];
  for (let i = 0; i < 4; i++) {
    const r = decideFallback(state, { '1h': meta({ stale: true }), '10h': meta({}) }, T0 + i, DEFAULT_FALLBACK_OPTIONS);
    state = r.state;
    pushes.push(r.push);
  }
  assert.equal(pushes, [[], [], ['1h'], ['1h']]);
});
d('a fresh check in between resets the count', () => {
  let state = initialFallbackState();
  for (const o of [meta({ stale: true }), meta({ stale: true }), meta({}), meta({ stale: true }), meta({ stale: true })]) {
    state = decideFallback(state, { '1h': o }, T0, DEFAULT_FALLBACK_OPTIONS).state;
  }
  assert.equal(state.pushing, []);
  assert.is(state.consecutiveStale['1h'], 2);
});
d('a late cloud build triggers a push at once; fresh again stops it and says so', () => {
  const late = decideFallback(initialFallbackState(), { '12m': meta({}) }, T0 + 3 * WINDOWS['12m'].rebuildEveryMs + 1, DEFAULT_FALLBACK_OPTIONS);
  assert.equal(late.push, ['12m']);
  const fresh = decideFallback(late.state, { '12m': meta({ generatedAt: new Date(T0 + 1e9).toISOString() }) }, T0 + 1e9, DEFAULT_FALLBACK_OPTIONS);
  assert.equal(fresh.push, []);
  assert.equal(fresh.stopped, ['12m']);
});
d('unreadable checks neither count nor stop a push', () => {
  let state = { consecutiveStale: { '1h': 2 }, pushing: ['1h' as const] };
  const r = decideFallback(state, { '1h': { kind: 'unreadable', error: 'timeout' } }, T0, DEFAULT_FALLBACK_OPTIONS);
  assert.equal(r.push, ['1h']);
  assert.is(r.state.consecutiveStale['1h'], 2);
  state = r.state as typeof state;
});
d('honours a custom number of stale checks', () => {
  const r = decideFallback(initialFallbackState(), { '1h': meta({ stale: true }) }, T0, { staleChecks: 1, cadenceFactor: 3 });
  assert.equal(r.push, ['1h']);
});
d.run();
