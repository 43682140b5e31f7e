/**
 * Ports the builder core needs. Adapters: `platform/fs-object-store.ts` (Pi), the S3 store (cloud),
 * `test/support/memory-object-store.ts` (tests); `sqlite/sqlite-buffer.ts` (Pi) and the DynamoDB
 * source (cloud) for samples.
 */
import type { Sample, SeriesInfo } from './types.js';

/** HTTP-style headers stored with an object; the S3 adapter maps them to the object's system metadata. */
export interface ObjectHeaders {
  /** e.g. `application/json`. */
  contentType: string;
  /** `gzip` for snapshot payloads; absent for plain objects. */
  contentEncoding?: 'gzip';
  /** e.g. `public, max-age=30`. */
  cacheControl?: string;
}

/** Options of `ObjectStore.put`. */
export interface PutOptions {
  /** Lower-case hex SHA-256 of the body, for stores that verify what they received. */
  sha256Hex?: string;
  /**
   * When the store has no space for a new copy (a full SD card), it may overwrite the existing object
   * in place, which is NOT atomic: only for writes whose tearing is acceptable (a failure record that
   * marks metas stale; a torn window object reads as unreadable and its window rebuilds in full).
   * Publishes never set it, so a reader never sees half a new build.
   */
  inPlaceWhenFull?: boolean;
}

/** An object's description without its body. `lastModifiedMs` is epoch ms; `etag` is quoted. */
export interface ObjectInfo {
  key: string;
  headers: ObjectHeaders;
  /** Store version (S3 VersionId on a versioned bucket); absent on unversioned stores. */
  versionId?: string;
  lastModifiedMs: number;
  etag: string;
  bytes: number;
}

export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
}

/** Where built payloads go: S3 in the cloud, a directory on the Pi, a Map in tests. Keys use `/`. */
export interface ObjectStore {
  /**
   * Store `body` under `key`, replacing any object there atomically (readers see old or new).
   * With `options.sha256Hex` (the body's digest, computed by the caller from the bytes it means to
   * store) a store that can check it does so and rejects on mismatch (S3: `ChecksumSHA256`).
   */
  put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }>;
  /** Read `key` (a given version of it when `versionId` is set); `undefined` when absent. */
  get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined>;
  /**
   * Optional: the bytes `[start, start + length)` of `key` (fewer when the object ends sooner);
   * `undefined` when absent. Stores that pay per byte moved (S3 read over the internet by a Pi)
   * implement it so a reader of a window object's metas fetches its header only
   * (`readWindowMetas`); without it readers get the whole object.
   */
  getRange?(key: string, start: number, length: number): Promise<Uint8Array | undefined>;
  /** Describe `key` without its body; `undefined` when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Remove `key`; absent is fine. */
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, in lexical order. */
  list(prefix: string): Promise<string[]>;
}

/** Source of raw samples for one device. Cursors are opaque strings owned by the adapter. */
export interface SampleSource {
  /** Every series of the device that has ever had a sample. */
  listSeries(deviceId: string): Promise<SeriesInfo[]>;
  /**
   * A consistent read of every sample with `fromMs <= tsMs <= toMs`: `cursor` marks the newest change
   * included, so `readSince(cursor)` later returns exactly what this read did not see. Chunks are
   * ordered by series, then time.
   */
  readRange(deviceId: string, fromMs: number, toMs: number): Promise<{ cursor: string; chunks: AsyncIterable<Sample[]> }>;
  /**
   * Samples stored after `cursor` (`undefined`: from the beginning), whatever their timestamps
   * (late and backfilled samples included), at most `limit`, and the cursor after them.
   */
  readSince(deviceId: string, cursor: string | undefined, limit: number): Promise<ChangeBatch>;
  /**
   * The consumer no longer needs changes up to `cursor`; the adapter may forget them. A later
   * `readSince` with an older cursor answers `cursorExpired: true` (the consumer then rebuilds in full).
   */
  release(deviceId: string, cursor: string): Promise<void>;
  /**
   * Optional: order two cursors (negative, 0, positive like `Array.sort`). The builder releases the
   * oldest cursor any window still needs; without this method cursors that are decimal integers are
   * compared numerically, and other cursors are never released.
   */
  compareCursors?(a: string, b: string): number;
}

/** One page of changes from `SampleSource.readSince`. */
export interface ChangeBatch {
  samples: Sample[];
  /** Cursor after these samples (pass it to the next call). */
  cursor: string;
  hasMore: boolean;
  /** True when changes after the given cursor were already forgotten: read in full instead. */
  cursorExpired: boolean;
}

/** Wall clock, injected so cores never call `Date.now()`. */
export interface Clock {
  /** Current time in integer epoch milliseconds UTC. */
  nowMs(): number;
}

/** Log levels, in syslog order (journald shows them as priorities 3, 4, 6, 7). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Structured logger. `fields` are appended as `key=value`; never put credentials in them. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** The `Logger` that drops every line: the default where a caller gives none, and the quiet logger of tests and benches. */
export const silentLog: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
