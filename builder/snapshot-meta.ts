/**
 * The one reader of stored snapshot meta (in a window object's header, `builder/window-object.ts`):
 * JSON → `SnapshotMeta`, checked.
 * Every reader (the builder's failure record, the API, the Pi's fallback checks, the cloud run health,
 * `sensorctl status`, `sensorctl doctor`) decodes through it and decides for itself what an unreadable
 * meta means for it. The builder's full schema check stays `metaProblems` (validate-payload.ts).
 */
import { WINDOWS, type Window } from './constants.js';
import { parseJsonBytes } from './codec.js';
import { MetaDecodeError } from './errors.js';
import type { SnapshotMeta } from './types.js';

const isIsoInstant = (v: unknown): v is string => typeof v === 'string' && Number.isFinite(Date.parse(v));

/** Problems of the fields readers rely on: present ones must have their type, `generatedAt` and `stale` must be present. */
function relyProblems(m: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (!(m.generatedAt === null || isIsoInstant(m.generatedAt))) out.push(`generatedAt ${JSON.stringify(m.generatedAt)} is neither an ISO 8601 instant nor null`);
  if (typeof m.stale !== 'boolean') out.push(`stale ${JSON.stringify(m.stale)} is not a boolean`);
  if ('expiresAt' in m && !(m.expiresAt === null || isIsoInstant(m.expiresAt))) out.push(`expiresAt ${JSON.stringify(m.expiresAt)} is neither an ISO 8601 instant nor null`);
  if ('consecutiveFailures' in m && !(Number.isInteger(m.consecutiveFailures) && (m.consecutiveFailures as number) >= 0)) out.push(`consecutiveFailures ${JSON.stringify(m.consecutiveFailures)} is not an integer ≥ 0`);
  if ('lastError' in m && !(m.lastError === null || typeof m.lastError === 'string')) out.push('lastError is neither a string nor null');
  if ('versionId' in m && !(m.versionId === null || typeof m.versionId === 'string')) out.push('versionId is neither a string nor null');
  return out;
}

/**
 * Decode stored meta bytes (UTF-8 JSON, not gzip). Checks what readers rely on: a JSON object whose
 * `generatedAt` is an ISO 8601 instant or null (never built) and whose `stale` is a boolean; when
 * present, `expiresAt` (ISO or null), `consecutiveFailures` (integer ≥ 0), `lastError` and `versionId`
 * (string or null). Other fields are passed through as stored (`metaProblems` checks them all).
 * @throws {MetaDecodeError} naming what was wrong (bad UTF-8 or JSON: `cause` is the parser's error).
 */
export function decodeSnapshotMeta(bytes: Uint8Array): SnapshotMeta {
  let value: unknown;
  try {
    value = parseJsonBytes(bytes);
  } catch (err) {
    throw new MetaDecodeError([`not UTF-8 JSON (${(err as Error).message})`], { cause: err });
  }
  return checkedSnapshotMeta(value);
}

/**
 * `value` (parsed JSON) as `SnapshotMeta` when it has what readers rely on (see `decodeSnapshotMeta`).
 * @throws {MetaDecodeError} naming what was wrong.
 */
export function checkedSnapshotMeta(value: unknown): SnapshotMeta {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MetaDecodeError(['not a JSON object']);
  const problems = relyProblems(value as Record<string, unknown>);
  if (problems.length) throw new MetaDecodeError(problems);
  return value as SnapshotMeta;
}

/**
 * Cadences (the window's `rebuildEveryMs`) after `generatedAt` past which a snapshot is **late**: its
 * builder has stopped writing (timeout, crash, schedule off), which marks nothing stale. 3 cadences =
 * `expiresAt` (2 cadences) plus a grace of one cadence. The Pi's fallback policy and the API's choice
 * between canonical and fallback copies both use it (`isSnapshotLate`).
 */
export const LATE_AFTER_CADENCES = 3;

/**
 * True when built meta of `window` is older than `cadences` × the window's rebuild cadence at `nowMs`
 * (epoch ms). Never-built meta (`generatedAt: null`) is not late (it is absent, a different case).
 */
export function isSnapshotLate(meta: Pick<SnapshotMeta, 'generatedAt'>, window: Window, nowMs: number, cadences = LATE_AFTER_CADENCES): boolean {
  if (meta.generatedAt === null) return false;
  return nowMs - Date.parse(meta.generatedAt) > cadences * WINDOWS[window].rebuildEveryMs;
}
