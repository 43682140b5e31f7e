import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cachedSnapshotStore } from '../../api/cached-snapshot-store.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { asksRevalidation } from '../../api/latest.js';
import { DEVICE, TO_MS, makeWorld } from '../support/api-world.js';
import { buildPayload, putSnapshot } from '../support/snapshot-fixtures.js';

const cache = suite('cachedSnapshotStore');

cache('reads each key once per ttl, versions separately, and again after the ttl', async () => {
  let nowMs = 0;
  const store = new MemoryObjectStore({ versioned: true });
  const { versionId } = await store.put('k', Uint8Array.of(1), { contentType: 'application/json' });
  await store.put('k', Uint8Array.of(2), { contentType: 'application/json' });
  const cached = cachedSnapshotStore(store, { nowMs: () => nowMs }, { ttlMs: 1000 });
  const reads = store.gets;
  assert.equal([...(await cached.get('k'))!.body], [2]);
  await store.put('k', Uint8Array.of(3), { contentType: 'application/json' });
  nowMs = 999;
  assert.equal([...(await cached.get('k'))!.body], [2], 'still cached');
  assert.equal([...(await cached.get('k', { versionId }))!.body], [1]);
  assert.is(await cached.get('absent'), undefined);
  assert.is(store.gets - reads, 3);
  nowMs = 1000;
  assert.equal([...(await cached.get('k'))!.body], [3], 'expired');
});

cache('does not keep failed reads', async () => {
  let calls = 0;
  const failing = { get: async () => { calls++; throw new Error('EIO'); } };
  const cached = cachedSnapshotStore(failing, { nowMs: () => 0 });
  for (let i = 0; i < 2; i++) await cached.get('k').catch(() => undefined);
  assert.is(calls, 2);
});

cache('reads a key again after forget(key), every cached version of it, and keeps other keys', async () => {
  const store = new MemoryObjectStore({ versioned: true });
  const { versionId } = await store.put('k', Uint8Array.of(1), { contentType: 'application/json' });
  await store.put('other', Uint8Array.of(9), { contentType: 'application/json' });
  const cached = cachedSnapshotStore(store, { nowMs: () => 0 }, { ttlMs: 1000 });
  await cached.get('k');
  await cached.get('k', { versionId });
  await cached.get('other');
  await store.put('k', Uint8Array.of(2), { contentType: 'application/json' });
  const reads = store.gets;
  cached.forget('k');
  assert.equal([...(await cached.get('k'))!.body], [2]);
  assert.equal([...(await cached.get('k', { versionId }))!.body], [1]);
  assert.equal([...(await cached.get('other'))!.body], [9]);
  assert.is(store.gets - reads, 2, 'both versions of k read again, other still cached');
});

cache('revalidating reads skip the cache and refresh it', async () => {
  const store = new MemoryObjectStore();
  await store.put('k', Uint8Array.of(1), { contentType: 'application/json' });
  const cached = cachedSnapshotStore(store, { nowMs: () => 0 }, { ttlMs: 1000 });
  await cached.get('k');
  await store.put('k', Uint8Array.of(2), { contentType: 'application/json' });
  assert.equal([...(await cached.get('k'))!.body], [1], 'cached');
  assert.equal([...(await cached.revalidating.get('k'))!.body], [2], 'read past the cache');
  assert.equal([...(await cached.get('k'))!.body], [2], 'and the cache now holds it');
});

const api = suite('API read cache and a request asking for revalidation');

api('Cache-Control no-cache / max-age=0 is a revalidation request; other values are not', () => {
  const ask = (v?: string) => asksRevalidation(new Request('http://x/', v === undefined ? {} : { headers: { 'cache-control': v } }));
  assert.equal([ask('max-age=0'), ask('no-cache'), ask('No-Cache, max-age=0'), ask('max-age=00')], [true, true, true, true]);
  assert.equal([ask(), ask('max-age=10'), ask('max-age=0-ish'), ask('no-store-x')], [false, false, false, false]);
});

api('a build written within the 1 s cache is served to a request with Cache-Control: max-age=0 (a page reloading after its refresh), meta and payload', async () => {
  const w = await makeWorld({}, { readCache: true });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await w.api(new Request(`http://api.test${path}`, { headers }));
    return res.headers.get('last-updated');
  };
  const before = new Date(TO_MS + 2000).toISOString();
  assert.is(await get('/samples/latest/meta?window=1h&samples=100'), before);
  assert.is(await get('/samples/latest?window=1h&samples=100'), before);
  // Another container (the cloud's builder) publishes a newer build; this API's clock has not moved.
  const newerAtMs = TO_MS + 60_000;
  await putSnapshot(w.store, buildPayload({ device: DEVICE, window: '1h', granularity: 100, toMs: newerAtMs, generatedAtMs: newerAtMs, series: w.series }));
  const after = new Date(newerAtMs).toISOString();
  assert.is(await get('/samples/latest/meta?window=1h&samples=100'), before, 'an ordinary read within 1 s is answered from the cache');
  assert.is(await get('/samples/latest?window=1h&samples=100', { 'cache-control': 'max-age=0' }), after);
  assert.is(await get('/samples/latest/meta?window=1h&samples=100', { 'cache-control': 'no-cache' }), after);
  assert.is(await get('/samples/latest/meta?window=1h&samples=100'), after, 'the cache holds the new build after the revalidation');
});

cache.run();
api.run();
