/** The dependencies of the API core with every option filled in, and its per-instance caches. */
import { DEFAULT_API_OPTIONS, type ApiDeps, type ApiOptions } from './ports.js';
import type { StoredObject } from '../builder/ports.js';
import type { SnapshotMeta } from '../builder/types.js';
import { shortCache, type ShortCache } from './short-cache.js';

/** Most computed (merged or decoded) bodies kept per API instance. */
export const MAX_COMPUTED_BODIES = 64;

/**
 * How long an on-read payload is reused by later reads in the same instance, ms: a burst (the page's
 * payload and meta requests, CloudFront's edge misses) costs one DynamoDB read, and 1 s adds no
 * visible staleness to a window cached 30 s.
 */
export const ON_READ_REUSE_MS = 1000;

/** One payload of an on-read window (`api/on-read.ts`): its gzip bytes in the shape of a stored object, and its meta. */
export interface OnReadSnapshot {
  object: StoredObject;
  meta: SnapshotMeta;
}

/** What every handler of the core receives. */
export interface ApiContext extends Omit<ApiDeps, 'options'> {
  options: Required<ApiOptions>;
  /**
   * Computed response bodies by `<key> <ETag>`: a merged or decoded body depends only on the stored
   * object (whose ETag changes with its content), so it is computed once, not per request.
   */
  computedBodies: Map<string, Promise<{ body: Uint8Array; isGzip: boolean }>>;
  /** Payloads of on-read windows by `<device> <window> <granularity>`, each reused ~1 s (`ON_READ_REUSE_MS`) and shared by concurrent reads. */
  onReadBuilds: ShortCache<OnReadSnapshot>;
}

/** Fill option defaults (`DEFAULT_API_OPTIONS`). */
export function contextOf(deps: ApiDeps): ApiContext {
  return {
    ...deps,
    options: { ...DEFAULT_API_OPTIONS, ...deps.options },
    computedBodies: new Map(),
    onReadBuilds: shortCache(deps.clock, { ttlMs: ON_READ_REUSE_MS, maxEntries: MAX_COMPUTED_BODIES }),
  };
}
