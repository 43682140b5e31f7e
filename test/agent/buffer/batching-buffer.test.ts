/**
 * BatchingBuffer (storage.commitEveryMs): the first sample is written at once, later ones are held
 * for the minute commit; while a commit fails for space, inserts throw StorageFullError instead of
 * holding more (the sampler then counts those readings lost as `disk-full` and names the state once),
 * and the first commit that finds space writes what was held before.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchingBuffer } from '../../../agent/buffer/batching-buffer.js';
import { StorageFullError } from '../../../agent/buffer/errors.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const sample = (tsMs: number) => [{ seriesId: 'x.tempC', tsMs, value: 20 }];
const T = Date.UTC(2027, 0, 1);

/** A memory buffer whose inserts fail with StorageFullError while `isFull`. */
function fillableDisk() {
  const inner = new MemoryBuffer();
  inner.defineSeries([{ deviceId: 'pi', seriesId: 'x.tempC', sensorId: 'x', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  const state = { isFull: false, inserts: 0 };
  const insert = inner.insert.bind(inner);
  inner.insert = (deviceId, samples, states) => {
    if (state.isFull) throw new StorageFullError('/var/lib/sensorctl', 4096);
    state.inserts++;
    return insert(deviceId, samples, states);
  };
  const stored = () => inner.stats('pi').reduce((n, s) => n + s.count, 0);
  return { inner, state, stored };
}

const batching = suite('BatchingBuffer');

batching('the first insert is written at once, later ones are held until flush', () => {
  const { inner, state, stored } = fillableDisk();
  const b = new BatchingBuffer(inner);
  b.insert('pi', sample(T));
  assert.equal([state.inserts, stored(), b.heldSamples()], [1, 1, 0]);
  b.insert('pi', sample(T + 10_000));
  b.insert('pi', sample(T + 20_000));
  assert.equal([state.inserts, stored(), b.heldSamples()], [1, 1, 2]);
  assert.equal(b.flush(), { inserted: 2, duplicates: 0 });
  assert.equal([state.inserts, stored(), b.heldSamples()], [2, 3, 0]);
});

batching('a commit refused for space keeps what was held; inserts then throw StorageFullError (not held) until a commit finds space', () => {
  const { inner, state, stored } = fillableDisk();
  const b = new BatchingBuffer(inner);
  b.insert('pi', sample(T));
  b.insert('pi', sample(T + 10_000));
  state.isFull = true;
  assert.throws(() => b.flush(), (err: unknown) => err instanceof StorageFullError && /^disk full at \/var\/lib\/sensorctl, 4096 bytes free$/.test((err as Error).message));
  assert.is(b.heldSamples(), 1, 'the sample taken before the disk filled stays held');
  assert.throws(() => b.insert('pi', sample(T + 20_000)), (err: unknown) => err instanceof StorageFullError);
  assert.is(b.heldSamples(), 1, 'a reading taken while full is not held: the sampler counts it lost');
  state.isFull = false;
  assert.equal(b.flush(), { inserted: 1, duplicates: 0 });
  b.insert('pi', sample(T + 30_000));
  assert.is(b.heldSamples(), 1, 'held again once a commit found space');
  b.flush();
  assert.is(stored(), 3);
});

batching('issue 13: setState is held (getState sees it) and written in the same insert as the held samples; the first value of a key is written at once', () => {
  const { inner } = fillableDisk();
  const calls: string[] = [];
  const insert = inner.insert.bind(inner);
  inner.insert = (deviceId, samples, states) => {
    calls.push(`insert ${samples.length} samples, states ${(states ?? []).map(([k, v]) => `${k}=${v}`).join(',')}`);
    return insert(deviceId, samples, states);
  };
  const setState = inner.setState.bind(inner);
  inner.setState = (key, value) => {
    calls.push(`setState ${key}=${value}`);
    setState(key, value);
  };
  const b = new BatchingBuffer(inner);
  b.setState('sensor:x', 'starting');
  b.insert('pi', sample(T));
  b.setState('sensor:x', 'online');
  b.insert('pi', sample(T + 10_000));
  b.setState('sensor:x', 'online-2');
  assert.is(b.getState('sensor:x'), 'online-2', 'the held value is seen at once');
  assert.is(inner.getState('sensor:x'), 'starting', 'not yet stored');
  assert.equal(calls, ['setState sensor:x=starting', 'insert 1 samples, states '], 'only the first value and the first sample went at once');
  b.flush();
  assert.equal(calls.slice(2), ['insert 1 samples, states sensor:x=online-2'], 'one transaction: the held sample and the latest status');
  assert.is(inner.getState('sensor:x'), 'online-2');
  b.setState('sensor:x', 'failing');
  b.flush();
  assert.equal(calls.slice(3), ['setState sensor:x=failing'], 'with no sample held the state is written on its own at the flush');
});

batching.run();
