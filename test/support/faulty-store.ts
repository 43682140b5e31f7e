/**
 * Fault-injecting `ObjectStore` wrapper: makes the next N payload PutObjects (version keys) or meta
 * PutObjects fail with the store's own error type, or "kills" the writer (every call after the
 * trigger rejects and nothing more reaches the store, as if the process died between the payload
 * write and the meta write).
 */
import type { ObjectHeaders, ObjectStore, PutOptions } from '../../builder/ports.js';
import { StoreError } from '../../builder/errors.js';
import { PAYLOAD_VERSION_KEY_PATTERN } from '../../builder/constants.js';

const isPayloadKey = (key: string): boolean => PAYLOAD_VERSION_KEY_PATTERN.test(key.slice(key.lastIndexOf('/') + 1));

/** A meta write of a successful publish (`stale: false`), not a failure record. */
const isPublishMeta = (body: Uint8Array): boolean => (JSON.parse(new TextDecoder().decode(body)) as { stale?: boolean }).stale === false;

export class FaultyStore implements ObjectStore {
  failPayloadPuts = 0;
  /** Fail the next N meta writes of publishes (failure records still pass). */
  failMetaPuts = 0;
  /** Die right after this many successful payload puts (undefined: never). */
  dieAfterPayloadPuts: number | undefined;
  private dead = false;
  constructor(readonly inner: ObjectStore) {}

  private alive(key: string): void {
    if (this.dead) throw new StoreError('any', key, 'writer killed (simulated crash)');
  }
  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions) {
    this.alive(key);
    const payload = isPayloadKey(key);
    if (payload && this.failPayloadPuts > 0) {
      this.failPayloadPuts--;
      throw new StoreError('put', key, 'InternalError (HTTP 500): injected');
    }
    if (key.endsWith('.meta.json') && this.failMetaPuts > 0 && isPublishMeta(body)) {
      this.failMetaPuts--;
      throw new StoreError('put', key, 'InternalError (HTTP 500): injected on the meta PutObject');
    }
    const out = await this.inner.put(key, body, headers, options);
    if (payload && this.dieAfterPayloadPuts !== undefined && --this.dieAfterPayloadPuts <= 0) this.dead = true;
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
  async delete(key: string) {
    this.alive(key);
    return this.inner.delete(key);
  }
  async list(prefix: string) {
    this.alive(prefix);
    return this.inner.list(prefix);
  }
}
