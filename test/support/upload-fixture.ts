/**
 * Test data and checks for the upload path: a month of the real BME280 living-room log
 * (`../shared/datasets/bme280-livingroom`, MIT, see its SOURCE.md) loaded into a SQLite buffer, and
 * helpers that read the same instants back from SQLite and from DynamoDB (Query by time range) for an
 * item-by-item comparison.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import { itemToSamples } from '../../aws/dynamodb-item.js';
import type { Db } from '../../sqlite/sqlite-db.js';

/** The committed cut of bme280-livingroom (test/fixtures/bme280-livingroom-2019-09-full/README.md): the whole month 2019/09. */
export const FIXTURE_DIR = new URL('../fixtures/bme280-livingroom-2019-09-full/', import.meta.url).pathname;
export const DEVICE_ID = 'livingroom';

export const BME280_SERIES: SeriesInfo[] = [
  { deviceId: DEVICE_ID, seriesId: 'bme280-76.tempC', sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' },
  { deviceId: DEVICE_ID, seriesId: 'bme280-76.rhPct', sensorId: 'bme280-76', metric: 'rhPct', unit: '%RH', kind: 'gauge' },
  { deviceId: DEVICE_ID, seriesId: 'bme280-76.pressurePa', sensorId: 'bme280-76', metric: 'pressurePa', unit: 'Pa', kind: 'gauge' },
];

/**
 * Samples of one month (`yyyy/mm`) of the BME280 log: epoch-second timestamps → ms, pressure hPa → Pa,
 * empty fields skipped (that instant then has fewer values), sorted by time.
 */
export function loadBme280Month(yearMonth: string): Sample[] {
  const files: Array<[string, string, number]> = [
    ['temperature.csv', 'bme280-76.tempC', 1],
    ['humidity.csv', 'bme280-76.rhPct', 1],
    ['pressure.csv', 'bme280-76.pressurePa', 100],
  ];
  const out: Sample[] = [];
  for (const [file, seriesId, scale] of files) {
    const lines = readFileSync(join(FIXTURE_DIR, yearMonth, file), 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const [ts, value] = line.split(',');
      if (value === undefined || value.trim() === '') continue;
      out.push({ seriesId, tsMs: Math.round(Number(ts) * 1000), value: Number((Number(value) * scale).toPrecision(12)) });
    }
  }
  return out.sort((a, b) => a.tsMs - b.tsMs || a.seriesId.localeCompare(b.seriesId));
}

export type ItemMap = Map<number, Record<string, number>>;

/** Every instant of `deviceId` in SQLite with `fromMs <= tsMs <= toMs`, finite values only. */
export function sqliteItems(db: Db, deviceId: string, fromMs = 1, toMs = Number.MAX_SAFE_INTEGER): ItemMap {
  const rows = db
    .prepare(
      `SELECT sa.ts_ms, se.series_id, sa.value FROM samples sa JOIN series se ON se.series_pk = sa.series_pk
       WHERE se.device_id = ? AND sa.ts_ms BETWEEN ? AND ? ORDER BY sa.ts_ms`,
    )
    .raw()
    .all(deviceId, fromMs, toMs) as Array<[number, string, number]>;
  const out: ItemMap = new Map();
  for (const [tsMs, id, value] of rows) {
    if (!Number.isFinite(value)) continue;
    const v = out.get(tsMs) ?? {};
    v[id] = value;
    out.set(tsMs, v);
  }
  for (const [ts, v] of out) if (Object.keys(v).length === 0) out.delete(ts);
  return out;
}

/** Every sample item of `deviceId` in DynamoDB with `fromMs <= tsMs <= toMs` (Query, all pages). */
export async function dynamoItems(client: DynamoDBClient, table: string, deviceId: string, fromMs = 1, toMs = Number.MAX_SAFE_INTEGER): Promise<ItemMap> {
  const out: ItemMap = new Map();
  let start: Record<string, any> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'deviceId = :d AND tsMs BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':d': { S: deviceId }, ':a': { N: String(fromMs) }, ':b': { N: String(toMs) } },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const decoded = itemToSamples(item);
      if (decoded) out.set(decoded.tsMs, Object.fromEntries(decoded.samples.map((sample) => [sample.seriesId, sample.value])));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** First difference between two item maps as text, or undefined when they are equal. */
export function diffItems(expected: ItemMap, actual: ItemMap): string | undefined {
  if (expected.size !== actual.size) {
    const missing = [...expected.keys()].filter((k) => !actual.has(k)).slice(0, 3);
    const extra = [...actual.keys()].filter((k) => !expected.has(k)).slice(0, 3);
    return `expected ${expected.size} items, got ${actual.size} (missing ${missing.join(',')}; extra ${extra.join(',')})`;
  }
  for (const [ts, v] of expected) {
    const a = actual.get(ts);
    if (JSON.stringify(sortKeys(v)) !== JSON.stringify(sortKeys(a ?? {}))) return `at ${ts}: expected ${JSON.stringify(v)}, got ${JSON.stringify(a)}`;
  }
  return undefined;
}

const sortKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
