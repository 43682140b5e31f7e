/**
 * A short-lived cache of promises by key: a value is loaded at most once per `ttlMs` of the clock, so
 * concurrent and near-simultaneous callers share one load (one store read, one on-read build). A load
 * that rejects is dropped (the next caller loads again). The oldest entries go first past `maxEntries`.
 * Used by `cachedSnapshotStore` (stored objects) and the on-read windows (`api/on-read.ts`).
 */
import type { Clock } from '../builder/ports.js';

/** Tunables of `shortCache`. */
export interface ShortCacheOptions {
  /** How long a load is reused, ms (default 1000). */
  ttlMs?: number;
  /** Most entries kept; the oldest go first (default 512). */
  maxEntries?: number;
}

/** Promises by key, each reused for `ttlMs`. */
export interface ShortCache<T> {
  /**
   * The cached promise of `key` when younger than `ttlMs` (and `reload` is not set), else `load()`,
   * which is then cached from now.
   */
  get(key: string, load: () => Promise<T>, options?: { reload?: boolean }): Promise<T>;
  /** Drop every entry whose key satisfies `matches`. */
  forget(matches: (key: string) => boolean): void;
}

/** A `ShortCache` on `clock`. */
export function shortCache<T>(clock: Clock, options: ShortCacheOptions = {}): ShortCache<T> {
  const ttlMs = options.ttlMs ?? 1000;
  const maxEntries = options.maxEntries ?? 512;
  const entries = new Map<string, { atMs: number; value: Promise<T> }>();
  return {
    get(key, load, getOptions) {
      const nowMs = clock.nowMs();
      const hit = entries.get(key);
      if (!getOptions?.reload && hit && nowMs - hit.atMs < ttlMs) return hit.value;
      const value = load();
      entries.delete(key);
      const entry = { atMs: nowMs, value };
      entries.set(key, entry);
      value.catch(() => entries.get(key) === entry && entries.delete(key));
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return value;
    },
    forget(matches) {
      for (const key of [...entries.keys()]) if (matches(key)) entries.delete(key);
    },
  };
}
