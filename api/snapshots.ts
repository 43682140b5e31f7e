/**
 * Finding the snapshot to serve: canonical keys first (`devicePrefix`), the Pi's last-resort copy
 * (`fallbackPrefix`) when the canonical meta is stale, late or missing and the fallback was generated later.
 */
import { WINDOWS, devicePrefix, fallbackPrefix, type Granularity, type Window } from '../builder/constants.js';
import { sha256Hex } from '../builder/codec.js';
import { MetaDecodeError } from '../builder/errors.js';
import { ApiError } from './errors.js';
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

/** A window object that is there but cannot be decoded (`MetaDecodeError`): why. */
interface Damaged {
  damaged: string;
}

/** The window object under `prefix` when its meta of `g` names a built payload; absent or never built (`generatedAt: null`): `undefined`; undecodable: `Damaged`. */
async function builtAt(store: SnapshotStore, source: LocatedSnapshot['source'], prefix: string, w: Window, g: Granularity): Promise<LocatedSnapshot | Damaged | undefined> {
  let object: WindowObject | undefined;
  try {
    object = await readWindowObject(store, prefix, w);
  } catch (err) {
    if (err instanceof MetaDecodeError) return { damaged: err.message }; // the builder rewrites it on its next run
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
  const damaged: string[] = [];
  const usable = (found: LocatedSnapshot | Damaged | undefined, what: string): LocatedSnapshot | undefined => {
    if (found && 'damaged' in found) {
      damaged.push(`${what} ${w} window object: ${found.damaged}`);
      return undefined;
    }
    return found;
  };
  const answer = (found: LocatedSnapshot | undefined): LocatedSnapshot | undefined => {
    if (!found && damaged.length) throw damagedError(device, w, damaged.join('; '));
    return found;
  };
  if (copies === 'fallback') return answer(usable(await builtAt(store, 'fallback', backupPrefix, w, g), 'fallback'));
  const canonical = usable(await builtAt(store, 'canonical', canonicalPrefix, w, g), 'canonical');
  const isCanonicalGood = canonical !== undefined && !canonical.meta.stale && !isSnapshotLate(canonical.meta, w, nowMs);
  if (canonical && (isCanonicalGood || copies === 'canonical')) return canonical;
  if (copies === 'canonical') return answer(undefined);
  const fallback = usable(await builtAt(store, 'fallback', backupPrefix, w, g), 'fallback');
  const isFallbackNewer = fallback && (!canonical || Date.parse(fallback.meta.generatedAt!) > Date.parse(canonical.meta.generatedAt!));
  if (isFallbackNewer) return fallback;
  return answer(canonical);
}

/** 503 `unavailable` for a stored window object that cannot be read back (it is rebuilt by the window's next build). */
function damagedError(device: string, w: Window, why: string): ApiError {
  return new ApiError(503, 'unavailable', `the stored ${w} snapshots of device ${device} are damaged (${why}); the next build of the window rewrites them`, undefined, undefined, { 'Retry-After': String(Math.ceil(WINDOWS[w].rebuildEveryMs / 1000)) });
}

/** sha256 of payload sections already checked, by section (views of a cached body are checked once). */
const verified = new WeakMap<Uint8Array, string>();

/**
 * `readPayloadObject`, with the payload's bytes checked against its meta's `sha256` (a flipped bit on
 * an SD card must not be served as a broken gzip body).
 * @throws {ApiError} 503 `unavailable` when they differ.
 */
export async function readVerifiedPayloadObject(snapshot: LocatedSnapshot, versionId?: string): Promise<StoredObject | undefined> {
  const object = readPayloadObject(snapshot, versionId);
  if (!object) return undefined;
  const digest = verified.get(object.body) ?? (await sha256Hex(object.body));
  if (digest !== snapshot.meta.sha256) {
    throw damagedError(snapshot.meta.device ?? '', snapshot.window, `payload ${snapshot.granularity} has sha256 ${digest.slice(0, 16)}…, its meta says ${String(snapshot.meta.sha256).slice(0, 16)}…`);
  }
  verified.set(object.body, digest);
  return object;
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
