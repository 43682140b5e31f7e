import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeCatalogItem,
  decodeSampleItem,
  encodeCatalogItem,
  encodeSampleItem,
  itemSizeBytes,
  MAX_ITEM_BYTES,
  writeUnitsOf,
} from '../../aws/dynamodb-item.js';
import { backfillFromMs } from '../../aws/dynamodb-item-reader.js';
import { BME280_SERIES } from '../support/upload-fixture.js';

const encode = suite('encodeSampleItem');

encode('writes deviceId as S, tsMs as N (epoch ms), schemaVersion and one N per series in a map', () => {
  const { item, valueCount } = encodeSampleItem('livingroom', 1567267270858, { 'bme280-76.tempC': 28.77, 'bme280-76.pressurePa': 100_412.5 });
  assert.is(valueCount, 2);
  assert.equal(item, {
    deviceId: { S: 'livingroom' },
    tsMs: { N: '1567267270858' },
    schemaVersion: { N: '1' },
    v: { M: { 'bme280-76.pressurePa': { N: '100412.5' }, 'bme280-76.tempC': { N: '28.77' } } },
  });
});

encode('omits NaN, +Infinity and -Infinity rather than sending strings or zeros', () => {
  const { item, valueCount } = encodeSampleItem('d', 1, { a: NaN, b: Infinity, c: -Infinity, d: 0 });
  assert.is(valueCount, 1);
  assert.equal((item.v as { M: object }).M, { d: { N: '0' } });
});

encode('round-trips through decodeSampleItem with exact numbers', () => {
  const values = { x: 0.1 + 0.2, y: -1e-7, z: 123456789.123 };
  assert.equal(decodeSampleItem(encodeSampleItem('d', 42, values).item), { deviceId: 'd', tsMs: 42, values });
});

const size = suite('itemSizeBytes');

size('counts names plus values as DynamoDB does: strings by UTF-8 bytes, numbers by digit pairs + 1, maps +3 and +1 per element', () => {
  assert.is(itemSizeBytes({ ab: { S: 'xyz' } }), 2 + 3);
  assert.is(itemSizeBytes({ n: { N: '12345' } }), 1 + 3 + 1);
  assert.is(itemSizeBytes({ n: { N: '-0.001200' } }), 1 + 1 + 1);
  assert.is(itemSizeBytes({ m: { M: { k: { N: '7' } } } }), 1 + 3 + 1 + 1 + 2);
  assert.is(itemSizeBytes({ s: { S: '°C' } }), 1 + 3);
});

size('a 4-series item is far under 1 KB: one write request unit per item', () => {
  const { item } = encodeSampleItem('pi-kitchen', 1767225600000, { 'bme280-76.tempC': 21.23, 'bme280-76.rhPct': 45.61, 'bme280-76.pressurePa': 100_123.4, 'bh1750-23.illuminanceLux': 312.5 });
  assert.ok(itemSizeBytes(item) < 200, `${itemSizeBytes(item)} bytes`);
  assert.is(writeUnitsOf(item), 1);
  assert.ok(itemSizeBytes(item) < MAX_ITEM_BYTES);
});

const catalog = suite('encodeCatalogItem');

catalog('round-trips every series with sensor, metric, unit and kind', () => {
  const decoded = decodeCatalogItem(encodeCatalogItem('livingroom', BME280_SERIES))!;
  assert.equal(decoded.sort((a, b) => a.seriesId.localeCompare(b.seriesId)), [...BME280_SERIES].sort((a, b) => a.seriesId.localeCompare(b.seriesId)));
});

catalog('carries backfillFromMs as N when given (read back by the cloud side), none when not', () => {
  const item = encodeCatalogItem('livingroom', BME280_SERIES, 1_567_785_988_346);
  assert.equal(item.backfillFromMs, { N: '1567785988346' });
  assert.is(backfillFromMs(item as never), 1_567_785_988_346);
  assert.is(decodeCatalogItem(item)!.length, BME280_SERIES.length);
  assert.not.ok('backfillFromMs' in encodeCatalogItem('livingroom', BME280_SERIES));
});

catalog('rejects a backfillFromMs that is not an integer epoch ms', () => {
  assert.throws(() => encodeCatalogItem('livingroom', BME280_SERIES, 1.5), /backfillFromMs 1.5: expected an integer epoch ms/);
  assert.throws(() => encodeCatalogItem('livingroom', BME280_SERIES, Number.NaN), RangeError);
});

encode.run();
size.run();
catalog.run();
