/**
 * Ports of the agent's policies (sampling, retention, upload). Adapters: `sqlite/sqlite-buffer.ts`
 * (better-sqlite3) and `test/support/memory-buffer.ts`.
 */
import type { Sample, SeriesInfo } from '../../builder/types.js';

/** Result of one `insert`: rows stored, and rows skipped because (series, tsMs) was already stored. */
export interface InsertResult {
  inserted: number;
  duplicates: number;
}

/** Per-series summary for `sensorctl status`. Times are epoch ms; undefined when the series is empty. */
export interface SeriesStats extends SeriesInfo {
  count: number;
  firstTsMs?: number;
  lastTsMs?: number;
}

/**
 * The durable raw-sample buffer on the Pi. Writes are transactional: an `insert` either stores all
 * its new rows or none. The same (deviceId, seriesId, tsMs) written twice is stored once.
 */
export interface SampleBuffer {
  /** Declare series (idempotent; unit/kind of an existing series must not change: throws BufferError). */
  defineSeries(series: readonly SeriesInfo[]): void;
  /**
   * Store samples of the given device in one transaction, and set `states` (key/value pairs, as
   * `setState`) in the same transaction: the daemon's minute commit writes the sensors' status with
   * its samples, one WAL commit instead of one per key. Throws BufferError for an undeclared series.
   */
  insert(deviceId: string, samples: readonly Sample[], states?: ReadonlyArray<readonly [key: string, value: string]>): InsertResult;
  /** Delete at most `maxRows` samples past retention at `cutoffMs` (`isPastRetention`: `tsMs < cutoffMs`); returns how many went (0 = done). */
  deleteOlderThan(cutoffMs: number, maxRows: number): number;
  /** Newest stored sample time of the device, epoch ms; undefined when empty. */
  newestTsMs(deviceId: string): number | undefined;
  /** Per-series counts and first/last times. */
  stats(deviceId?: string): SeriesStats[];
  /** Small durable key/value state (upload markers, pulse counts, sensor states); undefined when unset. */
  getState(key: string): string | undefined;
  setState(key: string, value: string): void;
  /** Database size on disk in bytes (main file + WAL). */
  sizeBytes(): number;
  close(): void;
}

/**
 * One DynamoDB item's worth of samples: every series of `deviceId` sampled at `tsMs` (all of them, not
 * only the new ones, because a PutRequest replaces the whole item). `version` changes whenever a sample
 * is added at that instant, so an ack of an older version keeps the item pending.
 */
export interface UploadItem {
  deviceId: string;
  tsMs: number;
  /** seriesId → finite value in the series' canonical unit. */
  values: Record<string, number>;
  version: number;
}

/** Backlog summary for status: items pending upload, the oldest one's time (epoch ms), items leased now. */
export interface Backlog {
  items: number;
  oldestTsMs?: number;
  /** Items whose lease is still held at the `nowMs` asked about (an expired lease is not counted). */
  leased: number;
}

/**
 * The durable upload queue beside the buffer: one entry per (deviceId, tsMs) that has samples not yet
 * confirmed by the cloud. Leases keep two uploaders (the daemon and `sensorctl push`) from sending the
 * same item at once; an expired lease makes the item available again (crash recovery).
 */
export interface UploadQueue {
  /** Lease up to `limit` oldest pending items (by tsMs) whose lease is free or expired, for `leaseMs`. */
  lease(limit: number, leaseMs: number, nowMs: number, options?: { sinceTsMs?: number; deviceId?: string }): { leaseId: string; items: UploadItem[] };
  /** Items confirmed written: removed from the queue unless a newer version arrived meanwhile. */
  ack(leaseId: string, items: ReadonlyArray<Pick<UploadItem, 'deviceId' | 'tsMs' | 'version'>>): void;
  /** Items that can never be written (validation error): removed from the queue, kept in a rejected log with `reason`, stamped `nowMs` (epoch ms). */
  reject(leaseId: string, items: ReadonlyArray<Pick<UploadItem, 'deviceId' | 'tsMs' | 'version'>>, reason: string, nowMs: number): void;
  /** Give leased items back (attempts ran out); they stay pending for the next run. */
  release(leaseId: string, items: ReadonlyArray<Pick<UploadItem, 'deviceId' | 'tsMs'>>): void;
  /** Pending items (of `deviceId`, else all), the oldest one's tsMs, and how many are leased at `nowMs` (epoch ms). */
  backlog(nowMs: number, deviceId?: string): Backlog;
  /**
   * Items (of `deviceId`, from `sinceTsMs`) whose lease is still held at `nowMs` (epoch ms): another
   * uploader is sending them, or a killed one left them until its lease expires. `untilMs` is when the
   * last of those leases expires (epoch ms); absent when none is held.
   */
  heldLeases(nowMs: number, options?: { sinceTsMs?: number; deviceId?: string }): { items: number; untilMs?: number };
}
