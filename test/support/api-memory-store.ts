/**
 * An in-memory `ObjectStore` for API tests that keeps every version of every key, like a versioned
 * S3 bucket (a faithful emulation: version ids are opaque strings, `get` with an unknown version
 * answers `undefined`, ETags are the quoted MD5 of the body as S3 gives for single-part uploads).
 */
import { createHash } from 'node:crypto';
import type { ObjectHeaders, ObjectInfo, ObjectStore, StoredObject } from '../../builder/ports.js';

export class VersionedMemoryStore implements ObjectStore {
  private readonly versions = new Map<string, StoredObject[]>();
  private nextVersion = 1;
  /** Reads served, for tests that count store traffic. */
  gets = 0;

  /** @param nowMs clock of `lastModifiedMs`; default a fixed instant advancing 1 s per write. */
  constructor(private readonly nowMs: () => number = (() => { let t = Date.UTC(2019, 8, 30); return () => (t += 1000); })()) {}

  async put(key: string, body: Uint8Array, headers: ObjectHeaders): Promise<{ versionId?: string }> {
    const versionId = `v${this.nextVersion++}`;
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const object: StoredObject = { key, body: Uint8Array.from(body), headers: { ...headers }, versionId, lastModifiedMs: this.nowMs(), etag, bytes: body.byteLength };
    this.versions.set(key, [...(this.versions.get(key) ?? []), object]);
    return { versionId };
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    this.gets++;
    const all = this.versions.get(key) ?? [];
    return options?.versionId === undefined ? all[all.length - 1] : all.find((o) => o.versionId === options.versionId);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = await this.get(key);
    if (!object) return undefined;
    const { body: _body, ...info } = object;
    return info;
  }

  async promote(stagedKey: string, key: string, headers: ObjectHeaders): Promise<{ versionId?: string }> {
    const staged = await this.get(stagedKey);
    if (!staged) throw new Error(`promote: ${stagedKey} does not exist`);
    const result = await this.put(key, staged.body, headers);
    await this.delete(stagedKey);
    return result;
  }

  /** Removes every version (tests use it to make a pinned version disappear). */
  async delete(key: string): Promise<void> {
    this.versions.delete(key);
  }

  /** Drop one version of `key`. */
  deleteVersion(key: string, versionId: string): void {
    this.versions.set(key, (this.versions.get(key) ?? []).filter((o) => o.versionId !== versionId));
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.versions.keys()].filter((k) => k.startsWith(prefix) && this.versions.get(k)!.length > 0).sort();
  }
}
