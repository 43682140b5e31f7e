/**
 * DynamoDB adapter of the builder's `SampleSource` port (@aws-sdk/client-dynamodb v3, `Query` only,
 * never `Scan`). Items follow `dynamodb-item.ts`; the change cursor follows `item-cursor.ts`.
 *
 * - `listSeries`: GetItem of the device's catalogue item (`tsMs = 0`), read once per instance and device
 *   (the core asks per window): create one source per run.
 * - `readRange`: Query `deviceId = :d AND tsMs BETWEEN :from AND :to`, paginated by LastEvaluatedKey.
 * - `readSince`: Query `deviceId = :d AND tsMs > :after` (after = the cursor's high, or high − lookback
 *   when a sweep is due), paginated; answers `cursorExpired` per `expiryReason`.
 * - Every request asks `ReturnConsumedCapacity: TOTAL`; `stats()` sums items read (ScannedCount),
 *   capacity units and requests, for the run report.
 * - SDK errors become `SourceError` with the table and device.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
 */
import { GetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { ChangeBatch, Clock, SampleSource } from '../builder/ports.js';
import type { Sample, SeriesInfo } from '../builder/types.js';
import { backfillFromMs, CATALOG_TS_MS, catalogToSeries, itemToSamples, PARTITION_KEY, SORT_KEY, type DecodedItem } from './dynamodb-item.js';
import { decodeCursor, DEFAULT_CURSOR_POLICY, encodeCursor, expiryReason, foldItems, initialCursor, isSweepDue, type CursorPolicy } from './item-cursor.js';

/** An item as the SDK returns it. */
type DynamoItem = Record<string, AttributeValue>;

/** A DynamoDB read failed. */
export class SourceError extends Error {
  constructor(readonly table: string, readonly deviceId: string, message: string, options?: ErrorOptions) {
    super(`${table} ${deviceId}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** Read totals since construction (or the last `resetStats`). `consumedRcu` in read capacity units. */
export interface SourceStats {
  itemsRead: number;
  consumedRcu: number;
  requests: number;
}

export interface DynamoDbSourceOptions extends Partial<CursorPolicy> {
  /**
   * Strongly consistent reads (2× the RCU of eventual ones). Default false (issue 14's cost): an item
   * an eventually consistent read did not yet see is either newer than every item it saw (the next
   * run's `tsMs > highTsMs` query reads it) or older (the lookback sweep, every `sweepEveryMs`, hands
   * it over then, as it does for the uploader's out-of-order batches): it reaches the snapshots at most
   * one sweep late, never twice and never lost. `true` for callers that must see every acknowledged item at once.
   */
  consistentRead?: boolean;
  /** Query `Limit` per page (items). Default 1000. */
  pageItems?: number;
  /** Samples per chunk yielded by `readRange`. Default 20 000. */
  chunkSamples?: number;
}

/** Per-series columns of a range read: about 16 bytes per sample. */
class SeriesColumns {
  tsMs: number[] = [];
  values: number[] = [];
}

export class DynamoDbSource implements SampleSource {
  private readonly policy: CursorPolicy;
  private totals: SourceStats = { itemsRead: 0, consumedRcu: 0, requests: 0 };

  constructor(readonly client: DynamoDBClient, readonly table: string, private readonly clock: Clock, private readonly options: DynamoDbSourceOptions = {}) {
    this.policy = {
      lookbackMs: options.lookbackMs ?? DEFAULT_CURSOR_POLICY.lookbackMs,
      sweepEveryMs: options.sweepEveryMs ?? DEFAULT_CURSOR_POLICY.sweepEveryMs,
      fullEveryMs: options.fullEveryMs ?? DEFAULT_CURSOR_POLICY.fullEveryMs,
    };
  }

  stats(): SourceStats {
    return { ...this.totals };
  }
  resetStats(): void {
    this.totals = { itemsRead: 0, consumedRcu: 0, requests: 0 };
  }

  private async send<T extends { ConsumedCapacity?: { CapacityUnits?: number } }>(deviceId: string, run: () => Promise<T>): Promise<T> {
    let out: T;
    try {
      out = await run();
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new SourceError(this.table, deviceId, `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, { cause: err });
    }
    this.totals.requests++;
    this.totals.consumedRcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
    return out;
  }

  private readonly catalogs = new Map<string, Promise<DynamoItem | undefined>>();

  private catalog(deviceId: string): Promise<DynamoItem | undefined> {
    let item = this.catalogs.get(deviceId);
    if (!item) {
      item = this.readCatalog(deviceId);
      this.catalogs.set(deviceId, item);
      item.catch(() => this.catalogs.delete(deviceId));
    }
    return item;
  }

  private async readCatalog(deviceId: string): Promise<DynamoItem | undefined> {
    const out = await this.send(deviceId, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { [PARTITION_KEY]: { S: deviceId }, [SORT_KEY]: { N: String(CATALOG_TS_MS) } },
          ConsistentRead: this.options.consistentRead ?? false,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    if (out.Item) this.totals.itemsRead++;
    return out.Item;
  }

  /** Series from the device's catalogue item. @throws {SourceError}. */
  async listSeries(deviceId: string): Promise<SeriesInfo[]> {
    return catalogToSeries(deviceId, await this.catalog(deviceId));
  }

  /** One Query page over `condition`; items decoded in sort-key order. */
  private async page(deviceId: string, condition: string, values: Record<string, number>, start?: Record<string, never> | QueryCommandOutput['LastEvaluatedKey']) {
    const out = await this.send(deviceId, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: `#d = :d AND ${condition}`,
          ExpressionAttributeNames: { '#d': PARTITION_KEY, '#t': SORT_KEY },
          ExpressionAttributeValues: { ':d': { S: deviceId }, ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { N: String(v) }])) },
          ExclusiveStartKey: start,
          Limit: this.options.pageItems ?? 1000,
          ConsistentRead: this.options.consistentRead ?? false,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    this.totals.itemsRead += out.ScannedCount ?? out.Items?.length ?? 0;
    const items = (out.Items ?? []).map(itemToSamples).filter((d): d is DecodedItem => d !== undefined);
    return { items, next: out.LastEvaluatedKey };
  }

  /**
   * Every sample with `fromMs <= tsMs <= toMs`, grouped by series (ids in order) then time, in chunks
   * of `chunkSamples`. The whole range is read before the first chunk (memory ≈ 16 B per sample).
   * The cursor marks the newest item read, so `readSince` continues exactly after it.
   */
  async readRange(deviceId: string, fromMs: number, toMs: number): Promise<{ cursor: string; chunks: AsyncIterable<Sample[]> }> {
    const nowMs = this.clock.nowMs();
    const catalog = await this.catalog(deviceId);
    const columns = new Map<string, SeriesColumns>();
    let cursor = { ...initialCursor(), fullAtMs: nowMs, sweptAtMs: nowMs, backfillFromMs: backfillFromMs(catalog) ?? null };
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const { items, next } = await this.page(deviceId, '#t BETWEEN :from AND :to', { ':from': Math.max(fromMs, CATALOG_TS_MS + 1), ':to': toMs }, start);
      const folded = foldItems(cursor, items, this.policy.lookbackMs);
      cursor = folded.cursor;
      for (const s of folded.fresh) {
        let c = columns.get(s.seriesId);
        if (!c) columns.set(s.seriesId, (c = new SeriesColumns()));
        c.tsMs.push(s.tsMs);
        c.values.push(s.value);
      }
      start = next;
    } while (start);
    const chunkSamples = this.options.chunkSamples ?? 20_000;
    async function* chunks(): AsyncIterable<Sample[]> {
      for (const seriesId of [...columns.keys()].sort()) {
        const c = columns.get(seriesId)!;
        for (let i = 0; i < c.tsMs.length; i += chunkSamples) {
          const end = Math.min(i + chunkSamples, c.tsMs.length);
          const chunk: Sample[] = [];
          for (let j = i; j < end; j++) chunk.push({ seriesId, tsMs: c.tsMs[j], value: c.values[j] });
          yield chunk;
        }
      }
    }
    return { cursor: encodeCursor(cursor), chunks: chunks() };
  }

  /**
   * Samples not yet handed over since `cursor`, at most `limit` (whole items; one item may exceed it
   * when it alone does), ordered by time. `undefined` cursor, a changed backfill marker or a full read
   * older than `fullEveryMs` answer `cursorExpired: true`.
   * @throws {CursorError} for a cursor this source did not produce; {SourceError} for read failures.
   */
  async readSince(deviceId: string, cursorText: string | undefined, limit: number): Promise<ChangeBatch> {
    const nowMs = this.clock.nowMs();
    if (cursorText === undefined) return { samples: [], cursor: encodeCursor(initialCursor()), hasMore: false, cursorExpired: true };
    let cursor = decodeCursor(cursorText);
    const catalog = await this.catalog(deviceId);
    if (expiryReason(cursor, nowMs, backfillFromMs(catalog), this.policy)) return { samples: [], cursor: cursorText, hasMore: false, cursorExpired: true };
    const sweeping = isSweepDue(cursor, nowMs, this.policy);
    const after = sweeping ? Math.max(cursor.highTsMs - this.policy.lookbackMs, CATALOG_TS_MS) : cursor.highTsMs;
    const samples: Sample[] = [];
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const { items, next } = await this.page(deviceId, '#t > :after', { ':after': after }, start);
      for (const item of items) {
        if (samples.length > 0 && samples.length + item.samples.length > limit) {
          return { samples, cursor: encodeCursor(cursor), hasMore: true, cursorExpired: false };
        }
        const folded = foldItems(cursor, [item], this.policy.lookbackMs);
        cursor = folded.cursor;
        samples.push(...folded.fresh);
      }
      start = next;
    } while (start);
    if (sweeping) cursor = { ...cursor, sweptAtMs: nowMs };
    return { samples, cursor: encodeCursor(cursor), hasMore: false, cursorExpired: false };
  }

  /** Nothing to forget: DynamoDB keeps items (its TTL governs). */
  async release(_deviceId: string, _cursor: string): Promise<void> {}
}
