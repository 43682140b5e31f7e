/**
 * An `ObjectStore` view of one key prefix of another store: the builder writes `latest_1h_20.json`
 * and the object lands at `snapshots/{deviceId}/latest_1h_20.json` (or under `fallback/…` on the Pi).
 * With `isWriteFenced`, only this prefix may be written at all: the Pi's fallback store uses it so a
 * bug can never overwrite canonical keys. Pure: no I/O of its own.
 */
import type { ObjectHeaders, ObjectInfo, ObjectStore, PutOptions, StoredObject } from './ports.js';

/** A key outside the store's allowed prefix was about to be written or read. */
export class KeyOutsidePrefixError extends Error {
  constructor(readonly key: string, readonly prefix: string) {
    super(`key ${key} is outside the allowed prefix ${prefix}`);
    this.name = new.target.name;
  }
}

/** Maps every key `k` to `prefix + k` on `inner`; `list` returns keys relative to the prefix. */
export class PrefixedObjectStore implements ObjectStore {
  /**
   * @param inner the underlying store (e.g. `S3ObjectStore` over the whole bucket).
   * @param prefix ends with `/`, e.g. `fallbackPrefix('pi-kitchen')`.
   */
  constructor(readonly inner: ObjectStore, readonly prefix: string) {
    if (!prefix.endsWith('/')) throw new KeyOutsidePrefixError(prefix, 'a prefix ending with /');
  }

  private full(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) throw new KeyOutsidePrefixError(key, this.prefix);
    return this.prefix + key;
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }> {
    return this.inner.put(this.full(key), body, headers, options);
  }
  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    const o = await this.inner.get(this.full(key), options);
    return o && { ...o, key };
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    const o = await this.inner.head(this.full(key));
    return o && { ...o, key };
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }
  async list(prefix: string): Promise<string[]> {
    const keys = await this.inner.list(this.full(prefix));
    return keys.map((k) => k.slice(this.prefix.length));
  }
}

/**
 * A store that refuses every write (put, delete) to a key outside `allowedPrefix`, before any
 * I/O. Reads pass through (the Pi reads the cloud's canonical meta through it).
 */
export class WriteFencedObjectStore implements ObjectStore {
  constructor(readonly inner: ObjectStore, readonly allowedPrefix: string) {}

  private check(key: string): string {
    if (!key.startsWith(this.allowedPrefix) || key.split('/').includes('..')) throw new KeyOutsidePrefixError(key, this.allowedPrefix);
    return key;
  }
  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }> {
    return this.inner.put(this.check(key), body, headers, options);
  }
  get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    return this.inner.get(key, options);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(this.check(key));
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
}
