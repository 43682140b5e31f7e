/**
 * The rollup state of a window is the `state` section of its window object (`builder/window-object.ts`):
 * saved by the same put that publishes the window's payloads, so state and payloads never disagree
 * and saving it costs no request of its own.
 */
import type { Window } from './constants.js';
import { gunzip, gzip, jsonBytes, parseJsonBytes, type Gzip } from './codec.js';
import { MetaDecodeError, StateError } from './errors.js';
import type { ObjectStore } from './ports.js';
import { readWindowObject, windowObjectKeyOf } from './publish.js';
import { RollupState } from './rollup-state.js';
import type { WindowObject } from './window-object.js';

/** A window's saved state and the object it came from (`object` undefined: no window object). */
export interface LoadedState {
  state?: RollupState;
  object?: WindowObject;
}

/**
 * Load a window's state from its object under `prefix`.
 * @returns the state (undefined when there is no object or it carries no state) and the object.
 * @throws {StateError} when the object or its state cannot be decoded (the caller rebuilds in full);
 *   the store's error when the read fails.
 */
export async function loadState(store: Pick<ObjectStore, 'get'>, prefix: string, window: Window, deviceId: string): Promise<LoadedState> {
  const key = windowObjectKeyOf(prefix, window);
  let object: WindowObject | undefined;
  try {
    object = await readWindowObject(store, prefix, window);
  } catch (err) {
    if (err instanceof MetaDecodeError) throw new StateError(key, err.message, { cause: err });
    throw err;
  }
  const bytes = object?.state();
  if (!bytes) return { object };
  let value: unknown;
  try {
    value = parseJsonBytes(await gunzip(bytes));
  } catch (err) {
    throw new StateError(key, `state is not gzip JSON (${(err as Error).message})`, { cause: err });
  }
  return { state: RollupState.fromJSON(value, window, deviceId, key), object };
}

/** The gzip JSON bytes of `state`, as a window object stores them. */
export async function encodeState(state: RollupState, compress: Gzip = gzip): Promise<Uint8Array> {
  return compress(jsonBytes(state.toJSON()));
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
 * Entries are keyed by the objects' prefix, window and device.
 */
export class RollupStateCache {
  private readonly states = new Map<string, RollupState>();
  private readonly cursors = new Map<string, string | undefined>();

  private static key(prefix: string, window: Window, deviceId: string): string {
    return `${deviceId}\u0000${windowObjectKeyOf(prefix, window)}`;
  }

  /** Remove and return the saved state of `window`, if this cache holds it. */
  take(prefix: string, window: Window, deviceId: string): RollupState | undefined {
    const k = RollupStateCache.key(prefix, window, deviceId);
    const state = this.states.get(k);
    this.states.delete(k);
    return state;
  }

  /** Record `state` as just saved. */
  saved(prefix: string, state: RollupState): void {
    const k = RollupStateCache.key(prefix, state.window, state.deviceId);
    this.states.set(k, state);
    this.cursors.set(k, state.cursor);
  }

  /** Whether the cursor of the last saved state of `window` is known; `savedCursor` gives it. */
  hasCursor(prefix: string, window: Window, deviceId: string): boolean {
    return this.cursors.has(RollupStateCache.key(prefix, window, deviceId));
  }

  savedCursor(prefix: string, window: Window, deviceId: string): string | undefined {
    return this.cursors.get(RollupStateCache.key(prefix, window, deviceId));
  }
}
