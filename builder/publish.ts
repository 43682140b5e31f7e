/**
 * The publish protocol of one snapshot through an `ObjectStore`, kill-safe at every step:
 * validate the payload in memory → gzip → put it ONCE under its own immutable version key
 * (`payloadVersionKey`, carrying the sha256 for stores that verify it) → write meta naming that key
 * (the commit point) → delete versions older than the previous one. Readers go through meta, so a
 * crash or kill anywhere leaves meta naming a complete payload whose sha256 and size it states:
 * before the meta write the old meta still names the old version (kept), after it the new one.
 * A version written by a killed run and never named by meta is deleted by a later publish of the
 * same snapshot. On failure meta turns `stale` and keeps naming the last good payload.
 */
import {
  META_TTL_S, PAYLOAD_VERSION_KEY_PATTERN, STAGED_KEY_PATTERN, WINDOWS, metaKey, payloadVersionId, payloadVersionKey,
  snapshotKey, type Granularity, type Window,
} from './constants.js';
import { gzip, isoOf, jsonBytes, sha256Hex, type Gzip } from './codec.js';
import { PayloadValidationError } from './errors.js';
import type { ObjectHeaders, ObjectStore, StoredObject } from './ports.js';
import { pointCountOf } from './render.js';
import { isSnapshotMeta, payloadProblems } from './validate-payload.js';
import { decodeSnapshotMeta, payloadKeyOfMeta } from './snapshot-meta.js';
import type { BuilderName, Payload, SnapshotMeta } from './types.js';

/** Staged keys (of earlier releases) older than this at the start of a run are leftovers and are deleted. */
export const STAGED_KEY_MAX_AGE_MS = 10 * 60_000;

/**
 * Payload versions younger than this (relative to the one just published) are never deleted by a
 * publish, besides the current and the previous one: another writer (a concurrent `rebuild`, an
 * overlapping Lambda) may be about to name one in its meta.
 */
export const VERSION_GRACE_MS = 60_000;

/** Object headers a stored (gzip) payload of `window` carries in the store (not the API's response headers). */
export function storedPayloadHeaders(window: Window): ObjectHeaders {
  return { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: `public, max-age=${WINDOWS[window].ttlS}` };
}

/** Headers of a meta object. */
export const META_HEADERS: ObjectHeaders = { contentType: 'application/json', cacheControl: `public, max-age=${META_TTL_S}` };

/**
 * Where and as whom a run publishes. `prefix` ends in `/` (e.g. `devicePrefix(deviceId)`).
 * `knownKeys`: the keys under `prefix` listed at the start of the run (relative to the store, as
 * `list` answers them), used to find old versions to delete; without it a publish lists them itself.
 */
export interface PublishTarget {
  store: ObjectStore;
  prefix: string;
  deviceId: string;
  builder: BuilderName;
  knownKeys?: readonly string[];
  /** Compressor of payloads (default `gzip` of codec.ts). */
  gzip?: Gzip;
}

/** What a successful publish stored. `removedKeys`: old versions (and earlier releases' payload key) deleted after the meta write. */
export interface PublishResult {
  meta: SnapshotMeta;
  bytes: number;
  points: number;
  removedKeys: string[];
}

/** Start time (ms) of a payload version key of (`window`, `granularity`) under `prefix`, else undefined. */
function versionStartMs(key: string, prefix: string, window: Window, granularity: Granularity): number | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = PAYLOAD_VERSION_KEY_PATTERN.exec(key.slice(prefix.length));
  return m && m[1] === window && Number(m[2]) === granularity ? Number(m[4]) : undefined;
}

/**
 * Keys of (`window`, `granularity`) that a publish of version `currentKey` (started at `startMs`) may
 * delete: versions older than the newest older one and outside `VERSION_GRACE_MS`, and the payload
 * key of earlier releases. Pure.
 */
export function obsoleteVersionKeys(keys: readonly string[], prefix: string, window: Window, granularity: Granularity, currentKey: string, startMs: number): string[] {
  const versions = keys
    .filter((k) => k !== currentKey)
    .map((key) => ({ key, startMs: versionStartMs(key, prefix, window, granularity) }))
    .filter((v): v is { key: string; startMs: number } => v.startMs !== undefined);
  const older = versions.filter((v) => v.startMs <= startMs).sort((a, b) => b.startMs - a.startMs);
  const previous = older[0]?.key;
  const out = older.filter((v) => v.key !== previous && v.startMs < startMs - VERSION_GRACE_MS).map((v) => v.key);
  const legacy = prefix + snapshotKey(window, granularity);
  if (keys.includes(legacy)) out.push(legacy);
  return out;
}

/** Deletes in flight at once while removing old versions (they are independent; a run that lists only hourly removes an hour's versions at once). */
export const REMOVE_CONCURRENCY = 8;

/** Delete `keys` best effort, `REMOVE_CONCURRENCY` at a time (a leftover is deleted by a later publish). @returns the keys deleted, in order. */
async function removeKeys(store: ObjectStore, keys: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (let i = 0; i < keys.length; i += REMOVE_CONCURRENCY) {
    const batch = keys.slice(i, i + REMOVE_CONCURRENCY);
    const done = await Promise.all(batch.map((key) => store.delete(key).then(() => true, () => false)));
    batch.forEach((key, j) => done[j] && removed.push(key));
  }
  return removed;
}

/**
 * The meta of a successful build of `payload` stored (gzip, `bytes` long, digest `sha256`) as version
 * `versionId` under `key`, by `target.builder` for `target.deviceId`; `expiresAt` is generatedAt + 2 ×
 * the window's cadence. Also the meta the API answers for a payload rendered on read (`api/on-read.ts`).
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

/** A payload version stored by `putPayloadVersion` and not yet named by meta (`commitMeta` names it). */
export interface StoredVersion {
  payload: Payload;
  key: string;
  versionId: string;
  sha256: string;
  bytes: number;
  /** Start time of the attempt (epoch ms), as given to `putPayloadVersion`. */
  nowMs: number;
}

/**
 * Step 1 of a publish: validate `payload`, gzip it and put it ONCE under its own immutable version
 * key (with its sha256, which stores that can verify do). Readers cannot see it yet: no meta names it.
 * @throws {PayloadValidationError} before writing anything when the payload is invalid; {StoreError} when the write fails.
 */
export async function putPayloadVersion(target: PublishTarget, payload: Payload, nowMs: number): Promise<StoredVersion> {
  const { window, granularity } = payload;
  const problems = payloadProblems(payload);
  if (problems.length) throw new PayloadValidationError(window, granularity, problems);
  const body = await (target.gzip ?? gzip)(jsonBytes(payload));
  const sha256 = await sha256Hex(body);
  const versionId = payloadVersionId(nowMs, sha256);
  const key = target.prefix + payloadVersionKey(window, granularity, versionId);
  await target.store.put(key, body, storedPayloadHeaders(window), { sha256Hex: sha256 });
  return { payload, key, versionId, sha256, bytes: body.byteLength, nowMs };
}

/**
 * Step 2 of a publish (the commit point): write the meta naming a version `putPayloadVersion`
 * stored, then delete obsolete versions among `target.knownKeys` (listing the prefix when unset).
 * @throws {StoreError} when the meta write fails (meta still names the previous version).
 */
export async function commitMeta(target: PublishTarget, stored: StoredVersion): Promise<PublishResult> {
  const { payload, key, versionId, sha256, bytes, nowMs } = stored;
  const { window, granularity } = payload;
  const meta = snapshotMetaOf(target, payload, key, versionId, sha256, bytes);
  await target.store.put(target.prefix + metaKey(window, granularity), jsonBytes(meta), META_HEADERS);
  const known = target.knownKeys ?? (await target.store.list(target.prefix).catch(() => [] as string[]));
  const removedKeys = await removeKeys(target.store, obsoleteVersionKeys(known, target.prefix, window, granularity, key, nowMs));
  return { meta, bytes, points: pointCountOf(payload), removedKeys };
}

/**
 * Publish one payload with the protocol above: `putPayloadVersion`, then `commitMeta`.
 * @param nowMs start time of the attempt: names the version (`payloadVersionId`).
 * @throws {PayloadValidationError} before writing anything when the payload is invalid;
 *   {StoreError} when the payload or meta write fails (the caller then calls `recordFailure`; meta
 *   still names the previous version).
 */
export async function publishSnapshot(target: PublishTarget, payload: Payload, nowMs: number): Promise<PublishResult> {
  return commitMeta(target, await putPayloadVersion(target, payload, nowMs));
}

/** The meta currently stored for a snapshot, or undefined when absent, unreadable or not a complete meta (`metaProblems`). */
export async function readStoredMeta(target: PublishTarget, window: Window, granularity: Granularity): Promise<SnapshotMeta | undefined> {
  try {
    const got = await target.store.get(target.prefix + metaKey(window, granularity));
    if (!got) return undefined;
    const meta = decodeSnapshotMeta(got.body);
    return isSnapshotMeta(meta) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mark a snapshot stale after a failed build: keep the last good payload fields, `stale: true`,
 * `consecutiveFailures + 1`, `lastError`, `lastFailureAt`. A never-built snapshot gets null payload fields.
 * @returns the meta written. Rejects when the store cannot write it.
 */
export async function recordFailure(target: PublishTarget, window: Window, granularity: Granularity, error: unknown, nowMs: number): Promise<SnapshotMeta> {
  const prev = await readStoredMeta(target, window, granularity);
  const none = { generatedAt: null, expiresAt: null, versionId: null, stagedKey: null, sha256: null, bytes: null, pointCount: null };
  const meta: SnapshotMeta = {
    ...none,
    ...prev,
    schemaVersion: 1,
    window,
    granularity,
    device: target.deviceId,
    key: prev?.key ?? target.prefix + snapshotKey(window, granularity),
    stale: true,
    consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
    lastError: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    lastFailureAt: isoOf(nowMs),
    builder: prev?.builder ?? target.builder,
  };
  await target.store.put(target.prefix + metaKey(window, granularity), jsonBytes(meta), META_HEADERS);
  return meta;
}

/**
 * Delete staged keys under `prefix` whose start time is more than `STAGED_KEY_MAX_AGE_MS` before
 * `nowMs` (leftovers of crashed or killed runs of earlier releases). Younger ones may belong to a run
 * in progress. `listed`: the keys under `prefix` when the caller already listed them.
 * @returns the keys deleted.
 */
export async function sweepStagedKeys(store: ObjectStore, prefix: string, nowMs: number, listed?: readonly string[]): Promise<string[]> {
  const swept: string[] = [];
  for (const key of listed ?? (await store.list(prefix))) {
    const m = STAGED_KEY_PATTERN.exec(key.slice(prefix.length));
    if (!m || Number(m[1]) >= nowMs - STAGED_KEY_MAX_AGE_MS) continue;
    await store.delete(key);
    swept.push(key);
  }
  return swept;
}

/**
 * The payload object the stored meta of (`window`, `granularity`) under `store`/`prefix` names
 * (`payloadKeyOfMeta`); undefined when there is no readable built meta or the payload is absent.
 */
export async function readPublishedPayload(store: ObjectStore, prefix: string, window: Window, granularity: Granularity): Promise<StoredObject | undefined> {
  const got = await store.get(prefix + metaKey(window, granularity));
  if (!got) return undefined;
  const meta = decodeSnapshotMeta(got.body);
  if (meta.generatedAt === null) return undefined;
  return store.get(payloadKeyOfMeta(prefix, { ...meta, window, granularity }));
}
