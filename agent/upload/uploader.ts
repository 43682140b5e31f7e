/**
 * Upload policy: drain the upload queue into an item sink (DynamoDB), oldest first, in bounded chunks.
 * Pure core over ports (`UploadLedger`, `ItemSink`, `Clock`, `MonotonicScheduler`, `Logger`): leases and
 * marks are stamped by the wall `Clock`, backoff waits run on the monotonic timers (`retry.ts`).
 *
 * Per batch: lease ≤ `batchItems` (≤ `MAX_BATCH_ITEMS`) oldest items, encode them through the sink,
 * reject what it says can never be written (no finite value, over its size limit), de-duplicate keys,
 * send one batch, ack exactly what the sink confirmed, resubmit exactly the unprocessed items with
 * exponential backoff and jitter; throttling/5xx/network errors are retried the same way; a
 * validation error is never retried: the batch is re-sent item by item so that only the offending
 * item is rejected (logged with the item). When attempts run out the rest is released (stays
 * pending) and the run stops; a fatal error (table missing, access denied) stops the run at once.
 * Up to `maxInFlight` batches are in flight; each holds its own lease, so no item is in two
 * in-flight batches, across processes too.
 *
 * Late items (docs/uploader.md, "Late items and the backfill marker"): before each write request, its
 * items older than `lateItemAgeMs` behind the newest item the sink already confirmed for the device are
 * noted durably (marker `late.<device>`: the oldest such tsMs) — the cloud builder's incremental reads
 * would never see them. When a run ends with the device's backlog drained, the
 * catalogue item is re-written with `backfillFromMs` = that oldest tsMs (made different from every
 * recent value), which makes the cloud builder re-aggregate once; then the note is cleared.
 */
import type { Clock, Logger } from '../../builder/ports.js';
import type { MonotonicScheduler } from '../sampling/ports.js';
import { retryWithBackoff } from './retry.js';
import type { Backlog, UploadItem } from '../buffer/ports.js';
import { FatalUploadError, PermanentUploadError, TransientUploadError, UnprocessedItemsError } from './errors.js';
import { LATE_ITEM_AGE_MS, MAX_BATCH_ITEMS, type CounterName, type DeviceCatalog, type ItemKey, type ItemSink, type UploadLedger } from './ports.js';

/** How many recent `backfillFromMs` values are remembered, so that a new value never repeats one of them. */
export const BACKFILL_HISTORY = 32;

/**
 * The `backfillFromMs` value to write for a backfill whose oldest late item is `oldestLateTsMs`: the
 * largest integer ≤ it that is not among `recent` values written (so the value always changes, even
 * when the same oldest tsMs recurs, and stays a lower bound of the late items). Pure.
 */
export function nextBackfillFromMs(oldestLateTsMs: number, recent: readonly number[]): number {
  const used = new Set(recent);
  let v = oldestLateTsMs;
  while (used.has(v)) v--;
  return v;
}

/** Tunables of the policy (config `cloud.*`). Times in ms. */
export interface UploaderOptions {
  /** Items per write request, 1–`MAX_BATCH_ITEMS` (25). */
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
  /** Items older than this behind the newest item the sink confirmed for their device are late (see `LATE_ITEM_AGE_MS`). */
  lateItemAgeMs: number;
}

export const DEFAULT_UPLOADER_OPTIONS: UploaderOptions = {
  batchItems: MAX_BATCH_ITEMS,
  maxInFlight: 4,
  chunkItems: 10_000,
  leaseMs: 10 * 60_000,
  attempts: 8,
  minBackoffMs: 100,
  maxBackoffMs: 20_000,
  lateItemAgeMs: LATE_ITEM_AGE_MS,
};

/** Durable marker keys (ledger markers) of the late-item bookkeeping, per device. */
export const markerKeys = (deviceId: string) => ({
  /** Newest tsMs DynamoDB confirmed for the device. */
  newest: `newest.${deviceId}`,
  /** JSON `{ fromMs, notes }`: oldest late tsMs sent since the last backfill marker; `notes` counts updates. */
  late: `late.${deviceId}`,
  /** JSON number[]: recent `backfillFromMs` values written, the last one current. */
  backfill: `backfill.${deviceId}`,
  /** JSON of the catalogue item last written. */
  catalog: `catalog.${deviceId}`,
});

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
  /** `backfillFromMs` values written to catalogue items at the end of this run, by device id. */
  backfills?: Record<string, number>;
}

export interface RunOptions {
  /** Only items with `tsMs >= sinceTsMs`. */
  sinceTsMs?: number;
  deviceId?: string;
  /** Called after every batch with the running totals (`remainingItems` estimated from the start). */
  onProgress?: (progress: { written: number; rejected: number; remainingItems: number }) => void;
}

interface Encoded<TItem> {
  source: UploadItem;
  item: TItem;
}

/** `deviceId#tsMs`: the identity of an item for de-duplication and matching unprocessed keys. */
const keyText = (key: ItemKey): string => `${key.deviceId}#${key.tsMs}`;

/**
 * Drains an upload queue into an item sink. One instance per process; see `runOnce`. `TItem` is the
 * sink's item type, opaque to the policy.
 */
export class Uploader<TItem = unknown> {
  private readonly options: UploaderOptions;
  /** Aborted by `stop()`: no more batches, no more retries. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly ledger: UploadLedger,
    private readonly sink: ItemSink<TItem>,
    private readonly clock: Clock,
    /** Timers of the backoff waits (the daemon's monotonic scheduler; virtual in tests and the soak). */
    private readonly timers: Pick<MonotonicScheduler, 'schedule'>,
    private readonly log: Logger,
    options: Partial<UploaderOptions> = {},
  ) {
    this.options = { ...DEFAULT_UPLOADER_OPTIONS, ...options };
    if (this.options.batchItems < 1 || this.options.batchItems > MAX_BATCH_ITEMS) {
      throw new RangeError(`batchItems ${this.options.batchItems}, expected 1–${MAX_BATCH_ITEMS}`);
    }
  }

  /**
   * Stop for good: a run in progress leases no more batches, and a batch waiting out a backoff gives
   * up at once (its items are released, pending for the next process), so shutdown never waits for a
   * backoff (up to `maxBackoffMs`), nor hangs on a wait whose timers no longer advance.
   */
  stop(): void {
    this.stopping.abort();
  }

  /**
   * Upload up to `chunkItems` pending items now. Never throws for upload faults: they end the run
   * and are reported in `stoppedBy` (items stay pending); counters are persisted as it goes.
   */
  async runOnce(run: RunOptions = {}): Promise<RunSummary> {
    const totals: Record<CounterName, number> = { written: 0, retried: 0, unprocessed: 0, rejected: 0, requests: 0, forcedLoss: 0, skippedTicks: 0 };
    const state = { budget: this.options.chunkItems, stoppedBy: undefined as string | undefined, catalogs: new Set<string>() };
    const backfills: Record<string, number> = {};
    const count = (delta: Partial<Record<CounterName, number>>, success = false) => {
      for (const [k, v] of Object.entries(delta)) totals[k as CounterName] += v ?? 0;
      this.ledger.record(delta, success ? { lastSuccessMs: this.clock.nowMs() } : {});
    };
    // Progress estimates the backlog from its size at the start (a count per batch would scan it).
    const startBacklog = run.onProgress ? this.ledger.backlog(this.clock.nowMs(), run.deviceId).items : 0;
    const runStartMs = this.clock.nowMs();
    const touched = new Set<string>(run.deviceId ? [run.deviceId] : []);
    const worker = async () => {
      while (state.stoppedBy === undefined && state.budget > 0 && !this.stopping.signal.aborted) {
        const want = Math.min(this.options.batchItems, state.budget);
        state.budget -= want;
        const { leaseId, items } = this.ledger.lease(want, this.options.leaseMs, this.clock.nowMs(), { sinceTsMs: run.sinceTsMs, deviceId: run.deviceId });
        state.budget += want - items.length;
        if (items.length === 0) return;
        for (const i of items) touched.add(i.deviceId);
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
      if (state.stoppedBy === undefined) {
        for (const deviceId of touched) {
          try {
            const value = await this.markBackfill(deviceId, runStartMs, count);
            if (value !== undefined) backfills[deviceId] = value;
          } catch (err) {
            if (!(err instanceof TransientUploadError || err instanceof FatalUploadError)) throw err;
            state.stoppedBy ??= (err as Error).message;
          }
        }
      }
    } finally {
      this.ledger.record({}, { lastRunMs: this.clock.nowMs(), lastError: state.stoppedBy ?? null });
    }
    if (state.stoppedBy) this.log.warn('upload run stopped early; items stay pending', { table: this.sink.table, reason: state.stoppedBy });
    const { forcedLoss: _f, skippedTicks: _s, ...counts } = totals;
    return { ...counts, remaining: this.ledger.backlog(this.clock.nowMs(), run.deviceId), stoppedBy: state.stoppedBy, backfills };
  }

  /** Encode, reject the unwritable, de-duplicate, send; ack/reject/release every leased item. */
  private async processBatch(leaseId: string, items: UploadItem[], count: (delta: Partial<Record<CounterName, number>>, success?: boolean) => void) {
    const byKey = new Map<string, Encoded<TItem>>();
    for (const source of items) {
      const encoded = this.sink.encodeSample(source);
      if (encoded.rejected !== undefined) {
        this.rejectItems(leaseId, [source], encoded.rejected, count);
        continue;
      }
      const key = keyText(source);
      const prior = byKey.get(key);
      if (!prior || prior.source.version < source.version) byKey.set(key, { source, item: encoded.item }); // one key per batch
    }
    const batch = [...byKey.values()];
    if (batch.length) await this.send(leaseId, batch, count);
  }

  /**
   * Before each write request: note the items older than `lateItemAgeMs` behind the newest item
   * DynamoDB has already confirmed for their device (marker `newest.<device>`) in the device's `late`
   * marker. Noted before the write, so a crash after it cannot lose the note.
   */
  private noteLate(items: readonly UploadItem[]) {
    for (const deviceId of new Set(items.map((i) => i.deviceId))) {
      const keys = markerKeys(deviceId);
      const times = items.filter((i) => i.deviceId === deviceId).map((i) => i.tsMs);
      this.ledger.updateMarkers([keys.newest, keys.late], (cur) => {
        if (cur[keys.newest] === undefined) return {};
        const lateTimes = times.filter((t) => t < Number(cur[keys.newest]) - this.options.lateItemAgeMs);
        if (lateTimes.length === 0) return {};
        const note = parseLateNote(cur[keys.late]);
        return { [keys.late]: JSON.stringify({ fromMs: Math.min(note?.fromMs ?? Infinity, ...lateTimes), notes: (note?.notes ?? 0) + 1 }) };
      });
    }
  }

  /** After an ack: advance each device's `newest` confirmed marker. */
  private noteConfirmed(items: readonly UploadItem[]) {
    for (const deviceId of new Set(items.map((i) => i.deviceId))) {
      const key = markerKeys(deviceId).newest;
      const newest = Math.max(...items.filter((i) => i.deviceId === deviceId).map((i) => i.tsMs));
      this.ledger.updateMarkers([key], (cur) => (cur[key] !== undefined && Number(cur[key]) >= newest ? {} : { [key]: String(newest) }));
    }
  }

  /**
   * At the end of a run: when `deviceId` has late items noted and nothing pending from before the run
   * started (the backlog is drained; items sampled during the run are live traffic), write its
   * catalogue item with a new `backfillFromMs` and clear the note (unless another process noted more
   * meanwhile). @returns the value written, or undefined when nothing was due.
   */
  private async markBackfill(deviceId: string, runStartMs: number, count: (delta: Partial<Record<CounterName, number>>) => void): Promise<number | undefined> {
    const keys = markerKeys(deviceId);
    const noteText = this.ledger.getMarker(keys.late);
    const note = parseLateNote(noteText);
    if (!note) return undefined;
    const oldest = this.ledger.backlog(this.clock.nowMs(), deviceId).oldestTsMs;
    if (oldest !== undefined && oldest <= runStartMs) {
      this.log.debug('late items uploaded; backfill marker waits for the backlog to drain', { deviceId, lateFromMs: note.fromMs, oldestPendingMs: oldest });
      return undefined;
    }
    let value = 0;
    // Record the value before writing it, so a failed or repeated attempt never reuses it.
    this.ledger.updateMarkers([keys.backfill], (cur) => {
      const recent = parseRecent(cur[keys.backfill]);
      value = nextBackfillFromMs(note.fromMs, recent);
      return { [keys.backfill]: JSON.stringify([...recent, value].slice(-BACKFILL_HISTORY)) };
    });
    const item = this.catalogItem(deviceId, value);
    await this.putCatalog(deviceId, item, count);
    this.ledger.updateMarkers([keys.late], (cur) => (cur[keys.late] === noteText ? { [keys.late]: null } : {}));
    this.log.info('backfill marker written: the cloud builder re-aggregates once', { table: this.sink.table, deviceId, backfillFromMs: value, lateFromMs: note.fromMs });
    return value;
  }

  private rejectItems(leaseId: string, items: UploadItem[], reason: string, count: (delta: Partial<Record<CounterName, number>>) => void) {
    for (const i of items) this.log.error('upload item rejected', { table: this.sink.table, deviceId: i.deviceId, tsMs: i.tsMs, reason, values: i.values });
    this.ledger.reject(leaseId, items, reason, this.clock.nowMs());
    count({ rejected: items.length });
  }

  /** One batch with retries; acks as confirmations arrive. Throws Transient (exhausted) or Fatal. */
  private async send(leaseId: string, batch: Encoded<TItem>[], count: (delta: Partial<Record<CounterName, number>>, success?: boolean) => void): Promise<void> {
    const pending = new Map(batch.map((e) => [keyText(e.source), e]));
    try {
      await retryWithBackoff(
        async () => {
          count({ requests: 1 });
          this.noteLate([...pending.values()].map((e) => e.source));
          const { unprocessed } = await this.sink.writeBatch([...pending.values()].map((e) => e.item));
          const left = new Set(unprocessed.map(keyText));
          const done = [...pending.entries()].filter(([k]) => !left.has(k));
          for (const [k] of done) pending.delete(k);
          if (done.length) {
            this.ledger.ack(leaseId, done.map(([, e]) => e.source));
            this.noteConfirmed(done.map(([, e]) => e.source));
            count({ written: done.length }, true);
          }
          if (pending.size) {
            count({ unprocessed: pending.size });
            throw new UnprocessedItemsError(this.sink.table, pending.size, pending.size + done.length);
          }
        },
        this.timers,
        {
          attempts: this.options.attempts,
          minBackoffMs: this.options.minBackoffMs,
          maxBackoffMs: this.options.maxBackoffMs,
          shouldRetry: (error) => error instanceof TransientUploadError,
          signal: this.stopping.signal,
          onRetry: ({ error, attemptNumber }) => {
            count({ retried: 1 });
            this.log.info('upload batch retrying', { table: this.sink.table, attempt: attemptNumber, items: pending.size, reason: (error as Error).message });
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
  private async ensureCatalogs(items: UploadItem[], seen: Set<string>, count: (delta: Partial<Record<CounterName, number>>) => void) {
    for (const deviceId of new Set(items.map((i) => i.deviceId))) {
      if (seen.has(deviceId)) continue;
      seen.add(deviceId);
      const keys = markerKeys(deviceId);
      // A put replaces the whole item: repeat the current backfill marker, or the builder would see it vanish.
      const current = parseRecent(this.ledger.getMarker(keys.backfill)).at(-1);
      const item = this.catalogItem(deviceId, current);
      if (this.ledger.getMarker(keys.catalog) === JSON.stringify(item)) continue;
      await this.putCatalog(deviceId, item, count).catch((err) => {
        seen.delete(deviceId);
        throw err;
      });
    }
  }

  /** The device's catalogue in the sink's format: its series from the ledger and `backfillFromMs` when given. */
  private catalogItem(deviceId: string, backfillFromMs: number | undefined): TItem {
    const catalog: DeviceCatalog = { deviceId, series: this.ledger.listSeries(deviceId), ...(backfillFromMs === undefined ? {} : { backfillFromMs }) };
    return this.sink.encodeCatalog(catalog);
  }

  /** Put one catalogue item with retries; remember it (marker) once written. Throws Transient (exhausted) or Fatal. */
  private async putCatalog(deviceId: string, item: TItem, count: (delta: Partial<Record<CounterName, number>>) => void) {
    const written = await retryWithBackoff(
      async () => {
        count({ requests: 1 });
        const { unprocessed } = await this.sink.writeBatch([item]);
        if (unprocessed.length) throw new UnprocessedItemsError(this.sink.table, 1, 1);
        return true;
      },
      this.timers,
      {
        attempts: this.options.attempts,
        minBackoffMs: this.options.minBackoffMs,
        maxBackoffMs: this.options.maxBackoffMs,
        shouldRetry: (error) => error instanceof TransientUploadError,
        signal: this.stopping.signal,
        onRetry: () => count({ retried: 1 }),
      },
    ).catch((err) => {
      if (!(err instanceof PermanentUploadError)) throw err;
      this.log.error('series catalogue rejected', { table: this.sink.table, deviceId, reason: err.message });
      return false;
    });
    this.ledger.setMarker(markerKeys(deviceId).catalog, JSON.stringify(item));
    return written;
  }
}

/** Parse a `late.<device>` marker; undefined when absent or unreadable. */
function parseLateNote(text: string | undefined): { fromMs: number; notes: number } | undefined {
  if (text === undefined) return undefined;
  try {
    const n = JSON.parse(text) as { fromMs?: unknown; notes?: unknown };
    return Number.isSafeInteger(n.fromMs) ? { fromMs: n.fromMs as number, notes: Number(n.notes) || 0 } : undefined;
  } catch {
    return undefined;
  }
}

/** Parse a `backfill.<device>` marker (recent values, last current); [] when absent or unreadable. */
function parseRecent(text: string | undefined): number[] {
  if (text === undefined) return [];
  try {
    const a = JSON.parse(text) as unknown;
    return Array.isArray(a) ? a.filter((v): v is number => Number.isSafeInteger(v)) : [];
  } catch {
    return [];
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
