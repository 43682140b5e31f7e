import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LatestValues, ObservedBuffer } from '../../../agent/buffer/observed-buffer.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import type { SeriesInfo } from '../../../builder/types.js';

const T: SeriesInfo = { deviceId: 'pi', seriesId: 't', sensorId: 's', metric: 'tempC', unit: '°C', kind: 'gauge' };

const observed = suite('ObservedBuffer');

observed('observers hear what was stored after the write, and a throwing observer fails neither the insert nor the others', () => {
  const errors: unknown[] = [];
  const buffer = new ObservedBuffer(SqliteBuffer.open(':memory:'), (err) => errors.push(err));
  const latest = new LatestValues();
  buffer.observe({ samplesStored: () => { throw new Error('observer bug'); } });
  buffer.observe(latest);
  buffer.defineSeries([T]);
  const result = buffer.insert('pi', [{ seriesId: 't', tsMs: 2000, value: 21 }, { seriesId: 't', tsMs: 1000, value: 20 }]);
  assert.equal(result, { inserted: 2, duplicates: 0 });
  assert.is(buffer.stats('pi')[0].count, 2, 'stored in SQLite');
  assert.is((errors[0] as Error).message, 'observer bug');
  assert.equal(latest.values(), [{ series: T, tsMs: 2000, value: 21 }], 'the newest sample wins, not the last in the batch');
  assert.is(latest.storedSamples, 2);
  buffer.insert('pi', [{ seriesId: 't', tsMs: 2000, value: 21 }]);
  assert.is(latest.storedSamples, 2, 'duplicates are not counted as stored');
  buffer.close();
});

observed('an insert that fails tells no observer', () => {
  const buffer = new ObservedBuffer(SqliteBuffer.open(':memory:'));
  let heard = 0;
  buffer.observe({ samplesStored: () => heard++ });
  assert.throws(() => buffer.insert('pi', [{ seriesId: 'undeclared', tsMs: 1, value: 1 }]));
  assert.is(heard, 0);
  buffer.close();
});

observed.run();
