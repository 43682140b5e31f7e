/**
 * The staged-write protocol of one snapshot through an `ObjectStore`:
 * gzip JSON → put to the staged key → read back and validate (sha256, gunzip, parse, schema, window,
 * granularity, point count) → promote to the canonical key with explicit headers → head and check
 * that Content-Type, Content-Encoding and Cache-Control survived → write meta. On failure the
 * canonical payload is left as it was (except a header check failing after promotion), the staged key
 * is deleted best effort and meta turns `stale`.
 */
import { META_TTL_S, STAGED_KEY_PATTERN, WINDOWS, metaKey, snapshotKey, stagedKey, type Granularity, type Window } from './constants.js';
import { gunzip, gzip, isoOf, jsonBytes, parseJsonBytes, sha256Hex } from './codec.js';
import { PayloadValidationError, StoreMismatchError } from './errors.js';
import type { ObjectHeaders, ObjectStore } from './ports.js';
import { pointCountOf } from './render.js';
import { isSnapshotMeta, payloadProblems } from './validate-payload.js';
import { decodeSnapshotMeta } from './snapshot-meta.js';
import type { BuilderName, Payload, SnapshotMeta } from './types.js';

/** Staged keys older than this at the start of a run are leftovers of crashed runs and are deleted. */
export const STAGED_KEY_MAX_AGE_MS = 10 * 60_000;

/** Object headers a stored (gzip) payload of `window` carries in the store (not the API's response headers). */
export function storedPayloadHeaders(window: Window): ObjectHeaders {
  return { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: `public, max-age=${WINDOWS[window].ttlS}` };
}

/** Headers of a meta object. */
export const META_HEADERS: ObjectHeaders = { contentType: 'application/json', cacheControl: `public, max-age=${META_TTL_S}` };

/** Where and as whom a run publishes. `prefix` ends in `/` (e.g. `devicePrefix(deviceId)`). */
export interface PublishTarget {
  store: ObjectStore;
  prefix: string;
  deviceId: string;
  builder: BuilderName;
}

/** What a successful publish stored. */
export interface PublishResult {
  meta: SnapshotMeta;
  bytes: number;
  points: number;
}

function check(key: string, what: string, expected: unknown, actual: unknown): void {
  if (expected !== actual) throw new StoreMismatchError(key, `${what} ${String(expected)}`, `${what} ${String(actual)}`);
}

/** Read back `key` and prove it is exactly `payload` as gzip bytes with digest `sha256`. */
async function verifyStaged(store: ObjectStore, key: string, sha256: string, payload: Payload): Promise<void> {
  const got = await store.get(key);
  if (!got) throw new StoreMismatchError(key, 'the staged object', 'nothing');
  check(key, 'sha256', sha256, await sha256Hex(got.body));
  const parsed = parseJsonBytes(await gunzip(got.body)) as Payload;
  const problems = payloadProblems(parsed);
  if (problems.length) throw new PayloadValidationError(payload.window, payload.granularity, problems);
  check(key, 'window', payload.window, parsed.window);
  check(key, 'granularity', payload.granularity, parsed.granularity);
  parsed.series.forEach((s, i) => check(key, `points of ${s.id}`, payload.series[i]?.points.length, s.points.length));
}

/**
 * Publish one payload with the staged-write protocol and write its meta.
 * @param nowMs start time of the attempt (names the staged key) and `generatedAt` of the meta.
 * @throws {PayloadValidationError | StoreMismatchError | StoreError} on any failed step; the caller
 *   then calls `recordFailure`. The staged key is deleted (best effort) before rethrowing.
 */
export async function publishSnapshot(target: PublishTarget, payload: Payload, nowMs: number): Promise<PublishResult> {
  const { window, granularity } = payload;
  const problems = payloadProblems(payload);
  if (problems.length) throw new PayloadValidationError(window, granularity, problems);
  const body = await gzip(jsonBytes(payload));
  const sha256 = await sha256Hex(body);
  const headers = storedPayloadHeaders(window);
  const staged = target.prefix + stagedKey(window, granularity, nowMs);
  const key = target.prefix + snapshotKey(window, granularity);
  let promoted = false;
  try {
    await target.store.put(staged, body, headers);
    await verifyStaged(target.store, staged, sha256, payload);
    const { versionId } = await target.store.promote(staged, key, headers);
    promoted = true;
    const info = await target.store.head(key);
    if (!info) throw new StoreMismatchError(key, 'the promoted object', 'nothing');
    check(key, 'Content-Type', headers.contentType, info.headers.contentType);
    check(key, 'Content-Encoding', headers.contentEncoding, info.headers.contentEncoding);
    check(key, 'Cache-Control', headers.cacheControl, info.headers.cacheControl);
    const meta: SnapshotMeta = {
      schemaVersion: 1,
      window,
      granularity,
      device: target.deviceId,
      key,
      generatedAt: payload.generatedAt,
      expiresAt: isoOf(Date.parse(payload.generatedAt) + 2 * WINDOWS[window].rebuildEveryMs),
      versionId: versionId ?? info.versionId ?? sha256,
      stagedKey: staged,
      sha256,
      bytes: body.byteLength,
      pointCount: pointCountOf(payload),
      stale: false,
      consecutiveFailures: 0,
      lastError: null,
      lastFailureAt: null,
      builder: target.builder,
    };
    await target.store.put(target.prefix + metaKey(window, granularity), jsonBytes(meta), META_HEADERS);
    return { meta, bytes: body.byteLength, points: pointCountOf(payload) };
  } catch (err) {
    if (!promoted) await target.store.delete(staged).catch(() => undefined);
    throw err;
  }
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
    key: target.prefix + snapshotKey(window, granularity),
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
 * `nowMs` (leftovers of crashed or killed runs). Younger ones may belong to a run in progress.
 * @returns the keys deleted.
 */
export async function sweepStagedKeys(store: ObjectStore, prefix: string, nowMs: number): Promise<string[]> {
  const swept: string[] = [];
  for (const key of await store.list(prefix)) {
    const m = STAGED_KEY_PATTERN.exec(key.slice(prefix.length));
    if (!m || Number(m[1]) >= nowMs - STAGED_KEY_MAX_AGE_MS) continue;
    await store.delete(key);
    swept.push(key);
  }
  return swept;
}
