/**
 * In-memory `ObjectStore` for tests: a Map of keys to versions. Unversioned by default (only the
 * current object is kept, no `versionId`, like an S3 bucket without versioning); `versioned: true`
 * keeps every version with ids `v1`, `v2`, … (a faithful emulation of S3 versioning's visible
 * behaviour: get by versionId, latest wins). `faults` lets a test make an operation reject.
 */
import type { ObjectHeaders, ObjectInfo, ObjectStore, StoredObject } from '../../builder/ports.js';
import { StoreError } from '../../builder/errors.js';

export type StoreOperation = 'put' | 'get' | 'head' | 'promote' | 'delete' | 'list';

interface Version extends StoredObject {}

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Version[]>();
  private seq = 0;
  /** Return an error to make the operation on `key` reject with it (checked before any change). */
  faults: (op: StoreOperation, key: string) => Error | undefined = () => undefined;
  /** Optional: rewrite headers as a misbehaving store would on promote (e.g. drop Content-Encoding). */
  promoteHeaders: (headers: ObjectHeaders) => ObjectHeaders = (h) => h;

  constructor(private readonly options: { versioned?: boolean; nowMs?: () => number } = {}) {}

  private fault(op: StoreOperation, key: string): void {
    const err = this.faults(op, key);
    if (err) throw new StoreError(op, key, err.message, { cause: err });
  }

  private store(key: string, body: Uint8Array, headers: ObjectHeaders): { versionId?: string } {
    const versionId = this.options.versioned ? `v${++this.seq}` : undefined;
    const hex = [...body.slice(0, 16)].map((b) => b.toString(16)).join('');
    const obj: Version = {
      key, body: body.slice(), headers: { ...headers }, versionId, bytes: body.byteLength,
      lastModifiedMs: this.options.nowMs?.() ?? 0, etag: `"${body.byteLength}-${hex}-${this.seq}"`,
    };
    const list = this.options.versioned ? this.objects.get(key) ?? [] : [];
    list.push(obj);
    this.objects.set(key, list);
    return versionId ? { versionId } : {};
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders): Promise<{ versionId?: string }> {
    this.fault('put', key);
    return this.store(key, body, headers);
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    this.fault('get', key);
    const list = this.objects.get(key);
    if (!list?.length) return undefined;
    const obj = options?.versionId === undefined ? list[list.length - 1] : list.find((v) => v.versionId === options.versionId);
    return obj ? { ...obj, body: obj.body.slice(), headers: { ...obj.headers } } : undefined;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.fault('head', key);
    const obj = await this.get(key);
    if (!obj) return undefined;
    const { body: _body, ...info } = obj;
    return info;
  }

  async promote(stagedKey: string, key: string, headers: ObjectHeaders): Promise<{ versionId?: string }> {
    this.fault('promote', key);
    const staged = await this.get(stagedKey);
    if (!staged) throw new StoreError('promote', stagedKey, 'no such staged object');
    const r = this.store(key, staged.body, this.promoteHeaders(headers));
    this.objects.delete(stagedKey);
    return r;
  }

  async delete(key: string): Promise<void> {
    this.fault('delete', key);
    this.objects.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    this.fault('list', prefix);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Every key (test helper). */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}
