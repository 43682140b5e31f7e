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

interface CacheEntry {
  atMs: number;
  value: Promise<StoredObject | undefined>;
}

/** Tunables of `cachedSnapshotStore`. */
export interface CachedSnapshotStoreOptions {
  /** How long a read is reused, ms (default 1000). */
  ttlMs?: number;
  /** Most entries kept; the oldest go first (default 512). */
  maxEntries?: number;
}

/** A `SnapshotStore` with a read cache; `forget(key)` drops what is cached for `key` (every version). */
export interface CachedSnapshotStore extends SnapshotStore {
  /** Call after writing `key` so the next read sees the new object (e.g. when a refresh job publishes). */
  forget(key: string): void;
  /** Reads that skip the cache (and refresh it). */
  readonly revalidating: SnapshotStore;
}

/** Wrap `store` with a read cache driven by `clock`. Failed reads are not cached. */
export function cachedSnapshotStore(store: SnapshotStore, clock: Clock, options: CachedSnapshotStoreOptions = {}): CachedSnapshotStore {
  const ttlMs = options.ttlMs ?? 1000;
  const maxEntries = options.maxEntries ?? 512;
  const entries = new Map<string, CacheEntry>();
  const read = (key: string, getOptions: { versionId?: string } | undefined, isRevalidating: boolean): Promise<StoredObject | undefined> => {
    const cacheKey = getOptions?.versionId === undefined ? key : `${key}\u0000${getOptions.versionId}`;
    const nowMs = clock.nowMs();
    const hit = entries.get(cacheKey);
    if (!isRevalidating && hit && nowMs - hit.atMs < ttlMs) return hit.value;
    const value = store.get(key, getOptions);
    entries.delete(cacheKey);
    entries.set(cacheKey, { atMs: nowMs, value });
    value.catch(() => entries.delete(cacheKey));
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return value;
  };
  return {
    get: (key, getOptions) => read(key, getOptions, false),
    revalidating: { get: (key, getOptions) => read(key, getOptions, true) },
    forget(key) {
      for (const cacheKey of [...entries.keys()]) if (cacheKey === key || cacheKey.startsWith(`${key}\u0000`)) entries.delete(cacheKey);
    },
  };
}
