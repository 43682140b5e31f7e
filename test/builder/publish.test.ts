import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { devicePrefix, snapshotKey, stagedKey } from '../../builder/constants.js';
import { publishSnapshot, recordFailure, sweepStagedKeys, type PublishTarget } from '../../builder/publish.js';
import { renderBucketed } from '../../builder/render.js';
import { RollupState } from '../../builder/rollup-state.js';
import { PayloadValidationError, StoreMismatchError } from '../../builder/errors.js';
import { gunzip, parseJsonBytes, sha256Hex } from '../../builder/codec.js';
import type { ObjectStore } from '../../builder/ports.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { DEVICE, gauge, readMetaOf } from '../support/builder-harness.js';

const AT = Date.parse('2024-03-10T12:00:00Z');

function payload() {
  const state = new RollupState('1h', DEVICE);
  state.fold([{ seriesId: 'a.tempC', tsMs: AT - 1000, value: 21.5 }], AT);
  state.advance(AT, 0);
  return renderBucketed(state, '1h', 20, { deviceId: DEVICE, atMs: AT, generatedAtMs: AT, series: [gauge('a.tempC')] });
}

const target = (store: ObjectStore): PublishTarget => ({ store, prefix: devicePrefix(DEVICE), deviceId: DEVICE, builder: 'pi' });

const publish = suite('publishSnapshot');
publish('stores gzip JSON with the window TTL and meta whose sha256 and size describe the stored bytes', async () => {
  const store = new MemoryObjectStore({ versioned: true });
  const r = await publishSnapshot(target(store), payload(), AT);
  const obj = (await store.get(devicePrefix(DEVICE) + snapshotKey('1h', 20)))!;
  assert.equal(obj.headers, { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=30' });
  assert.is(r.meta.sha256, await sha256Hex(obj.body));
  assert.is(r.meta.bytes, obj.body.byteLength);
  assert.is(r.meta.versionId, obj.versionId, 'S3-style VersionId when the store is versioned');
  assert.is(r.meta.stagedKey, devicePrefix(DEVICE) + stagedKey('1h', 20, AT));
  assert.is((parseJsonBytes(await gunzip(obj.body)) as { window: string }).window, '1h');
  const meta = (await store.get(devicePrefix(DEVICE) + 'latest_1h_20.meta.json'))!;
  assert.is(meta.headers.cacheControl, 'public, max-age=10');
  assert.is(meta.headers.contentEncoding, undefined);
});
publish('uses the sha256 as versionId on an unversioned store', async () => {
  const r = await publishSnapshot(target(new MemoryObjectStore()), payload(), AT);
  assert.is(r.meta.versionId, r.meta.sha256);
});
publish('refuses to promote when the read-back bytes differ, deleting the staged key', async () => {
  const store = new MemoryObjectStore();
  const get = store.get.bind(store);
  store.get = async (key, o) => {
    const obj = await get(key, o);
    if (obj && key.includes('.tmp-')) obj.body[obj.body.length - 1] ^= 1;
    return obj;
  };
  try {
    await publishSnapshot(target(store), payload(), AT);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StoreMismatchError);
    assert.match((err as Error).message, 'sha256');
  }
  assert.equal(store.keys(), []);
});
publish('rejects an invalid payload before writing anything', async () => {
  const store = new MemoryObjectStore();
  const p = payload();
  p.series[0].points.pop();
  try {
    await publishSnapshot(target(store), p, AT);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, PayloadValidationError);
  }
  assert.equal(store.keys(), []);
});
publish.run();

const failure = suite('recordFailure');
failure('counts consecutive failures on top of the last good meta', async () => {
  const store = new MemoryObjectStore();
  const t = target(store);
  await publishSnapshot(t, payload(), AT);
  await recordFailure(t, '1h', 20, new Error('boom'), AT + 1000);
  const m = await recordFailure(t, '1h', 20, new Error('boom again'), AT + 2000);
  assert.equal([m.stale, m.consecutiveFailures, m.lastError, m.lastFailureAt], [true, 2, 'Error: boom again', new Date(AT + 2000).toISOString()]);
  assert.is(m.generatedAt, new Date(AT).toISOString());
  assert.equal(await readMetaOf(store, '1h', 20), m);
});
failure.run();

const sweep = suite('sweepStagedKeys');
sweep('deletes only staged keys more than 10 minutes old under the prefix', async () => {
  const store = new MemoryObjectStore();
  const p = devicePrefix(DEVICE);
  const keys = [p + stagedKey('1h', 20, AT - 600_001), p + stagedKey('1h', 20, AT - 600_000), p + snapshotKey('1h', 20), 'snapshots/other/' + stagedKey('1h', 20, 0)];
  for (const k of keys) await store.put(k, new Uint8Array(1), { contentType: 'application/json' });
  assert.equal(await sweepStagedKeys(store, p, AT), [keys[0]]);
  assert.equal(store.keys(), [...keys.slice(1)].sort());
});
sweep.run();
