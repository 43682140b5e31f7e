import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { backfillFromMs, catalogToSeries, itemToSamples } from '../../aws/dynamodb-item-reader.js';

const s = suite('itemToSamples');
s('maps the v map to one sample per series, in id order, skipping non-finite values', () => {
  const got = itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '1569859020000' }, schemaVersion: { N: '1' }, v: { M: { 'b.rhPct': { N: '41.5' }, 'a.tempC': { N: '-3.25' }, 'c.x': { S: 'NaN' } } } });
  assert.equal(got, { tsMs: 1569859020000, samples: [{ seriesId: 'a.tempC', tsMs: 1569859020000, value: -3.25 }, { seriesId: 'b.rhPct', tsMs: 1569859020000, value: 41.5 }] });
});
s('is undefined for the catalogue item and foreign items', () => {
  assert.is(itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '0' }, series: { M: {} } }), undefined);
  assert.is(itemToSamples({ deviceId: { S: 'd' }, tsMs: { N: '0' }, v: { M: {} } }), undefined);
  assert.is(itemToSamples({ deviceId: { S: 'd' } }), undefined);
});
s.run();

const c = suite('catalogToSeries / backfillFromMs');
c('reads series descriptions from the catalogue item', () => {
  const item = { deviceId: { S: 'd' }, tsMs: { N: '0' }, backfillFromMs: { N: '123' }, series: { M: { 'rain.pulses': { M: { sensorId: { S: 'rain' }, metric: { S: 'pulses' }, unit: { S: 'pulses' }, kind: { S: 'counter' } } } } } };
  assert.equal(catalogToSeries('d', item), [{ deviceId: 'd', seriesId: 'rain.pulses', sensorId: 'rain', metric: 'pulses', unit: 'pulses', kind: 'counter' }]);
  assert.is(backfillFromMs(item), 123);
  assert.equal(catalogToSeries('d', undefined), []);
  assert.is(backfillFromMs(undefined), undefined);
});
c.run();
