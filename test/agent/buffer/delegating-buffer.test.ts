import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchingBuffer } from '../../../agent/buffer/batching-buffer.js';
import { DelegatingBuffer } from '../../../agent/buffer/delegating-buffer.js';
import { ObservedBuffer } from '../../../agent/buffer/observed-buffer.js';
import type { SeriesInfo } from '../../../builder/types.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const T: SeriesInfo = { deviceId: 'pi', seriesId: 'bme280.tempC', sensorId: 'bme280', metric: 'tempC', unit: '°C', kind: 'gauge' };

test('issue 14 (D1): both decorators share one delegation; what they do not change reaches the inner buffer', () => {
  for (const make of [(b: MemoryBuffer) => new BatchingBuffer(b), (b: MemoryBuffer) => new ObservedBuffer(b)]) {
    const inner = new MemoryBuffer();
    const d = make(inner);
    assert.instance(d, DelegatingBuffer);
    d.defineSeries([T]);
    inner.insert('pi', [10, 20, 30].map((tsMs) => ({ seriesId: T.seriesId, tsMs, value: 1 })));
    assert.is(d.newestTsMs('pi'), 30);
    assert.equal(d.stats('pi').map((s) => [s.seriesId, s.count, s.firstTsMs]), [[T.seriesId, 3, 10]]);
    assert.is(d.deleteOlderThan(20, 10), 1);
    assert.is(inner.stats('pi')[0].count, 2);
    inner.setState('k', 'v');
    assert.is(d.getState('k'), 'v');
    assert.is(d.sizeBytes(), inner.sizeBytes());
  }
});

test.run();
