import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cachedSnapshotStore } from '../../api/cached-snapshot-store.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';

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

cache.run();
