/**
 * A short-lived read cache in front of a `SnapshotStore`: each key (and version) is read at most
 * once per `ttlMs`, so a burst of requests costs one store read per object, not one per request.
 * Snapshots change at most every 30 s and are served with max-age ≥ 10 s, so a ~1 s cache adds no
 * visible staleness. Absent objects are cached too (a missing snapshot is asked for as often).
 * A request asking for revalidation reads through `revalidating` (the store, the cache refreshed with
 * what it read): a page reloading after its refresh job finished must see that build, and in the cloud
 * the job is built by another container, which cannot `forget` this one's cache.
 */
import type { Clock, StoredObject } from '../builder/ports.js';
import type { SnapshotStore } from './ports.js';
import { shortCache, type ShortCacheOptions } from './short-cache.js';

/** Tunables of `cachedSnapshotStore`: `ttlMs` (default 1000), `maxEntries` (default 512). */
export type CachedSnapshotStoreOptions = ShortCacheOptions;

/** A `SnapshotStore` with a read cache; `forget(key)` drops what is cached for `key` (every version). */
export interface CachedSnapshotStore extends SnapshotStore {
  /** Call after writing `key` so the next read sees the new object (e.g. when a refresh job publishes). */
  forget(key: string): void;
  /** Reads that skip the cache (and refresh it). */
  readonly revalidating: SnapshotStore;
}

/** Wrap `store` with a read cache driven by `clock`. Failed reads are not cached. */
export function cachedSnapshotStore(store: SnapshotStore, clock: Clock, options: CachedSnapshotStoreOptions = {}): CachedSnapshotStore {
  const cache = shortCache<StoredObject | undefined>(clock, options);
  const read = (key: string, getOptions: { versionId?: string } | undefined, isRevalidating: boolean): Promise<StoredObject | undefined> => {
    const cacheKey = getOptions?.versionId === undefined ? key : `${key}\u0000${getOptions.versionId}`;
    return cache.get(cacheKey, () => store.get(key, getOptions), { reload: isRevalidating });
  };
  return {
    get: (key, getOptions) => read(key, getOptions, false),
    revalidating: { get: (key, getOptions) => read(key, getOptions, true) },
    forget(key) {
      cache.forget((cacheKey) => cacheKey === key || cacheKey.startsWith(`${key}\u0000`));
    },
  };
}
