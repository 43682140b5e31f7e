/**
 * `ObjectStore` over a directory (the Pi): key `a/b/c.json` is the file `<root>/a/b/c.json`.
 * - `put` is atomic: the body goes to a temp file in the same directory, is fsynced (unless the store
 *   was opened with `fsync: false`), then renamed over
 *   the target (rename(2) is atomic within a file system). The directory is not fsynced: after a power
 *   cut a reader may see the previous object, never a partial one.
 * - Headers live in a sidecar `<root>/.headers/<key>.json` (written the same way, before the body;
 *   not rewritten when this instance last wrote the same headers there).
 * - `writes` counts what the instance wrote (files, bytes, fsyncs, unlinks): the bench's bytes figures.
 * - `versionId` is the body's sha256; only the current version is kept, so `get(key, {versionId})`
 *   returns the object only while its content still has that digest.
 * - Hidden temp files (`.<hex>.tmp`) that a killed writer left behind are swept: the first write into
 *   a directory (per store instance) deletes the ones older than `TEMP_FILE_MAX_AGE_MS` there.
 * - `put` uses the caller's `sha256Hex` (computed from the same bytes) instead of hashing again.
 * - Keys with `..`/`.` segments, empty segments, a leading `/`, backslashes or NUL are rejected
 *   (`InvalidKeyError`); so are keys whose first segment starts with `.` (reserved for sidecars).
 * Node file-system errors are translated to `StoreError` (ENOENT on read means absent).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { makeDirs } from './make-dirs.js';
import { dirname, join, resolve } from 'node:path';
import { sha256Hex } from '../builder/codec.js';
import { InvalidKeyError, StoreError } from '../builder/errors.js';
import type { ObjectHeaders, ObjectInfo, ObjectStore, PutOptions, StoredObject } from '../builder/ports.js';

const HEADERS_DIR = '.headers';

/** Largest file `put` overwrites in place when the disk is too full for a temp file (headers sidecars; objects put with `inPlaceWhenFull`), bytes. */
export const IN_PLACE_MAX_BYTES = 16 * 1024;
/** Temp files of atomic writes: `.<12 hex>.tmp`. */
const TEMP_FILE_PATTERN = /^\.[0-9a-f]{12}\.tmp$/;

/** A temp file older than this is a leftover of a killed writer (a live write takes milliseconds). */
export const TEMP_FILE_MAX_AGE_MS = 60_000;

/** Headers sidecar (files of earlier releases also carry an unused `sha256`). */
interface Sidecar {
  headers: ObjectHeaders;
}

function checkKey(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty');
  if (key.includes('\\')) throw new InvalidKeyError(key, 'contains a backslash');
  if (key.includes('\0')) throw new InvalidKeyError(key, 'contains NUL');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute path');
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new InvalidKeyError(key, "empty, '.' or '..' segment");
  if (parts[0].startsWith('.')) throw new InvalidKeyError(key, "first segment starts with '.' (reserved)");
  return parts;
}

const isNotFound = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/** The directory-backed store described above; `root` is created on the first write. */
export class FsObjectStore implements ObjectStore {
  readonly root: string;
  /** What this instance wrote: files (temp file + rename each), body bytes, fsyncs, files removed. */
  readonly writes = { files: 0, bytes: 0, fsyncs: 0, unlinks: 0 };
  private readonly fsync: boolean;
  /** Sidecar content this instance last wrote per path: an identical sidecar is not rewritten. */
  private readonly sidecarsWritten = new Map<string, string>();

  /**
   * @param options.fsync `false` for data that can be rebuilt (snapshots, rollup state): writes stay
   *   atomic for readers and against a killed process, but a power cut may lose or tear the latest
   *   ones (the next build rewrites them). Default `true`: each file is fsynced before its rename.
   */
  constructor(root: string, options: { fsync?: boolean } = {}) {
    this.root = resolve(root);
    this.fsync = options.fsync ?? true;
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkKey(key));
  }

  private sidecarOf(key: string): string {
    return join(this.root, HEADERS_DIR, ...checkKey(key)) + '.json';
  }

  /** Directories whose leftover temp files this instance already swept. */
  private readonly sweptDirs = new Set<string>();

  /**
   * Delete leftover temp files (`.<hex>.tmp`) in `dir` older than `TEMP_FILE_MAX_AGE_MS`, once per
   * directory and instance. @returns the paths deleted.
   */
  async sweepTempFiles(dir: string, nowMs = Date.now()): Promise<string[]> {
    if (this.sweptDirs.has(dir)) return [];
    this.sweptDirs.add(dir);
    const swept: string[] = [];
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!TEMP_FILE_PATTERN.test(name)) continue;
      const path = join(dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st || st.mtimeMs > nowMs - TEMP_FILE_MAX_AGE_MS) continue;
      await unlink(path).then(() => swept.push(path), () => undefined);
    }
    return swept;
  }

  /**
   * Write `body` to `path` atomically (temp file in the same dir, fsync, rename). With `inPlaceWhenFull`
   * and no space for the temp file, a small existing file is overwritten in place instead (not atomic).
   */
  private async writeAtomic(path: string, body: Uint8Array, inPlaceWhenFull: boolean): Promise<void> {
    const dir = dirname(path);
    if (!this.sweptDirs.has(dir)) {
      await makeDirs(dir);
      await this.sweepTempFiles(dir);
    }
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'w', 0o644).catch(async (err: unknown) => {
      if (!isNotFound(err)) throw err;
      await makeDirs(dir); // removed since this instance first wrote there
      return open(tmp, 'w', 0o644);
    });
    try {
      await fh.writeFile(body);
      if (this.fsync) await fh.sync();
    } catch (err) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      if (inPlaceWhenFull && (err as { code?: string }).code === 'ENOSPC' && body.byteLength <= IN_PLACE_MAX_BYTES && (await this.overwriteInPlace(path, body))) return;
      throw err;
    }
    await fh.close();
    this.writes.files++;
    this.writes.bytes += body.byteLength;
    if (this.fsync) this.writes.fsyncs++;
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Disk full: overwrite a small existing file in place (its blocks are already allocated, so no new
   * space is needed) instead of through a temp file. Not atomic; used only when the atomic way cannot
   * run at all and the caller allows it (`PutOptions.inPlaceWhenFull`: a failed build marking its
   * window's metas `stale`; a window object is rebuildable), and for headers sidecars. True when done.
   */
  private async overwriteInPlace(path: string, body: Uint8Array): Promise<boolean> {
    let fh;
    try {
      fh = await open(path, 'r+');
      if ((await fh.stat()).blocks * 512 < body.byteLength) return false; // would need new blocks
      await fh.write(body, 0, body.byteLength, 0);
      await fh.truncate(body.byteLength);
      this.writes.files++;
      this.writes.bytes += body.byteLength;
      return true;
    } catch {
      return false;
    } finally {
      await fh?.close();
    }
  }

  private wrap(op: string, key: string, err: unknown): never {
    if (err instanceof InvalidKeyError || err instanceof StoreError) throw err;
    throw new StoreError(op, key, (err as Error).message, { cause: err });
  }

  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }> {
    const path = this.pathOf(key);
    try {
      const sha256 = options?.sha256Hex ?? (await sha256Hex(body));
      await this.writeSidecar(key, headers);
      await this.writeAtomic(path, body, options?.inPlaceWhenFull === true);
      return { versionId: sha256 };
    } catch (err) {
      this.wrap('put', key, err);
    }
  }

  /** Write the headers sidecar of `key` unless this instance last wrote the same one there. */
  private async writeSidecar(key: string, headers: ObjectHeaders): Promise<void> {
    const path = this.sidecarOf(key);
    const text = JSON.stringify({ headers: { ...headers } } satisfies Sidecar);
    if (this.sidecarsWritten.get(path) === text) return;
    this.sidecarsWritten.delete(path);
    await this.writeAtomic(path, new TextEncoder().encode(text), true);
    this.sidecarsWritten.set(path, text);
  }

  private async readSidecar(key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await readFile(this.sidecarOf(key), 'utf8')) as Sidecar;
    } catch (err) {
      if (isNotFound(err) || err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    try {
      const [buf, st] = await Promise.all([readFile(path), stat(path)]);
      const body = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      const sha256 = await sha256Hex(body);
      if (options?.versionId !== undefined && options.versionId !== sha256) return undefined;
      const sidecar = await this.readSidecar(key);
      return {
        key, body, headers: sidecar?.headers ?? { contentType: 'application/octet-stream' }, versionId: sha256,
        lastModifiedMs: Math.floor(st.mtimeMs), etag: `"${sha256}"`, bytes: body.byteLength,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      this.wrap('get', key, err);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const obj = await this.get(key);
    if (!obj) return undefined;
    const { body: _body, ...info } = obj;
    return info;
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await rm(path, { force: true });
      await rm(this.sidecarOf(key), { force: true });
      this.sidecarsWritten.delete(this.sidecarOf(key));
      this.writes.unlinks += 2;
    } catch (err) {
      this.wrap('delete', key, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = dirPart ? join(this.root, ...checkKey(dirPart)) : this.root;
    const keys: string[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue; // temp files and the sidecar tree
        const key = keyPrefix + e.name;
        if (e.isDirectory()) await walk(join(dir, e.name), key + '/');
        else if (e.isFile() && key.startsWith(prefix)) keys.push(key);
      }
    };
    try {
      await walk(start, dirPart ? dirPart + '/' : '');
    } catch (err) {
      this.wrap('list', prefix, err);
    }
    return keys.sort();
  }
}
