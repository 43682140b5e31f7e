/**
 * The samples table in DynamoDB: key schema, attribute names, the one encoder (the Pi's uploader
 * writes with it) and the one decoder (the cloud's `DynamoDbSource` reads with it), and item size
 * rules. Pure wire format: no SDK import; items are DynamoDB `AttributeValue` maps written as plain
 * objects (`{ S }`, `{ N }`, `{ M }`), and the decoder also takes the SDK's own item type.
 *
 * One item per (device, instant):
 * | attribute       | type | meaning |
 * |-----------------|------|---------|
 * | `deviceId`      | S    | partition key: the device id (`ID_PATTERN`) |
 * | `tsMs`          | N    | sort key: sample time, integer epoch ms UTC (≥ 1) |
 * | `schemaVersion` | N    | item format version, `ITEM_SCHEMA_VERSION` |
 * | `v`             | M    | seriesId → N: every finite value stored at that instant, canonical unit |
 *
 * Series metadata (metric, unit, kind, sensor) lives once per device in the catalogue item at
 * `tsMs = CATALOG_TS_MS` (0): `{ deviceId, tsMs: 0, schemaVersion, series: M(seriesId → M{ sensorId,
 * metric, unit, kind }), backfillFromMs?: N }`. Sample queries use `tsMs >= 1`, so they never see it.
 * The catalogue item also carries `entity: "catalog"` (S), the partition key of the sparse global
 * secondary index `DEVICE_INDEX_NAME` (sort key `deviceId`, keys only): sample items lack the attribute,
 * so the index holds one entry per device and the cloud discovers its fleet with one Query
 * (`dynamodb-devices.ts`) instead of a Scan. The uploader re-writes a catalogue whose encoding changed,
 * so devices written before the attribute existed join the index at their next upload.
 * `backfillFromMs`, when present, is the oldest tsMs of a backlog the uploader sent out of time order
 * (docs/cloud-builder.md, "Late data"); absent means none.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
import { SERIES_KINDS, type SeriesKind } from '../builder/constants.js';
import type { Sample, SeriesInfo } from '../builder/types.js';

export const PARTITION_KEY = 'deviceId';
export const SORT_KEY = 'tsMs';
export const SCHEMA_VERSION_ATTRIBUTE = 'schemaVersion';
export const VALUES_ATTRIBUTE = 'v';
export const SERIES_ATTRIBUTE = 'series';
/**
 * Optional catalogue attribute (N): the oldest tsMs of late items the uploader wrote (older than the
 * cloud builder's re-read tail). A value different from the one the builder saw at its last full read
 * makes it re-aggregate in full (docs/cloud-builder.md, "Late data"; docs/uploader.md).
 */
export const BACKFILL_ATTRIBUTE = 'backfillFromMs';
/** Attribute set only on catalogue items: the partition key of the device index. */
export const ENTITY_ATTRIBUTE = 'entity';
/** `ENTITY_ATTRIBUTE` value of a catalogue item (the device index's only partition). */
export const CATALOG_ENTITY = 'catalog';
/** Sparse GSI of the catalogue items: partition `entity`, sort `deviceId`, keys-only projection. */
export const DEVICE_INDEX_NAME = 'devices';
/** Current item format. */
export const ITEM_SCHEMA_VERSION = 1;
/** Sort key of the per-device series catalogue item. Real samples have `tsMs >= 1`. */
export const CATALOG_TS_MS = 0;
/**
 * Largest item the uploader sends, in bytes as DynamoDB counts them. Items above it are rejected
 * (permanently, logged with the item): one write request unit covers 1 KB, so every item costs 1 WCU.
 */
export const MAX_ITEM_BYTES = 1024;

/** DynamoDB attribute value, as the wire protocol spells it (the subset the encoder writes). */
export type AttributeValue = { S: string } | { N: string } | { M: Record<string, AttributeValue> };
/** An item as the encoder writes it. */
export type Item = Record<string, AttributeValue>;

/**
 * An attribute value as read back: any DynamoDB attribute value, of which the decoder looks at `S`,
 * `N` and `M` only. Both `AttributeValue` and the SDK's `AttributeValue` fit it.
 */
export interface StoredAttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly M?: Readonly<Record<string, StoredAttributeValue>>;
}
/** An item as read back (Query/GetItem output, or an `Item` of the encoder). */
export type StoredItem = Readonly<Record<string, StoredAttributeValue>>;

/** The `KeySchema`/`AttributeDefinitions` of the table (CreateTable), on-demand billing. */
export const TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: PARTITION_KEY, AttributeType: 'S' },
    { AttributeName: SORT_KEY, AttributeType: 'N' },
    { AttributeName: ENTITY_ATTRIBUTE, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
    { AttributeName: SORT_KEY, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: DEVICE_INDEX_NAME,
      KeySchema: [
        { AttributeName: ENTITY_ATTRIBUTE, KeyType: 'HASH' },
        { AttributeName: PARTITION_KEY, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const;

/** `TABLE_DEFINITION` as a mutable CreateTable input for `tableName` (the SDK's types want mutable arrays). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: TABLE_DEFINITION.BillingMode,
    AttributeDefinitions: TABLE_DEFINITION.AttributeDefinitions.map((a) => ({ ...a })),
    KeySchema: TABLE_DEFINITION.KeySchema.map((k) => ({ ...k })),
    GlobalSecondaryIndexes: TABLE_DEFINITION.GlobalSecondaryIndexes.map((i) => ({ ...i, KeySchema: i.KeySchema.map((k) => ({ ...k })), Projection: { ...i.Projection } })),
  };
}

/**
 * Encode one instant of a device as an item. Non-finite values (NaN, ±Infinity) are omitted, never
 * sent as strings or zeros; series are written in id order.
 * @returns the item and how many values it carries (0 means there is nothing to store).
 */
export function encodeSampleItem(deviceId: string, tsMs: number, values: Readonly<Record<string, number>>): { item: Item; valueCount: number } {
  const v: Record<string, AttributeValue> = {};
  let valueCount = 0;
  for (const seriesId of Object.keys(values).sort()) {
    const value = values[seriesId];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    v[seriesId] = { N: numberText(value) };
    valueCount++;
  }
  return {
    item: {
      [PARTITION_KEY]: { S: deviceId },
      [SORT_KEY]: { N: String(tsMs) },
      [SCHEMA_VERSION_ATTRIBUTE]: { N: String(ITEM_SCHEMA_VERSION) },
      [VALUES_ATTRIBUTE]: { M: v },
    },
    valueCount,
  };
}

/** A number as DynamoDB N text: shortest round-trip decimal, `-0` as `0`. */
function numberText(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

/**
 * The catalogue item of a device: its series' sensor, metric, unit and kind, and — when given — the
 * `backfillFromMs` marker (integer epoch ms; see `BACKFILL_ATTRIBUTE`). The uploader always repeats the
 * last marker it wrote, because a put replaces the whole item.
 * @throws {RangeError} when `backfillFromMs` is not a safe integer.
 */
export function encodeCatalogItem(deviceId: string, series: readonly SeriesInfo[], backfillFromMs?: number): Item {
  if (backfillFromMs !== undefined && !Number.isSafeInteger(backfillFromMs)) {
    throw new RangeError(`backfillFromMs ${backfillFromMs}: expected an integer epoch ms`);
  }
  const bySeries: Record<string, AttributeValue> = {};
  for (const info of [...series].sort((a, b) => a.seriesId.localeCompare(b.seriesId))) {
    bySeries[info.seriesId] = { M: { sensorId: { S: info.sensorId }, metric: { S: info.metric }, unit: { S: info.unit }, kind: { S: info.kind } } };
  }
  return {
    [PARTITION_KEY]: { S: deviceId },
    [SORT_KEY]: { N: String(CATALOG_TS_MS) },
    [SCHEMA_VERSION_ATTRIBUTE]: { N: String(ITEM_SCHEMA_VERSION) },
    [SERIES_ATTRIBUTE]: { M: bySeries },
    [ENTITY_ATTRIBUTE]: { S: CATALOG_ENTITY },
    ...(backfillFromMs === undefined ? {} : { [BACKFILL_ATTRIBUTE]: { N: String(backfillFromMs) } }),
  };
}

/** A sample item decoded: its instant (epoch ms) and one `Sample` per finite numeric value, by series id. */
export interface DecodedItem {
  tsMs: number;
  samples: Sample[];
}

/**
 * Decode a sample item; `undefined` for anything else (the catalogue item, a foreign item). Values
 * that are not finite numbers are skipped (never stored as NaN); samples come in series id order.
 */
export function itemToSamples(item: StoredItem): DecodedItem | undefined {
  const tsText = item[SORT_KEY]?.N;
  const values = item[VALUES_ATTRIBUTE]?.M;
  if (tsText === undefined || values === undefined) return undefined;
  const tsMs = Number(tsText);
  if (!Number.isSafeInteger(tsMs) || tsMs <= CATALOG_TS_MS) return undefined;
  const samples: Sample[] = [];
  for (const seriesId of Object.keys(values).sort()) {
    const text = values[seriesId]?.N;
    const value = text === undefined ? NaN : Number(text);
    if (Number.isFinite(value)) samples.push({ seriesId, tsMs, value });
  }
  return { tsMs, samples };
}

const textOf = (map: Readonly<Record<string, StoredAttributeValue>> | undefined, key: string): string => map?.[key]?.S ?? '';

/**
 * Series of `deviceId` described by its catalogue item, in series id order (empty when the item is
 * absent or has none). Unknown kinds read as `gauge`.
 */
export function catalogToSeries(deviceId: string, item: StoredItem | undefined): SeriesInfo[] {
  const series = item?.[SERIES_ATTRIBUTE]?.M ?? {};
  return Object.keys(series)
    .sort()
    .map((seriesId) => {
      const fields = series[seriesId]?.M;
      const kind = textOf(fields, 'kind');
      return {
        deviceId,
        seriesId,
        sensorId: textOf(fields, 'sensorId'),
        metric: textOf(fields, 'metric'),
        unit: textOf(fields, 'unit'),
        kind: (SERIES_KINDS as readonly string[]).includes(kind) ? (kind as SeriesKind) : 'gauge',
      };
    });
}

/** The catalogue item's `backfillFromMs` (epoch ms), or `undefined` when the uploader set none. */
export function backfillFromMs(item: StoredItem | undefined): number | undefined {
  const text = item?.[BACKFILL_ATTRIBUTE]?.N;
  return text === undefined ? undefined : Number(text);
}

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Size of a number as DynamoDB stores it: about 1 byte per 2 significant digits, plus 1. */
function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueBytes(av: AttributeValue): number {
  if ('S' in av) return utf8Bytes(av.S);
  if ('N' in av) return numberBytes(av.N);
  // A map: 3 bytes overhead, plus 1 byte, the name and the value per element.
  return 3 + Object.entries(av.M).reduce((n, [k, v]) => n + 1 + utf8Bytes(k) + valueBytes(v), 0);
}

/**
 * Item size in bytes as DynamoDB bills it (attribute name UTF-8 lengths plus value sizes; numbers
 * ≈ significant digits / 2 + 1; maps 3 bytes + 1 per element). One write request unit per started KB.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemSizeBytes(item: Item): number {
  return Object.entries(item).reduce((n, [k, v]) => n + utf8Bytes(k) + valueBytes(v), 0);
}

/** Write request units one standard PutRequest of `item` costs (on-demand: 1 WRU per started KB). */
export const writeUnitsOf = (item: Item): number => Math.max(1, Math.ceil(itemSizeBytes(item) / 1024));
