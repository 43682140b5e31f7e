/**
 * The one in-memory `ObjectStore` for tests (run through `object-store-contract.ts` in
 * `test/builder/memory-object-store.test.ts`): a Map of keys to versions.
 *
 * - Unversioned by default (only the current object is kept, no `versionId`, like an S3 bucket
 *   without versioning); `versioned: true` keeps every version with ids `v1`, `v2`, … (S3
 *   versioning's visible behaviour: get by versionId, the latest wins, an unknown id answers
 *   `undefined`, `delete` removes every version, `deleteVersion` one).
 * - ETags are the quoted MD5 of the body, as S3 gives for single-part uploads.
 * - `lastModifiedMs` comes from `nowMs`; by default a fixed instant (2019-09-30T00:00:00Z) that
 *   advances 1 s per write.
 * - `faults` makes an operation reject with a `StoreError`; `gets` counts the reads (`get` and
 *   `head`) callers made.
 */
import { createHash } from 'node:crypto';
import type { ObjectHeaders, ObjectInfo, ObjectStore, PutOptions, StoredObject } from '../../builder/ports.js';
import { StoreError } from '../../builder/errors.js';

export type StoreOperation = 'put' | 'get' | 'head' | 'delete' | 'list';

export interface MemoryObjectStoreOptions {
  /** Keep every version (S3 bucket with versioning enabled). Default false. */
  versioned?: boolean;
  /** Clock of `lastModifiedMs` (epoch ms). Default: 2019-09-30T00:00:00Z, +1 s per write. */
  nowMs?: () => number;
}

function advancingClock(): () => number {
  let t = Date.UTC(2019, 8, 30);
  return () => (t += 1000);
}

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject[]>();
  private seq = 0;
  private readonly nowMs: () => number;
  /** Return an error to make the operation on `key` reject with it (checked before any change). */
  faults: (op: StoreOperation, key: string) => Error | undefined = () => undefined;
  /** Reads served to callers (`get` and `head`), for tests that count store traffic. */
  gets = 0;

  constructor(private readonly options: MemoryObjectStoreOptions = {}) {
    this.nowMs = options.nowMs ?? advancingClock();
  }

  private fault(op: StoreOperation, key: string): void {
    const err = this.faults(op, key);
    if (err) throw new StoreError(op, key, err.message, { cause: err });
  }

  private store(key: string, body: Uint8Array, headers: ObjectHeaders): { versionId?: string } {
    const versionId = this.options.versioned ? `v${++this.seq}` : undefined;
    const obj: StoredObject = {
      key, body: body.slice(), headers: { ...headers }, versionId, bytes: body.byteLength,
      lastModifiedMs: this.nowMs(), etag: `"${createHash('md5').update(body).digest('hex')}"`,
    };
    const list = this.options.versioned ? this.objects.get(key) ?? [] : [];
    list.push(obj);
    this.objects.set(key, list);
    return versionId ? { versionId } : {};
  }

  private find(key: string, versionId?: string): StoredObject | undefined {
    const list = this.objects.get(key);
    if (!list?.length) return undefined;
    const obj = versionId === undefined ? list[list.length - 1] : list.find((v) => v.versionId === versionId);
    return obj ? { ...obj, body: obj.body.slice(), headers: { ...obj.headers } } : undefined;
  }

  /** Like S3 with `ChecksumSHA256`: a body whose digest is not `options.sha256Hex` is refused (BadDigest). */
  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }> {
    this.fault('put', key);
    if (options?.sha256Hex !== undefined && createHash('sha256').update(body).digest('hex') !== options.sha256Hex) {
      throw new StoreError('put', key, 'BadDigest: the body does not match its sha256');
    }
    return this.store(key, body, headers);
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    this.fault('get', key);
    this.gets++;
    return this.find(key, options?.versionId);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.fault('head', key);
    this.gets++;
    const obj = this.find(key);
    if (!obj) return undefined;
    const { body: _body, ...info } = obj;
    return info;
  }

  /** Removes `key` with every version of it. */
  async delete(key: string): Promise<void> {
    this.fault('delete', key);
    this.objects.delete(key);
  }

  /** Drop one version of `key` (tests use it to make a pinned version disappear); the key goes with its last version. */
  deleteVersion(key: string, versionId: string): void {
    const rest = (this.objects.get(key) ?? []).filter((o) => o.versionId !== versionId);
    if (rest.length) this.objects.set(key, rest);
    else this.objects.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    this.fault('list', prefix);
    return this.keys().filter((k) => k.startsWith(prefix));
  }

  /** Every key, in lexical order (test helper; no fault, no read counted). */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }
}
