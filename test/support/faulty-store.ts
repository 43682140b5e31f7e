/**
 * Fault-injecting `ObjectStore` wrapper for the window-object layout (one put of
 * `latest_<w>.snapshots` per window and build, `builder/window-object.ts`): makes the next N window
 * object puts fail with the store's own error type (all of them, or only those that publish a fresh
 * payload, so the builder's failure record still lands), or "kills" the writer (every call after the
 * trigger rejects and nothing more reaches the store, as if the process died right after a window
 * was committed). `calls` records what reached the inner store, for tests that count requests.
 */
import type { ObjectHeaders, ObjectStore, PutOptions } from '../../builder/ports.js';
import { StoreError } from '../../builder/errors.js';
import { WINDOW_OBJECT_KEY_PATTERN } from '../../builder/constants.js';
import { decodeWindowObject } from '../../builder/window-object.js';

/** Whether `key` (with any prefix) is a window object's key. */
export const isWindowObjectKey = (key: string): boolean => WINDOW_OBJECT_KEY_PATTERN.test(key.slice(key.lastIndexOf('/') + 1));

/** A window object that publishes something (some meta `stale: false`), not a failure record (every meta stale). */
const isPublishObject = (body: Uint8Array): boolean => {
  try {
    return [...decodeWindowObject(body).metas.values()].some((m) => m.stale === false);
  } catch {
    return false;
  }
};

export type FaultyOperation = 'put' | 'get' | 'head' | 'delete' | 'list';

export class FaultyStore implements ObjectStore {
  /** Fail the next N window object puts, a failure record's put included. */
  failWindowPuts = 0;
  /** Fail the next N window object puts that publish a fresh payload; failure records (every meta stale) still pass. */
  failPublishPuts = 0;
  /** Die right after this many successful window object puts (undefined: never; 0: dead from the start). */
  dieAfterWindowPuts: number | undefined;
  /** Every call that reached the inner store, in order, as `<op> <key or prefix>`. */
  readonly calls: string[] = [];
  private dead = false;
  constructor(readonly inner: ObjectStore) {}

  /** Calls of `op` that reached the inner store (puts of window objects only with `windowObjects`). */
  count(op: FaultyOperation, o: { windowObjects?: boolean } = {}): number {
    return this.calls.filter((c) => c.startsWith(`${op} `) && (!o.windowObjects || isWindowObjectKey(c.slice(op.length + 1)))).length;
  }

  private alive(op: FaultyOperation, key: string): void {
    if (this.dead || this.dieAfterWindowPuts === 0) throw new StoreError(op, key, 'writer killed (simulated crash)');
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions) {
    this.alive('put', key);
    const isWindow = isWindowObjectKey(key);
    if (isWindow && this.failWindowPuts > 0) {
      this.failWindowPuts--;
      throw new StoreError('put', key, 'InternalError (HTTP 500): injected');
    }
    if (isWindow && this.failPublishPuts > 0 && isPublishObject(body)) {
      this.failPublishPuts--;
      throw new StoreError('put', key, 'InternalError (HTTP 500): injected on the window object PutObject');
    }
    this.calls.push(`put ${key}`);
    const out = await this.inner.put(key, body, headers, options);
    if (isWindow && this.dieAfterWindowPuts !== undefined && --this.dieAfterWindowPuts <= 0) this.dead = true;
    return out;
  }
  async get(key: string, options?: { versionId?: string }) {
    this.alive('get', key);
    this.calls.push(`get ${key}`);
    return this.inner.get(key, options);
  }
  async head(key: string) {
    this.alive('head', key);
    this.calls.push(`head ${key}`);
    return this.inner.head(key);
  }
  async delete(key: string) {
    this.alive('delete', key);
    this.calls.push(`delete ${key}`);
    return this.inner.delete(key);
  }
  async list(prefix: string) {
    this.alive('list', prefix);
    this.calls.push(`list ${prefix}`);
    return this.inner.list(prefix);
  }
}
