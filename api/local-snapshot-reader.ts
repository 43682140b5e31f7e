/**
 * A read-only `SnapshotStore` over a directory: key `snapshots/pi-kitchen/latest_1h_20.json` is the
 * file `<root>/snapshots/pi-kitchen/latest_1h_20.json`.
 *
 * REPLACE with `builder/fs-object-store.ts` (the builder's filesystem `ObjectStore`) once it is on
 * this branch: this stand-in exists only so `sensorctl serve` runs before that adapter lands. It
 * infers `Content-Encoding: gzip` from the gzip magic bytes, makes an nginx-style ETag from mtime
 * and size, and has no versions (a `versionId` read answers `undefined`; the API core serves the
 * current object when the meta names its version).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { StoredObject } from '../builder/ports.js';
import { isGzip } from './gzip.js';
import type { SnapshotStore } from './ports.js';

/** Keys this reader accepts: `/`-separated segments of `ID_PATTERN`-like names, no `..`. */
const KEY_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9._:-]*\/)*[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Reads snapshot objects from files under a root directory (stand-in, see the file header). */
export class LocalSnapshotReader implements SnapshotStore {
  private readonly root: string;

  /** @param root directory holding `snapshots/` and `fallback/` (the data directory). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    if (options?.versionId !== undefined || !KEY_PATTERN.test(key) || key.split('/').includes('..')) return undefined;
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) return undefined;
    try {
      const [body, info] = await Promise.all([readFile(path), stat(path)]);
      const lastModifiedMs = Math.floor(info.mtimeMs);
      return {
        key,
        body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
        headers: { contentType: 'application/json', ...(isGzip(body) ? { contentEncoding: 'gzip' as const } : {}) },
        lastModifiedMs,
        etag: `"${lastModifiedMs.toString(16)}-${body.byteLength.toString(16)}"`,
        bytes: body.byteLength,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }
}
