/**
 * Ports of the uploader policy (`uploader.ts`) beyond `UploadQueue`: the DynamoDB sink and the
 * durable counters shown by `sensorctl status`. Adapters: `dynamodb-sink.ts`, `sqlite-upload-queue.ts`.
 */
import type { SeriesInfo } from '../../builder/types.js';
import type { Item, ItemKey } from '../../aws/dynamodb-item.js';
import type { UploadQueue } from '../buffer/ports.js';

/** Where items go: one `BatchWriteItem` per call. */
export interface ItemSink {
  /** Table name, for logs and errors. */
  readonly table: string;
  /**
   * Put up to 25 items with distinct keys in one request.
   * @returns the keys DynamoDB answered in `UnprocessedItems` (not written; everything else was).
   * @throws {TransientUploadError} throttling, 5xx, network: nothing (known) written, retry.
   * @throws {PermanentUploadError} the request is invalid (ValidationException): do not retry as is.
   * @throws {FatalUploadError} the table or account cannot be written now: stop.
   */
  writeBatch(items: readonly Item[]): Promise<{ unprocessed: ItemKey[] }>;
}

/** Cumulative upload counters (items unless said otherwise), persisted across restarts. */
export interface UploadCounters {
  /** Items DynamoDB confirmed written. */
  written: number;
  /** Retry attempts (a whole or partial batch sent again). */
  retried: number;
  /** Items answered in `UnprocessedItems` (each time they came back). */
  unprocessed: number;
  /** Items rejected for good (validation error, oversized, no finite value). */
  rejected: number;
  /** BatchWriteItem requests sent. */
  requests: number;
  /** Pending items dropped unsent because retention was forced to delete them (disk or 365 days). */
  forcedLoss: number;
  /** Scheduled ticks skipped because the previous run was still going. */
  skippedTicks: number;
  /** Epoch ms of the last run that confirmed at least one item; undefined before the first. */
  lastSuccessMs?: number;
  /** Epoch ms of the last run's end. */
  lastRunMs?: number;
  /** Message of the last run's failure (cleared by a clean run). */
  lastError?: string;
}

export type CounterName = 'written' | 'retried' | 'unprocessed' | 'rejected' | 'requests' | 'forcedLoss' | 'skippedTicks';

/** The queue plus what the uploader keeps beside it. */
export interface UploadLedger extends UploadQueue {
  counters(): UploadCounters;
  /** Add to counters and set marks in one transaction (`lastError: null` clears it). */
  record(delta: Partial<Record<CounterName, number>>, marks?: { lastSuccessMs?: number; lastRunMs?: number; lastError?: string | null }): void;
  /** Small durable markers (e.g. the catalogue last uploaded per device). */
  getMarker(key: string): string | undefined;
  setMarker(key: string, value: string): void;
  /**
   * Read-modify-write markers in one transaction (safe across processes on one database): `update`
   * gets the current values of `keys` (undefined = absent) and returns the changes (`null` deletes).
   * `update` must be pure: it may run again when the transaction is retried on a busy database.
   */
  updateMarkers(keys: readonly string[], update: (current: Record<string, string | undefined>) => Record<string, string | null>): void;
  /** Series of a device, for its catalogue item. */
  listSeries(deviceId: string): SeriesInfo[];
}
