/**
 * Persistence of the rollup state through the `ObjectStore`: one gzip JSON object per (device, window)
 * under `{statePrefix}rollup_{window}.json` (default prefix `state/{deviceId}/`).
 */
import type { Window } from './constants.js';
import { gunzip, gzip, jsonBytes, parseJsonBytes, type Gzip } from './codec.js';
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

/** Save a window's state (gzip JSON through `compress`, replacing the previous one atomically). */
export async function saveState(store: ObjectStore, statePrefix: string, state: RollupState, compress: Gzip = gzip): Promise<void> {
  const body = await compress(jsonBytes(state.toJSON()));
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

/**
 * In-memory copy of the rollup states a long-lived process last saved (the daemon's builds): a run
 * takes a window's state from here instead of reading, gunzipping and parsing it again, and the
 * cursors of windows it does not build come from here too. An entry is taken out for the run that
 * uses it and put back only after that run saved it, so a run that failed half-way (state folded but
 * not saved) never leaks into the next one: that one reads the saved state. Another process writing
 * the same state (a `rebuild`) does not make an entry wrong: an entry is a complete state as of its
 * cursor, and a cursor the source has forgotten makes the window rebuild in full.
 */
export class RollupStateCache {
  private readonly states = new Map<string, RollupState>();
  private readonly cursors = new Map<string, string | undefined>();

  private static key(statePrefix: string, window: Window, deviceId: string): string {
    return `${deviceId}\u0000${stateKey(statePrefix, window)}`;
  }

  /** Remove and return the saved state of `window`, if this cache holds it. */
  take(statePrefix: string, window: Window, deviceId: string): RollupState | undefined {
    const k = RollupStateCache.key(statePrefix, window, deviceId);
    const state = this.states.get(k);
    this.states.delete(k);
    return state;
  }

  /** Record `state` as just saved. */
  saved(statePrefix: string, state: RollupState): void {
    const k = RollupStateCache.key(statePrefix, state.window, state.deviceId);
    this.states.set(k, state);
    this.cursors.set(k, state.cursor);
  }

  /** Whether the cursor of the last saved state of `window` is known; `savedCursor` gives it. */
  hasCursor(statePrefix: string, window: Window, deviceId: string): boolean {
    return this.cursors.has(RollupStateCache.key(statePrefix, window, deviceId));
  }

  savedCursor(statePrefix: string, window: Window, deviceId: string): string | undefined {
    return this.cursors.get(RollupStateCache.key(statePrefix, window, deviceId));
  }
}
