/**
 * Finding the snapshot to serve: canonical keys first (`devicePrefix`), the Pi's last-resort copy
 * (`fallbackPrefix`) when the canonical meta is stale, late or missing and the fallback was generated later.
 */
import {
  devicePrefix, fallbackPrefix, metaKey, type Granularity, type Window,
} from '../builder/constants.js';
import type { StoredObject } from '../builder/ports.js';
import type { Payload, SnapshotMeta } from '../builder/types.js';
import { decodeSnapshotMeta, isSnapshotLate, payloadKeyOfMeta, payloadKeyOfVersion } from '../builder/snapshot-meta.js';
import { gunzip, isGzip } from './gzip.js';
import type { SnapshotStore } from './ports.js';

/**
 * Where a served snapshot came from (`X-Snapshot-Source`): a stored copy (`canonical`, the Pi's
 * `fallback`), a `fresh=true` computation (`fresh`), or an on-read window rendered for this read (`live`).
 */
export type SnapshotSource = 'canonical' | 'fallback' | 'fresh' | 'live';

/** A snapshot chosen for serving: its meta and the key of its payload. */
export interface LocatedSnapshot {
  source: 'canonical' | 'fallback';
  meta: SnapshotMeta;
  /** The payload meta names (a version key; `latest_{w}_{g}.json` for meta of earlier releases). */
  payloadKey: string;
  /** The key prefix the meta was read from (`devicePrefix` or `fallbackPrefix`), and the snapshot. */
  prefix: string;
  window: Window;
  granularity: Granularity;
}

const decoder = new TextDecoder();

/** The meta at `key` when it names a built payload; absent, never built (`generatedAt: null`) or unreadable: `undefined`. */
async function builtMetaAt(store: SnapshotStore, key: string): Promise<SnapshotMeta | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  try {
    const meta = decodeSnapshotMeta(await plainBytes(object));
    return meta.generatedAt === null ? undefined : meta;
  } catch {
    return undefined; // a damaged meta counts as absent; the builder rewrites it on its next run
  }
}

function located(source: LocatedSnapshot['source'], prefix: string, meta: SnapshotMeta, w: Window, g: Granularity): LocatedSnapshot {
  return { source, meta, payloadKey: payloadKeyOfMeta(prefix, { ...meta, window: w, granularity: g }), prefix, window: w, granularity: g };
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
  if (copies === 'fallback') {
    const only = await builtMetaAt(store, backupPrefix + metaKey(w, g));
    return only && located('fallback', backupPrefix, only, w, g);
  }
  const canonical = await builtMetaAt(store, canonicalPrefix + metaKey(w, g));
  const isCanonicalGood = canonical !== undefined && !canonical.stale && !isSnapshotLate(canonical, w, nowMs);
  if (canonical && (isCanonicalGood || copies === 'canonical')) return located('canonical', canonicalPrefix, canonical, w, g);
  if (copies === 'canonical') return undefined;
  const fallback = await builtMetaAt(store, backupPrefix + metaKey(w, g));
  const isFallbackNewer = fallback && (!canonical || Date.parse(fallback.generatedAt!) > Date.parse(canonical.generatedAt!));
  if (isFallbackNewer) return located('fallback', backupPrefix, fallback, w, g);
  return canonical ? located('canonical', canonicalPrefix, canonical, w, g) : undefined;
}

/**
 * The payload object of `snapshot`; with `versionId`, that version: a builder version id names its own
 * immutable key; other ids (S3 VersionIds in meta of earlier releases) are read as versions of the
 * payload key (the current object when the meta names that version, for stores without versioning).
 */
export async function readPayloadObject(store: SnapshotStore, snapshot: LocatedSnapshot, versionId?: string): Promise<StoredObject | undefined> {
  if (versionId === undefined) return store.get(snapshot.payloadKey);
  // Builder versions are immutable keys: the id names the key (the current or a kept older one).
  const versionKey = payloadKeyOfVersion(snapshot.prefix, snapshot.window, snapshot.granularity, versionId);
  if (versionKey !== undefined) return store.get(versionKey);
  if (snapshot.meta.versionId === versionId) {
    const current = await store.get(snapshot.payloadKey);
    if (current && (current.versionId === undefined || current.versionId === versionId)) return current;
  }
  return store.get(snapshot.payloadKey, { versionId });
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
