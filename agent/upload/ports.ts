/**
 * Ports of the uploader policy (`uploader.ts`) beyond `UploadQueue`: the item sink (adapter
 * `aws/dynamodb-sink.ts`) and the durable counters shown by `sensorctl status` (adapter
 * `sqlite/sqlite-upload-queue.ts`). The sink owns the wire format; the policy only sees upload items,
 * catalogues, core keys and `UploadError`s.
 */
import type { SeriesInfo } from '../../builder/types.js';
import type { UploadItem, UploadQueue } from '../buffer/ports.js';

/**
 * Most items one `ItemSink.writeBatch` call takes: DynamoDB BatchWriteItem's limit of 25 put
 * requests. The config (`cloud.batchItems`) and the uploader (`batchItems`) are bounded by it.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
export const MAX_BATCH_ITEMS = 25;

/**
 * The cloud builder's re-read tail, 1 h: each run of its change cursor re-reads the hour behind the
 * newest item it folded (`aws/item-cursor.ts` takes its default `lookbackMs` from here), so an item
 * that lands at most this far behind the newest item already written is still seen. An item older
 * than that is "late": the uploader notes it and sets the catalogue's `backfillFromMs` (docs/uploader.md,
 * "Late items and the backfill marker"). If the Lambda's `LOOKBACK_MS` is lowered, lower the
 * uploader's `lateItemAgeMs` to match (raising it needs nothing).
 */
export const LATE_ITEM_AGE_MS = 3_600_000;

/** Key of one item in the sink: device id and sample time (integer epoch ms UTC). */
export interface ItemKey {
  deviceId: string;
  tsMs: number;
}

/** A device's series catalogue as the sink stores it: its series and the optional backfill marker. */
export interface DeviceCatalog {
  deviceId: string;
  series: readonly SeriesInfo[];
  /**
   * Oldest tsMs (integer epoch ms) of late items written since the reader's last full read, or
   * undefined for none. A put replaces the whole catalogue, so the uploader repeats the current value.
   */
  backfillFromMs?: number;
}

/**
 * An upload item in the sink's wire format (`item`, plain JSON-serialisable data), or why it can never
 * be written (`rejected`: the reason logged and stored with the rejected rows).
 */
export type SinkEncoding<TItem> = { item: TItem; rejected?: undefined } | { item?: undefined; rejected: string };

/**
 * Where items go, in the sink's own item type `TItem` (DynamoDB: an item of the samples table). The
 * policy encodes through the sink, groups up to `MAX_BATCH_ITEMS` items with distinct keys, and sends
 * them with `writeBatch`; it compares encoded catalogues by their JSON to skip unchanged ones.
 */
export interface ItemSink<TItem> {
  /** Table name, for logs and errors. */
  readonly table: string;
  /**
   * Encode one instant of a device. Pure.
   * @returns `{ rejected }` when the item can never be written (e.g. no finite value, over the size limit).
   */
  encodeSample(sample: UploadItem): SinkEncoding<TItem>;
  /**
   * Encode a device's series catalogue (keyed `{ deviceId, tsMs: 0 }`). Pure.
   * @throws {RangeError} when `backfillFromMs` is not an integer epoch ms.
   */
  encodeCatalog(catalog: DeviceCatalog): TItem;
  /**
   * Put up to `MAX_BATCH_ITEMS` items with distinct keys in one request.
   * @returns the keys the service left unprocessed (not written; everything else was).
   * @throws {TransientUploadError} throttling, 5xx, network: nothing (known) written, retry.
   * @throws {PermanentUploadError} the request is invalid (ValidationException): do not retry as is.
   * @throws {FatalUploadError} the table or account cannot be written now: stop.
   */
  writeBatch(items: readonly TItem[]): Promise<{ unprocessed: ItemKey[] }>;
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
