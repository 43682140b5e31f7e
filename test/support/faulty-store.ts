/**
 * Fault-injecting `ObjectStore` wrapper: makes the next N staged PutObjects or promotions (CopyObject)
 * fail with the store's own error type, or "kills" the writer (every call after the trigger rejects
 * and nothing more reaches the store, as if the process died between put and promote).
 */
import type { ObjectHeaders, ObjectStore } from '../../builder/ports.js';
import { StoreError } from '../../builder/errors.js';

export class FaultyStore implements ObjectStore {
  failStagedPuts = 0;
  failPromotes = 0;
  /** Die right after this many successful staged puts (undefined: never). */
  dieAfterStagedPuts: number | undefined;
  private dead = false;
  constructor(readonly inner: ObjectStore) {}

  private alive(key: string): void {
    if (this.dead) throw new StoreError('any', key, 'writer killed (simulated crash)');
  }
  async put(key: string, body: Uint8Array, headers: ObjectHeaders) {
    this.alive(key);
    const staged = key.includes('.tmp-');
    if (staged && this.failStagedPuts > 0) {
      this.failStagedPuts--;
      throw new StoreError('put', key, 'InternalError (HTTP 500): injected');
    }
    const out = await this.inner.put(key, body, headers);
    if (staged && this.dieAfterStagedPuts !== undefined && --this.dieAfterStagedPuts <= 0) this.dead = true;
    return out;
  }
  async get(key: string, options?: { versionId?: string }) {
    this.alive(key);
    return this.inner.get(key, options);
  }
  async head(key: string) {
    this.alive(key);
    return this.inner.head(key);
  }
  async promote(stagedKey: string, key: string, headers: ObjectHeaders) {
    this.alive(key);
    if (this.failPromotes > 0) {
      this.failPromotes--;
      throw new StoreError('promote', key, 'InternalError (HTTP 500): injected on CopyObject');
    }
    return this.inner.promote(stagedKey, key, headers);
  }
  async delete(key: string) {
    this.alive(key);
    return this.inner.delete(key);
  }
  async list(prefix: string) {
    this.alive(prefix);
    return this.inner.list(prefix);
  }
}
