/**
 * The publish protocol of one window through an `ObjectStore`, kill-safe at every step: validate
 * each payload in memory → gzip → assemble the window object (the four metas, the four payloads and
 * the rollup state, `builder/window-object.ts`) → put it ONCE under `windowObjectKey` with its
 * sha256 (the commit point: stores replace an object atomically, S3 checks the digest). A crash or
 * kill before the put leaves the previous object whole; after it, the new one. A granularity whose
 * render failed keeps its last good payload in the new object, its meta marked `stale`.
 *
 * Readers: `readWindowObject` (everything), `readStoredMeta` (one meta), `readPublishedPayload`
 * (one payload as a stored object). A window object that cannot be decoded reads as absent for the
 * builder (it rebuilds in full and overwrites it) and as unreadable for `status` and `doctor`.
 */
import {
  GRANULARITIES, META_TTL_S, WINDOWS, windowObjectKey, payloadVersionId, type Granularity, type Window,
} from './constants.js';
import { gzip, isoOf, jsonBytes, sha256Hex, type Gzip } from './codec.js';
import { MetaDecodeError, PayloadValidationError } from './errors.js';
import type { ObjectHeaders, ObjectStore, StoredObject } from './ports.js';
import { pointCountOf } from './render.js';
import { payloadProblems } from './validate-payload.js';
import { WINDOW_METAS_READ_BYTES, decodeWindowObject, decodeWindowObjectHeader, encodeWindowObject, windowObjectHeaderEnd, type WindowObject } from './window-object.js';
import type { BuilderName, Payload, SnapshotMeta } from './types.js';

/** Object headers a (gzip) payload of `window` is served with (`readPublishedPayload`; the API's responses). */
export function storedPayloadHeaders(window: Window): ObjectHeaders {
  return { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: `public, max-age=${WINDOWS[window].ttlS}` };
}

/** Headers of a window object: binary, and short-lived in caches (it carries the metas). */
export const WINDOW_OBJECT_HEADERS: ObjectHeaders = { contentType: 'application/octet-stream', cacheControl: `public, max-age=${META_TTL_S}` };

/** Where and as whom a run publishes. `prefix` ends in `/` (e.g. `devicePrefix(deviceId)`). */
export interface PublishTarget {
  store: ObjectStore;
  prefix: string;
  deviceId: string;
  builder: BuilderName;
  /** Compressor of payloads and state (default `gzip` of codec.ts). */
  gzip?: Gzip;
}

/** Key of `window`'s object under `target.prefix`. */
export const windowObjectKeyOf = (prefix: string, window: Window): string => prefix + windowObjectKey(window);

/**
 * The meta of a successful build of `payload` stored (gzip, `bytes` long, digest `sha256`) as version
 * `versionId` in the object at `key`, by `target.builder` for `target.deviceId`; `expiresAt` is
 * generatedAt + 2 × the window's cadence. Also the meta the API answers for a payload rendered on
 * read (`api/on-read.ts`).
 */
export function snapshotMetaOf(target: Pick<PublishTarget, 'deviceId' | 'builder'>, payload: Payload, key: string, versionId: string, sha256: string, bytes: number): SnapshotMeta {
  const { window, granularity } = payload;
  return {
    schemaVersion: 1,
    window,
    granularity,
    device: target.deviceId,
    key,
    generatedAt: payload.generatedAt,
    expiresAt: isoOf(Date.parse(payload.generatedAt) + 2 * WINDOWS[window].rebuildEveryMs),
    versionId,
    stagedKey: key,
    sha256,
    bytes,
    pointCount: pointCountOf(payload),
    stale: false,
    consecutiveFailures: 0,
    lastError: null,
    lastFailureAt: null,
    builder: target.builder,
  };
}

/** A validated, gzip-encoded payload ready to go into a window object (`preparePayload`). */
export interface PreparedPayload {
  payload: Payload;
  body: Uint8Array;
  sha256: string;
  versionId: string;
}

/**
 * Validate `payload` and gzip it; `nowMs` (start of the attempt) names its version (`payloadVersionId`).
 * @throws {PayloadValidationError} when the payload is invalid (nothing is written).
 */
export async function preparePayload(target: Pick<PublishTarget, 'gzip'>, payload: Payload, nowMs: number): Promise<PreparedPayload> {
  const problems = payloadProblems(payload);
  if (problems.length) throw new PayloadValidationError(payload.window, payload.granularity, problems);
  const body = await (target.gzip ?? gzip)(jsonBytes(payload));
  const sha256 = await sha256Hex(body);
  return { payload, body, sha256, versionId: payloadVersionId(nowMs, sha256) };
}

/** A granularity whose build failed in this run: why, and when (epoch ms). */
export interface FailedGranularity {
  granularity: Granularity;
  error: unknown;
  nowMs: number;
}

/** What one put of a window object carries. */
export interface WindowCommit {
  window: Window;
  /** Payloads built in this run (from `preparePayload`). */
  built: readonly PreparedPayload[];
  /** Granularities whose build failed: they keep the previous payload, meta marked stale. */
  failed: readonly FailedGranularity[];
  /**
   * The gzip rollup state to store; `undefined` keeps the previous object's state (a build `--at`
   * a past instant, or a failed window, saves none of its own).
   */
  state?: Uint8Array;
  /** The object as read at the start of the run, when the run read it (saves a GET). `null`: known absent. */
  previous?: WindowObject | null;
  /** A failure record (`recordWindowFailure`): the store may overwrite in place when full (`PutOptions.inPlaceWhenFull`). */
  isFailureRecord?: boolean;
}

/** What a committed window object holds: a meta per granularity, and its size. */
export interface CommitResult {
  metas: Map<Granularity, SnapshotMeta>;
  objectBytes: number;
}

/** The payload fields of a meta before any successful build. */
const NO_PAYLOAD = { generatedAt: null, expiresAt: null, versionId: null, stagedKey: null, sha256: null, bytes: null, pointCount: null } as const;

/** Meta of a snapshot never built (and not failed either): every payload field null. Pure. */
function neverBuiltMetaOf(target: Pick<PublishTarget, 'deviceId' | 'builder'>, key: string, window: Window, granularity: Granularity): SnapshotMeta {
  return {
    schemaVersion: 1, window, granularity, device: target.deviceId, key, ...NO_PAYLOAD,
    stale: false, consecutiveFailures: 0, lastError: null, lastFailureAt: null, builder: target.builder,
  };
}

/**
 * What `previous` holds for `granularity`: its meta, and its payload when the meta names one whose
 * size matches; a meta naming a payload that is missing or of another size loses its payload fields
 * (keeping its failure count).
 */
function keptPayload(previous: WindowObject | null | undefined, granularity: Granularity): { meta?: SnapshotMeta; body?: Uint8Array } {
  const meta = previous?.metas.get(granularity);
  if (!meta?.generatedAt) return { meta };
  const body = previous!.payload(granularity);
  return body && body.byteLength === meta.bytes ? { meta, body } : { meta: { ...meta, ...NO_PAYLOAD } };
}

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Meta after a failed build of (`window`, `granularity`): the last good payload fields of `prev`,
 * `stale: true`, `consecutiveFailures + 1`, `lastError`, `lastFailureAt`. A never-built snapshot gets
 * null payload fields. Pure.
 */
export function staleMetaOf(target: Pick<PublishTarget, 'deviceId' | 'builder'>, key: string, window: Window, granularity: Granularity, prev: SnapshotMeta | undefined, error: unknown, nowMs: number): SnapshotMeta {
  return {
    ...NO_PAYLOAD,
    ...prev,
    schemaVersion: 1,
    window,
    granularity,
    device: target.deviceId,
    key,
    stale: true,
    consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
    lastError: errorText(error),
    lastFailureAt: isoOf(nowMs),
    builder: prev?.builder ?? target.builder,
  };
}

/**
 * Put `window`'s object ONCE: the built payloads with fresh metas, the failed granularities with the
 * previous object's payload and a stale meta, and the state (`commit.state`, else the previous
 * object's). The previous object is read only when needed and not given; one that cannot be decoded
 * counts as absent.
 * @throws {StoreError} when the put fails, or the previous object it needs cannot be read (the previous object stays as it was).
 */
export async function commitWindow(target: PublishTarget, commit: WindowCommit): Promise<CommitResult> {
  const { window } = commit;
  const key = windowObjectKeyOf(target.prefix, window);
  const covered = commit.built.length + commit.failed.length === GRANULARITIES.length;
  const needsPrevious = commit.failed.length > 0 || commit.state === undefined || !covered;
  const previous = commit.previous ?? (needsPrevious && commit.previous !== null ? await readDecodable(target.store, target.prefix, window) : undefined);
  const metas = new Map<Granularity, SnapshotMeta>();
  const payloads = new Map<Granularity, Uint8Array>();
  for (const p of commit.built) {
    const g = p.payload.granularity;
    metas.set(g, snapshotMetaOf(target, p.payload, key, p.versionId, p.sha256, p.body.byteLength));
    payloads.set(g, p.body);
  }
  for (const f of commit.failed) {
    const kept = keptPayload(previous, f.granularity);
    metas.set(f.granularity, staleMetaOf(target, key, window, f.granularity, kept.meta, f.error, f.nowMs));
    if (kept.body) payloads.set(f.granularity, kept.body);
  }
  for (const g of GRANULARITIES) {
    if (metas.has(g)) continue; // neither built nor failed in this run: keeps what it had
    const kept = keptPayload(previous, g);
    metas.set(g, kept.meta && kept.body ? kept.meta : { ...kept.meta, ...neverBuiltMetaOf(target, key, window, g), consecutiveFailures: kept.meta?.consecutiveFailures ?? 0 });
    if (kept.body) payloads.set(g, kept.body);
  }
  const state = commit.state ?? previous?.state();
  const body = encodeWindowObject({ window, device: target.deviceId, metas, payloads, ...(state ? { state } : {}) });
  await target.store.put(key, body, WINDOW_OBJECT_HEADERS, { sha256Hex: await sha256Hex(body), ...(commit.isFailureRecord ? { inPlaceWhenFull: true } : {}) });
  return { metas, objectBytes: body.byteLength };
}

/**
 * Mark `granularities` of `window` failed with `error`, keeping the previous payloads and state (one
 * put; on a full disk the store may overwrite the object in place, `PutOptions.inPlaceWhenFull`).
 * @returns the metas written. Rejects when the store cannot write.
 */
export async function recordWindowFailure(target: PublishTarget, window: Window, granularities: readonly Granularity[], error: unknown, nowMs: number): Promise<Map<Granularity, SnapshotMeta>> {
  const r = await commitWindow(target, { window, built: [], failed: granularities.map((granularity) => ({ granularity, error, nowMs })), isFailureRecord: true });
  return r.metas;
}

/** `readWindowObject`, with an object that cannot be decoded read as absent (a store error still rejects: never overwrite what could not be read). */
async function readDecodable(store: Pick<ObjectStore, 'get'>, prefix: string, window: Window): Promise<WindowObject | undefined> {
  try {
    return await readWindowObject(store, prefix, window);
  } catch (err) {
    if (err instanceof MetaDecodeError) return undefined;
    throw err;
  }
}

/**
 * The window object of `window` under `prefix`; undefined when absent.
 * @throws {MetaDecodeError} when an object is there but is not a window object; {StoreError} when the read fails.
 */
export async function readWindowObject(store: Pick<ObjectStore, 'get'>, prefix: string, window: Window): Promise<WindowObject | undefined> {
  const got = await store.get(windowObjectKeyOf(prefix, window));
  return got ? decodeWindowObject(got.body) : undefined;
}

/**
 * The metas of `window`'s object under `prefix`, reading only its header when the store can read a
 * range (`ObjectStore.getRange`: the first `WINDOW_METAS_READ_BYTES`, and once more the exact header
 * when it is longer), else the whole object. Undefined when absent.
 * @throws {MetaDecodeError} when the object is not a window object; the store's error when a read fails.
 */
export async function readWindowMetas(store: Pick<ObjectStore, 'get' | 'getRange'>, prefix: string, window: Window): Promise<ReadonlyMap<Granularity, SnapshotMeta> | undefined> {
  if (!store.getRange) return (await readWindowObject(store, prefix, window))?.metas;
  const key = windowObjectKeyOf(prefix, window);
  let head = await store.getRange(key, 0, WINDOW_METAS_READ_BYTES);
  if (!head) return undefined;
  const end = windowObjectHeaderEnd(head);
  if (end > head.byteLength) head = (await store.getRange(key, 0, end)) ?? head;
  return decodeWindowObjectHeader(head).metas;
}

/** The meta stored for a snapshot (`readWindowMetas`: the header only where the store reads ranges), or undefined when absent or unreadable. */
export async function readStoredMeta(store: Pick<ObjectStore, 'get' | 'getRange'>, prefix: string, window: Window, granularity: Granularity): Promise<SnapshotMeta | undefined> {
  try {
    return (await readWindowMetas(store, prefix, window))?.get(granularity);
  } catch {
    return undefined;
  }
}

/**
 * The gzip payload of `granularity` in `object` as a stored object (key: the window object's key,
 * headers `storedPayloadHeaders`, etag its version id); undefined when it was never built.
 * `lastModifiedMs` is its `generatedAt`.
 */
export function payloadObjectOf(object: WindowObject, prefix: string, granularity: Granularity): StoredObject | undefined {
  const meta = object.metas.get(granularity);
  const body = meta?.generatedAt ? object.payload(granularity) : undefined;
  if (!meta || !body || !meta.generatedAt) return undefined;
  return {
    key: windowObjectKeyOf(prefix, object.window), body, headers: storedPayloadHeaders(object.window),
    etag: `"${meta.versionId ?? meta.sha256}"`, lastModifiedMs: Date.parse(meta.generatedAt), bytes: body.byteLength,
  };
}

/** The published payload of (`window`, `granularity`) under `store`/`prefix`; undefined when never built, absent or unreadable. */
export async function readPublishedPayload(store: Pick<ObjectStore, 'get'>, prefix: string, window: Window, granularity: Granularity): Promise<StoredObject | undefined> {
  const object = await readWindowObject(store, prefix, window).catch(() => undefined);
  return object && payloadObjectOf(object, prefix, granularity);
}
