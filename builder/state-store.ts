/**
 * Persistence of the rollup state through the `ObjectStore`: one gzip JSON object per (device, window)
 * under `{statePrefix}rollup_{window}.json` (default prefix `state/{deviceId}/`).
 */
import type { Window } from './constants.js';
import { gunzip, gzip, jsonBytes, parseJsonBytes } from './codec.js';
import { StateError } from './errors.js';
import type { ObjectStore } from './ports.js';
import { RollupState } from './rollup-state.js';

/** Default key prefix of a device's rollup state (outside the snapshot prefix, never served). */
export const defaultStatePrefix = (deviceId: string): string => `state/${deviceId}/`;

/** Key of one window's state, e.g. `state/pi-kitchen/rollup_1h.json`. */
export const stateKey = (statePrefix: string, window: Window): string => `${statePrefix}rollup_${window}.json`;

/**
 * Load a window's state; `undefined` when none was saved.
 * @throws {StateError} when the object exists but is not a usable state (the caller rebuilds in full).
 */
export async function loadState(store: ObjectStore, statePrefix: string, window: Window, deviceId: string): Promise<RollupState | undefined> {
  const key = stateKey(statePrefix, window);
  const got = await store.get(key);
  if (!got) return undefined;
  let value: unknown;
  try {
    value = parseJsonBytes(await gunzip(got.body));
  } catch (err) {
    throw new StateError(key, `not gzip JSON (${(err as Error).message})`, { cause: err });
  }
  return RollupState.fromJSON(value, window, deviceId, key);
}

/** Save a window's state (gzip JSON, replacing the previous one atomically). */
export async function saveState(store: ObjectStore, statePrefix: string, state: RollupState): Promise<void> {
  const body = await gzip(jsonBytes(state.toJSON()));
  await store.put(stateKey(statePrefix, state.window), body, { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'no-store' });
}

/**
 * Order two source cursors with the source's own comparator, or as non-negative decimal integers
 * (the SQLite journal's sequence numbers). `undefined` when neither applies.
 */
export function compareCursors(left: string, right: string, compare?: (left: string, right: string) => number): number | undefined {
  if (compare) return compare(left, right);
  if (!/^\d+$/.test(left) || !/^\d+$/.test(right)) return undefined;
  const [x, y] = [BigInt(left), BigInt(right)];
  return x < y ? -1 : x > y ? 1 : 0;
}
