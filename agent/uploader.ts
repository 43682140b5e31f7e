/**
 * Upload policy: drain the upload queue into DynamoDB, oldest first, in bounded chunks. Pure core
 * over ports (`UploadLedger`, `ItemSink`, `Clock`, `Logger`); backoff waits come from p-retry.
 *
 * Per batch: lease ≤ `batchItems` (≤ 25) oldest items, encode (`cloud/table.ts`), reject what can
 * never be written (no finite value, over `MAX_ITEM_BYTES`), de-duplicate keys, send one
 * BatchWriteItem, ack exactly what DynamoDB confirmed, resubmit exactly the `UnprocessedItems` with
 * exponential backoff and jitter; throttling/5xx/network errors are retried the same way; a
 * validation error is never retried: the batch is re-sent item by item so that only the offending
 * item is rejected (logged with the item). When attempts run out the rest is released (stays
 * pending) and the run stops; a fatal error (table missing, access denied) stops the run at once.
 * Up to `maxInFlight` batches are in flight; each holds its own lease, so no item is in two
 * in-flight batches, across processes too.
 */
import pRetry from 'p-retry';
import type { Clock, Logger } from '../builder/ports.js';
import {
  encodeCatalogItem,
  encodeSampleItem,
  itemSizeBytes,
  keyString,
  MAX_BATCH_ITEMS,
  MAX_ITEM_BYTES,
  type Item,
} from '../cloud/table.js';
import type { Backlog, UploadItem } from './ports.js';
import { FatalUploadError, PermanentUploadError, TransientUploadError, UnprocessedItemsError } from './upload-errors.js';
import type { CounterName, ItemSink, UploadLedger } from './upload-ports.js';

/** Tunables of the policy (config `cloud.*`). Times in ms. */
export interface UploaderOptions {
  /** Items per BatchWriteItem, 1–25. */
  batchItems: number;
  /** Batches in flight at once. */
  maxInFlight: number;
  /** Items per run at most (a long backlog drains over several runs). */
  chunkItems: number;
  /** Lease length; must exceed the longest a batch can take with all its retries. */
  leaseMs: number;
  /** Attempts per batch (first send included) before its items are released. */
  attempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_UPLOADER_OPTIONS: UploaderOptions = {
  batchItems: MAX_BATCH_ITEMS,
  maxInFlight: 4,
  chunkItems: 10_000,
  leaseMs: 10 * 60_000,
  attempts: 8,
  minBackoffMs: 100,
  maxBackoffMs: 20_000,
};

/** What one run did. Counts are items, except `retried` (attempts) and `requests`. */
export interface RunSummary {
  written: number;
  retried: number;
  unprocessed: number;
  rejected: number;
  requests: number;
  /** Backlog left after the run (of the run's device filter). */
  remaining: Backlog;
  /** Why the run stopped before the backlog (or its chunk) was done; undefined when it was not cut short. */
  stoppedBy?: string;
}

export interface RunOptions {
  /** Only items with `tsMs >= sinceTsMs`. */
  sinceTsMs?: number;
  deviceId?: string;
  /** Called after every batch with the running totals (`remainingItems` estimated from the start). */
  onProgress?: (progress: { written: number; rejected: number; remainingItems: number }) => void;
}

interface Encoded {
  source: UploadItem;
  item: Item;
}

/** Drains an upload queue into an item sink. One instance per process; see `runOnce`. */
export class Uploader {
  private readonly options: UploaderOptions;

  constructor(
    private readonly ledger: UploadLedger,
    private readonly sink: ItemSink,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<UploaderOptions> = {},
  ) {
    this.options = { ...DEFAULT_UPLOADER_OPTIONS, ...options };
    if (this.options.batchItems < 1 || this.options.batchItems > MAX_BATCH_ITEMS) {
      throw new RangeError(`batchItems ${this.options.batchItems}, expected 1–${MAX_BATCH_ITEMS}`);
    }
  }

  /**
   * Upload up to `chunkItems` pending items now. Never throws for upload faults: they end the run
   * and are reported in `stoppedBy` (items stay pending); counters are persisted as it goes.
   */
  async runOnce(run: RunOptions = {}): Promise<RunSummary> {
    const totals: Record<CounterName, number> = { written: 0, retried: 0, unprocessed: 0, rejected: 0, requests: 0, forcedLoss: 0, skippedTicks: 0 };
    const state = { budget: this.options.chunkItems, stoppedBy: undefined as string | undefined, catalogs: new Set<string>() };
    const count = (delta: Partial<Record<CounterName, number>>, success = false) => {
      for (const [k, v] of Object.entries(delta)) totals[k as CounterName] += v ?? 0;
      this.ledger.record(delta, success ? { lastSuccessMs: this.clock.nowMs() } : {});
    };
    // Progress estimates the backlog from its size at the start (a count per batch would scan it).
    const startBacklog = run.onProgress ? this.ledger.backlog(run.deviceId).items : 0;
    const worker = async () => {
      while (state.stoppedBy === undefined && state.budget > 0) {
        const want = Math.min(this.options.batchItems, state.budget);
        state.budget -= want;
        const { leaseId, items } = this.ledger.lease(want, this.options.leaseMs, this.clock.nowMs(), { sinceTsMs: run.sinceTsMs, deviceId: run.deviceId });
        state.budget += want - items.length;
        if (items.length === 0) return;
        try {
          await this.ensureCatalogs(items, state.catalogs, count);
          await this.processBatch(leaseId, items, count);
        } catch (err) {
          this.ledger.release(leaseId, items);
          state.stoppedBy ??= (err as Error).message;
          if (!(err instanceof TransientUploadError || err instanceof FatalUploadError)) throw err;
        }
        run.onProgress?.({ written: totals.written, rejected: totals.rejected, remainingItems: Math.max(0, startBacklog - totals.written - totals.rejected) });
      }
    };
    try {
      await Promise.all(Array.from({ length: this.options.maxInFlight }, worker));
    } finally {
      this.ledger.record({}, { lastRunMs: this.clock.nowMs(), lastError: state.stoppedBy ?? null });
    }
    if (state.stoppedBy) this.log.warn('upload run stopped early; items stay pending', { table: this.sink.table, reason: state.stoppedBy });
    const { forcedLoss: _f, skippedTicks: _s, ...counts } = totals;
    return { ...counts, remaining: this.ledger.backlog(run.deviceId), stoppedBy: state.stoppedBy };
  }

  /** Encode, reject the unwritable, de-duplicate, send; ack/reject/release every leased item. */
  private async processBatch(leaseId: string, items: UploadItem[], count: (d: Partial<Record<CounterName, number>>, success?: boolean) => void) {
    const byKey = new Map<string, Encoded>();
    for (const source of items) {
      const { item, valueCount } = encodeSampleItem(source.deviceId, source.tsMs, source.values);
      const bytes = itemSizeBytes(item);
      const reason = valueCount === 0 ? 'no finite value at this instant' : bytes > MAX_ITEM_BYTES ? `item is ${bytes} bytes, over the ${MAX_ITEM_BYTES}-byte limit` : undefined;
      if (reason) {
        this.rejectItems(leaseId, [source], reason, count);
        continue;
      }
      const key = keyString(source);
      const prior = byKey.get(key);
      if (!prior || prior.source.version < source.version) byKey.set(key, { source, item }); // one key per batch
    }
    const batch = [...byKey.values()];
    if (batch.length) await this.send(leaseId, batch, count);
  }

  private rejectItems(leaseId: string, items: UploadItem[], reason: string, count: (d: Partial<Record<CounterName, number>>) => void) {
    for (const i of items) this.log.error('upload item rejected', { table: this.sink.table, deviceId: i.deviceId, tsMs: i.tsMs, reason, values: i.values });
    this.ledger.reject(leaseId, items, reason);
    count({ rejected: items.length });
  }

  /** One batch with retries; acks as confirmations arrive. Throws Transient (exhausted) or Fatal. */
  private async send(leaseId: string, batch: Encoded[], count: (d: Partial<Record<CounterName, number>>, success?: boolean) => void): Promise<void> {
    const pending = new Map(batch.map((e) => [keyString(e.source), e]));
    try {
      await pRetry(
        async () => {
          count({ requests: 1 });
          const { unprocessed } = await this.sink.writeBatch([...pending.values()].map((e) => e.item));
          const left = new Set(unprocessed.map(keyString));
          const done = [...pending.entries()].filter(([k]) => !left.has(k));
          for (const [k] of done) pending.delete(k);
          if (done.length) {
            this.ledger.ack(leaseId, done.map(([, e]) => e.source));
            count({ written: done.length }, true);
          }
          if (pending.size) {
            count({ unprocessed: pending.size });
            throw new UnprocessedItemsError(this.sink.table, pending.size, pending.size + done.length);
          }
        },
        {
          retries: this.options.attempts - 1,
          factor: 2,
          minTimeout: this.options.minBackoffMs,
          maxTimeout: this.options.maxBackoffMs,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof TransientUploadError,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (!(error instanceof TransientUploadError) || retriesLeft === 0) return;
            count({ retried: 1 });
            this.log.info('upload batch retrying', { table: this.sink.table, attempt: attemptNumber, items: pending.size, reason: error.message });
          },
        },
      );
    } catch (err) {
      if (!(err instanceof PermanentUploadError)) throw err;
      const rest = [...pending.values()];
      if (rest.length === 1) return this.rejectItems(leaseId, [rest[0].source], err.message, count);
      // Which item is invalid is not said: send them one by one so only the bad ones are rejected.
      for (const e of rest) await this.send(leaseId, [e], count);
    }
  }

  /** Upload the series catalogue of each device in `items` when it changed since the last upload. */
  private async ensureCatalogs(items: UploadItem[], seen: Set<string>, count: (d: Partial<Record<CounterName, number>>) => void) {
    for (const deviceId of new Set(items.map((i) => i.deviceId))) {
      if (seen.has(deviceId)) continue;
      seen.add(deviceId);
      const item = encodeCatalogItem(deviceId, this.ledger.listSeries(deviceId));
      const text = JSON.stringify(item);
      const marker = `catalog.${deviceId}`;
      if (this.ledger.getMarker(marker) === text) continue;
      await pRetry(
        async () => {
          count({ requests: 1 });
          const { unprocessed } = await this.sink.writeBatch([item]);
          if (unprocessed.length) throw new UnprocessedItemsError(this.sink.table, 1, 1);
        },
        {
          retries: this.options.attempts - 1,
          minTimeout: this.options.minBackoffMs,
          maxTimeout: this.options.maxBackoffMs,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof TransientUploadError,
          onFailedAttempt: ({ error, retriesLeft }) => {
            if (error instanceof TransientUploadError && retriesLeft > 0) count({ retried: 1 });
          },
        },
      ).catch((err) => {
        if (err instanceof PermanentUploadError) return this.log.error('series catalogue rejected', { table: this.sink.table, deviceId, reason: err.message });
        seen.delete(deviceId);
        throw err;
      });
      this.ledger.setMarker(marker, text);
    }
  }
}

/**
 * Wrap a run so that a call while the previous one is still going is skipped (returns `false`),
 * logged and counted through `onSkip`. The scheduler adapter calls it on every tick.
 */
export function nonOverlapping(run: () => Promise<unknown>, log: Logger, onSkip: () => void = () => {}): () => Promise<boolean> {
  let running = false;
  return async () => {
    if (running) {
      log.warn('upload run still going; tick skipped');
      onSkip();
      return false;
    }
    running = true;
    try {
      await run();
      return true;
    } finally {
      running = false;
    }
  };
}
