/**
 * The samples table in DynamoDB: key schema, item format and item size rules, shared by the Pi's
 * uploader (writer) and the cloud builder (reader). Pure: no SDK import; items are DynamoDB
 * `AttributeValue` maps written as plain objects (`{ S }`, `{ N }`, `{ M }`).
 *
 * One item per (device, instant):
 * | attribute       | type | meaning |
 * |-----------------|------|---------|
 * | `deviceId`      | S    | partition key: the device id (`ID_PATTERN`) |
 * | `tsMs`          | N    | sort key: sample time, integer epoch ms UTC |
 * | `schemaVersion` | N    | item format version, `ITEM_SCHEMA_VERSION` |
 * | `v`             | M    | seriesId → N: every finite value stored at that instant, canonical unit |
 *
 * Series metadata (metric, unit, kind, sensor) lives once per device in the catalogue item at
 * `tsMs = CATALOG_TS_MS` (0): `{ deviceId, tsMs: 0, schemaVersion, series: M(seriesId → M{ sensorId,
 * metric, unit, kind }), backfillFromMs?: N }`. Sample queries use `tsMs >= 1`, so they never see it.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
import type { SeriesKind } from '../builder/constants.js';
import type { SeriesInfo } from '../builder/types.js';

/** Default table name (config `cloud.table` overrides). */
export const DEFAULT_TABLE_NAME = 'sensor-samples';
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
/** Current item format. */
export const ITEM_SCHEMA_VERSION = 1;
/** Sort key of the per-device series catalogue item. Real samples have `tsMs >= 1`. */
export const CATALOG_TS_MS = 0;
/**
 * Largest item the uploader sends, in bytes as DynamoDB counts them. Items above it are rejected
 * (permanently, logged with the item): one write request unit covers 1 KB, so every item costs 1 WCU.
 */
export const MAX_ITEM_BYTES = 1024;
/** BatchWriteItem accepts at most 25 put/delete requests. */
export const MAX_BATCH_ITEMS = 25;

/** DynamoDB attribute value, as the wire protocol spells it (the subset this table uses). */
export type AttributeValue = { S: string } | { N: string } | { M: Record<string, AttributeValue> };
export type Item = Record<string, AttributeValue>;

/** Key of an item: device id and sample time (epoch ms). */
export interface ItemKey {
  deviceId: string;
  tsMs: number;
}

/** The `KeySchema`/`AttributeDefinitions` of the table (CreateTable), on-demand billing. */
export const TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: PARTITION_KEY, AttributeType: 'S' },
    { AttributeName: SORT_KEY, AttributeType: 'N' },
  ],
  KeySchema: [
    { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
    { AttributeName: SORT_KEY, KeyType: 'RANGE' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} as const;

/** `deviceId#tsMs`: a string identity for de-duplication and bookkeeping. */
export const keyString = (k: ItemKey): string => `${k.deviceId}#${k.tsMs}`;

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

/** Decode a sample item back into key and values. @throws {TypeError}-free: returns undefined for a non-sample item. */
export function decodeSampleItem(item: Item): (ItemKey & { values: Record<string, number> }) | undefined {
  const d = item[PARTITION_KEY];
  const t = item[SORT_KEY];
  const v = item[VALUES_ATTRIBUTE];
  if (!d || !('S' in d) || !t || !('N' in t) || !v || !('M' in v)) return undefined;
  const values: Record<string, number> = {};
  for (const [id, av] of Object.entries(v.M)) if ('N' in av) values[id] = Number(av.N);
  return { deviceId: d.S, tsMs: Number(t.N), values };
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
  const m: Record<string, AttributeValue> = {};
  for (const s of [...series].sort((a, b) => a.seriesId.localeCompare(b.seriesId))) {
    m[s.seriesId] = { M: { sensorId: { S: s.sensorId }, metric: { S: s.metric }, unit: { S: s.unit }, kind: { S: s.kind } } };
  }
  return {
    [PARTITION_KEY]: { S: deviceId },
    [SORT_KEY]: { N: String(CATALOG_TS_MS) },
    [SCHEMA_VERSION_ATTRIBUTE]: { N: String(ITEM_SCHEMA_VERSION) },
    [SERIES_ATTRIBUTE]: { M: m },
    ...(backfillFromMs === undefined ? {} : { [BACKFILL_ATTRIBUTE]: { N: String(backfillFromMs) } }),
  };
}

/** Decode a catalogue item into series descriptions (undefined when `item` is not one). */
export function decodeCatalogItem(item: Item): SeriesInfo[] | undefined {
  const d = item[PARTITION_KEY];
  const s = item[SERIES_ATTRIBUTE];
  if (!d || !('S' in d) || !s || !('M' in s)) return undefined;
  const text = (m: Record<string, AttributeValue>, k: string): string => {
    const a = m[k];
    return a && 'S' in a ? a.S : '';
  };
  return Object.entries(s.M).flatMap(([seriesId, av]) =>
    'M' in av
      ? [{ deviceId: d.S, seriesId, sensorId: text(av.M, 'sensorId'), metric: text(av.M, 'metric'), unit: text(av.M, 'unit'), kind: text(av.M, 'kind') as SeriesKind }]
      : [],
  );
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
