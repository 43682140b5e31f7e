import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { devicePrefix, payloadVersionId, payloadVersionKey, snapshotKey, stagedKey } from '../../builder/constants.js';
import { VERSION_GRACE_MS, obsoleteVersionKeys, publishSnapshot, recordFailure, sweepStagedKeys, type PublishTarget } from '../../builder/publish.js';
import { renderBucketed } from '../../builder/render.js';
import { RollupState } from '../../builder/rollup-state.js';
import { PayloadValidationError } from '../../builder/errors.js';
import { metaProblems } from '../../builder/validate-payload.js';
import { gunzip, parseJsonBytes, sha256Hex } from '../../builder/codec.js';
import type { ObjectStore } from '../../builder/ports.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { DEVICE, gauge, readMetaOf } from '../support/builder-harness.js';
import { rejects } from '../support/object-store-contract.js';
import { locateSnapshot, readPayloadObject } from '../../api/snapshots.js';

const AT = Date.parse('2024-03-10T12:00:00Z');

function payload() {
  const state = new RollupState('1h', DEVICE);
  state.fold([{ seriesId: 'a.tempC', tsMs: AT - 1000, value: 21.5 }], AT);
  state.advance(AT, 0);
  return renderBucketed(state, '1h', 20, { deviceId: DEVICE, atMs: AT, generatedAtMs: AT, series: [gauge('a.tempC')] });
}

const target = (store: ObjectStore): PublishTarget => ({ store, prefix: devicePrefix(DEVICE), deviceId: DEVICE, builder: 'pi' });

const publish = suite('publishSnapshot');
publish('stores gzip JSON under its version key with the window TTL, then meta naming it with its sha256 and size', async () => {
  const store = new MemoryObjectStore({ versioned: true });
  const r = await publishSnapshot(target(store), payload(), AT);
  const p = devicePrefix(DEVICE);
  assert.is(r.meta.key, p + payloadVersionKey('1h', 20, r.meta.versionId!));
  assert.is(r.meta.versionId, payloadVersionId(AT, r.meta.sha256!));
  const obj = (await store.get(r.meta.key))!;
  assert.equal(obj.headers, { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=30' });
  assert.is(r.meta.sha256, await sha256Hex(obj.body));
  assert.is(r.meta.bytes, obj.body.byteLength);
  assert.is(r.meta.stagedKey, r.meta.key);
  assert.is((parseJsonBytes(await gunzip(obj.body)) as { window: string }).window, '1h');
  const meta = (await store.get(p + 'latest_1h_20.meta.json'))!;
  assert.is(meta.headers.cacheControl, 'public, max-age=10');
  assert.is(meta.headers.contentEncoding, undefined);
  assert.equal(metaProblems(r.meta), []);
});
publish('writes the payload once, with its sha256 for the store to verify, and meta last; nothing is read back', async () => {
  const store = new MemoryObjectStore();
  const ops: string[] = [];
  const shas: Array<string | undefined> = [];
  const put = store.put.bind(store);
  store.put = async (key, body, headers, options) => {
    ops.push(`put ${key.slice(key.lastIndexOf('/') + 1)}`);
    shas.push(options?.sha256Hex);
    return put(key, body, headers, options);
  };
  const get = store.get.bind(store);
  store.get = async (key, o) => (ops.push(`get ${key}`), get(key, o));
  const r = await publishSnapshot({ ...target(store), knownKeys: [] }, payload(), AT);
  assert.equal(ops, [`put ${payloadVersionKey('1h', 20, r.meta.versionId!)}`, 'put latest_1h_20.meta.json']);
  assert.equal(shas, [r.meta.sha256, undefined]);
});
publish('a failed payload write leaves the old meta and writes no new one', async () => {
  const store = new MemoryObjectStore();
  const first = await publishSnapshot(target(store), payload(), AT);
  store.faults = (op, k) => (op === 'put' && k.includes('.v') ? new Error('InternalError') : undefined);
  await rejects(() => publishSnapshot(target(store), payload(), AT + 60_000));
  assert.equal(await readMetaOf(store, '1h', 20), first.meta);
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

const obsolete = suite('obsoleteVersionKeys');
obsolete('keeps the current, the previous and versions within the grace period; drops older ones and the unversioned key of earlier releases', () => {
  const p = devicePrefix(DEVICE);
  const v = (ms: number, w: '1h' | '1d' = '1h') => p + payloadVersionKey(w, 20, payloadVersionId(ms, 'a'.repeat(64)));
  const now = AT + 10 * 60_000;
  const keys = [v(AT), v(AT + 60_000), v(now - VERSION_GRACE_MS - 1), v(now - 5_000), v(now - 10_000), v(now + 1), v(AT, '1d'), p + snapshotKey('1h', 20), p + 'latest_1h_20.meta.json', 'other/' + payloadVersionKey('1h', 20, payloadVersionId(AT, 'a'.repeat(64)))];
  const current = v(now);
  assert.equal(obsoleteVersionKeys([...keys, current], p, '1h', 20, current, now).sort(), [v(AT), v(AT + 60_000), v(now - VERSION_GRACE_MS - 1), p + snapshotKey('1h', 20)].sort());
});
obsolete.run();

const pinning = suite('publishSnapshot and the API\'s readers');
pinning('the API serves what meta names, and a pinned versionId reads the previous version after a newer publish', async () => {
  const store = new MemoryObjectStore();
  const t = target(store);
  const first = await publishSnapshot(t, payload(), AT);
  const second = await publishSnapshot(t, { ...payload(), generatedAt: new Date(AT + 30_000).toISOString() }, AT + 30_000);
  const located = (await locateSnapshot(store, DEVICE, '1h', 20, Date.parse(second.meta.generatedAt!)))!;
  assert.is(located.payloadKey, second.meta.key);
  assert.is(await sha256Hex((await readPayloadObject(store, located))!.body), second.meta.sha256);
  assert.is(await sha256Hex((await readPayloadObject(store, located, first.meta.versionId!))!.body), first.meta.sha256);
  await publishSnapshot(t, { ...payload(), generatedAt: new Date(AT + 200_000).toISOString() }, AT + 200_000);
  assert.is(await readPayloadObject(store, (await locateSnapshot(store, DEVICE, '1h', 20, Date.parse(second.meta.generatedAt!)))!, first.meta.versionId!), undefined, 'two publishes later it is gone: 404');
});
pinning.run();
