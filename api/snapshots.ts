/**
 * Finding the snapshot to serve: canonical keys first (`devicePrefix`), the Pi's last-resort copy
 * (`fallbackPrefix`) when the canonical meta is stale, late or missing and the fallback was generated later.
 */
import { devicePrefix, fallbackPrefix, type Granularity, type Window } from '../builder/constants.js';
import type { StoredObject } from '../builder/ports.js';
import { payloadObjectOf, readWindowObject } from '../builder/publish.js';
import type { Payload, SnapshotMeta } from '../builder/types.js';
import { isSnapshotLate } from '../builder/snapshot-meta.js';
import type { WindowObject } from '../builder/window-object.js';
import { gunzip, isGzip } from './gzip.js';
import type { SnapshotStore } from './ports.js';

/**
 * Where a served snapshot came from (`X-Snapshot-Source`): a stored copy (`canonical`, the Pi's
 * `fallback`), a `fresh=true` computation (`fresh`), or an on-read window rendered for this read (`live`).
 */
export type SnapshotSource = 'canonical' | 'fallback' | 'fresh' | 'live';

/** A snapshot chosen for serving: its meta and the window object that holds its payload. */
export interface LocatedSnapshot {
  source: 'canonical' | 'fallback';
  meta: SnapshotMeta;
  /** The window object the meta was read from (`builder/window-object.ts`). */
  object: WindowObject;
  /** The key prefix the object was read from (`devicePrefix` or `fallbackPrefix`), and the snapshot. */
  prefix: string;
  window: Window;
  granularity: Granularity;
}

const decoder = new TextDecoder();

/** The window object under `prefix` when its meta of `g` names a built payload; absent, never built (`generatedAt: null`) or unreadable: `undefined`. */
async function builtAt(store: SnapshotStore, source: LocatedSnapshot['source'], prefix: string, w: Window, g: Granularity): Promise<LocatedSnapshot | undefined> {
  let object: WindowObject | undefined;
  try {
    object = await readWindowObject(store, prefix, w);
  } catch (err) {
    if ((err as Error)?.name === 'MetaDecodeError') return undefined; // a damaged object counts as absent; the builder rewrites it on its next run
    throw err;
  }
  const meta = object?.metas.get(g);
  if (!object || !meta || meta.generatedAt === null) return undefined;
  return { source, meta, object, prefix, window: w, granularity: g };
}

/** Which stored copies `locateSnapshot` may choose from. */
export type SnapshotCopies = 'either' | 'canonical' | 'fallback';

/**
 * The snapshot to serve for device/window/granularity at `nowMs` (epoch ms), or `undefined` when no
 * allowed copy was ever built (a meta whose `generatedAt` is null counts as not built). With
 * `copies: 'either'` (the default) the canonical copy is served unless it is **stale** (its meta says
 * so) or **late** (`isSnapshotLate`: its builder stopped writing, which marks nothing stale) and the
 * Pi's fallback copy was generated later; `'canonical'` and `'fallback'` look at that copy only.
 */
export async function locateSnapshot(
  store: SnapshotStore, device: string, w: Window, g: Granularity, nowMs: number, copies: SnapshotCopies = 'either',
): Promise<LocatedSnapshot | undefined> {
  const canonicalPrefix = devicePrefix(device);
  const backupPrefix = fallbackPrefix(device);
  if (copies === 'fallback') return builtAt(store, 'fallback', backupPrefix, w, g);
  const canonical = await builtAt(store, 'canonical', canonicalPrefix, w, g);
  const isCanonicalGood = canonical !== undefined && !canonical.meta.stale && !isSnapshotLate(canonical.meta, w, nowMs);
  if (canonical && (isCanonicalGood || copies === 'canonical')) return canonical;
  if (copies === 'canonical') return undefined;
  const fallback = await builtAt(store, 'fallback', backupPrefix, w, g);
  const isFallbackNewer = fallback && (!canonical || Date.parse(fallback.meta.generatedAt!) > Date.parse(canonical.meta.generatedAt!));
  if (isFallbackNewer) return fallback;
  return canonical;
}

/**
 * The payload of `snapshot` as a stored object (`payloadObjectOf`); with `versionId`, only when that is
 * the version its meta names: a window object holds one version per snapshot, so an older one is
 * gone (the API answers 404 and the page reads the current one).
 */
export function readPayloadObject(snapshot: LocatedSnapshot, versionId?: string): StoredObject | undefined {
  if (versionId !== undefined && snapshot.meta.versionId !== versionId) return undefined;
  return payloadObjectOf(snapshot.object, snapshot.prefix, snapshot.granularity);
}

/** True when the stored body is gzip: by its headers, or by its magic bytes (JSON never starts with 1f 8b). */
export function isGzipObject(object: StoredObject): boolean {
  return object.headers.contentEncoding === 'gzip' || isGzip(object.body);
}

/** The object's bytes without content encoding (gzip bodies decoded). */
export async function plainBytes(object: StoredObject): Promise<Uint8Array> {
  return isGzipObject(object) ? gunzip(object.body) : object.body;
}

/** Parse a stored payload object. */
export async function decodePayload(object: StoredObject): Promise<Payload> {
  return JSON.parse(decoder.decode(await plainBytes(object))) as Payload;
}
