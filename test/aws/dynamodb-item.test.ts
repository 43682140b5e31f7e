import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backfillFromMs,
  catalogToSeries,
  encodeCatalogItem,
  encodeSampleItem,
  itemSizeBytes,
  itemToSamples,
  MAX_ITEM_BYTES,
  writeUnitsOf,
} from '../../aws/dynamodb-item.js';
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

encode('round-trips through itemToSamples with exact numbers', () => {
  const values = { x: 0.1 + 0.2, y: -1e-7, z: 123456789.123 };
  const { item } = encodeSampleItem('d', 42, values);
  assert.equal(item.deviceId, { S: 'd' });
  assert.equal(itemToSamples(item), { tsMs: 42, samples: Object.entries(values).map(([seriesId, value]) => ({ seriesId, tsMs: 42, value })) });
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
  const decoded = catalogToSeries('livingroom', encodeCatalogItem('livingroom', BME280_SERIES));
  assert.equal(decoded.sort((a, b) => a.seriesId.localeCompare(b.seriesId)), [...BME280_SERIES].sort((a, b) => a.seriesId.localeCompare(b.seriesId)));
});

catalog('carries backfillFromMs as N when given (read back by the cloud side), none when not', () => {
  const item = encodeCatalogItem('livingroom', BME280_SERIES, 1_567_785_988_346);
  assert.equal(item.backfillFromMs, { N: '1567785988346' });
  assert.is(backfillFromMs(item), 1_567_785_988_346);
  assert.is(catalogToSeries('livingroom', item).length, BME280_SERIES.length);
  assert.not.ok('backfillFromMs' in encodeCatalogItem('livingroom', BME280_SERIES));
});

catalog('rejects a backfillFromMs that is not an integer epoch ms', () => {
  assert.throws(() => encodeCatalogItem('livingroom', BME280_SERIES, 1.5), /backfillFromMs 1.5: expected an integer epoch ms/);
  assert.throws(() => encodeCatalogItem('livingroom', BME280_SERIES, Number.NaN), RangeError);
});

const decode = suite('itemToSamples');
decode('maps the v map to one sample per series, in id order, skipping non-finite values', () => {
  const got = itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '1569859020000' }, schemaVersion: { N: '1' }, v: { M: { 'b.rhPct': { N: '41.5' }, 'a.tempC': { N: '-3.25' }, 'c.x': { S: 'NaN' } } } });
  assert.equal(got, { tsMs: 1569859020000, samples: [{ seriesId: 'a.tempC', tsMs: 1569859020000, value: -3.25 }, { seriesId: 'b.rhPct', tsMs: 1569859020000, value: 41.5 }] });
});
decode('is undefined for the catalogue item and foreign items', () => {
  assert.is(itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '0' }, series: { M: {} } }), undefined);
  assert.is(itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '0' }, v: { M: {} } }), undefined);
  assert.is(itemToSamples({ deviceId: { S: 'd' } }), undefined);
});

const readCatalog = suite('catalogToSeries / backfillFromMs');
readCatalog('reads series descriptions from the catalogue item', () => {
  const item = { deviceId: { S: 'd' }, tsMs: { N: '0' }, backfillFromMs: { N: '123' }, series: { M: { 'rain.pulses': { M: { sensorId: { S: 'rain' }, metric: { S: 'pulses' }, unit: { S: 'pulses' }, kind: { S: 'counter' } } } } } };
  assert.equal(catalogToSeries('d', item), [{ deviceId: 'd', seriesId: 'rain.pulses', sensorId: 'rain', metric: 'pulses', unit: 'pulses', kind: 'counter' }]);
  assert.is(backfillFromMs(item), 123);
  assert.equal(catalogToSeries('d', undefined), []);
  assert.is(backfillFromMs(undefined), undefined);
});

encode.run();
size.run();
catalog.run();
decode.run();
readCatalog.run();
