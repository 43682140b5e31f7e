import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, devicePrefix, payloadVersionId, type Granularity } from '../../builder/constants.js';
import {
  WINDOW_OBJECT_HEADERS, commitWindow, payloadObjectOf, preparePayload, readPublishedPayload, readStoredMeta, readWindowObject,
  recordWindowFailure, staleMetaOf, storedPayloadHeaders, windowObjectKeyOf, type PreparedPayload, type PublishTarget,
} from '../../builder/publish.js';
import { renderBucketed } from '../../builder/render.js';
import { RollupState } from '../../builder/rollup-state.js';
import { encodeState } from '../../builder/state-store.js';
import { MetaDecodeError, PayloadValidationError, StoreError } from '../../builder/errors.js';
import { metaProblems } from '../../builder/validate-payload.js';
import { gunzip, parseJsonBytes, sha256Hex } from '../../builder/codec.js';
import type { ObjectStore } from '../../builder/ports.js';
import type { Payload } from '../../builder/types.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { FaultyStore } from '../support/faulty-store.js';
import { DEVICE, gauge, readMetaOf } from '../support/builder-harness.js';
import { rejects } from '../support/object-store-contract.js';

const AT = Date.parse('2024-03-10T12:00:00Z');
const PREFIX = devicePrefix(DEVICE);
const KEY = `${PREFIX}latest_1h.snapshots`;

function stateAt(atMs: number): RollupState {
  const state = new RollupState('1h', DEVICE);
  state.fold([{ seriesId: 'a.tempC', tsMs: AT - 1000, value: 21.5 }, { seriesId: 'a.tempC', tsMs: atMs - 500, value: 22.25 }], atMs);
  state.cursor = String(atMs);
  state.advance(atMs, 0);
  return state;
}

function payload(g: Granularity, atMs = AT): Payload {
  return renderBucketed(stateAt(atMs), '1h', g, { deviceId: DEVICE, atMs, generatedAtMs: atMs, series: [gauge('a.tempC')] });
}

const target = (store: ObjectStore): PublishTarget => ({ store, prefix: PREFIX, deviceId: DEVICE, builder: 'pi' });

/** The four payloads of 1h as of `atMs`, prepared. */
const prepareAll = (atMs = AT, only: readonly Granularity[] = GRANULARITIES): Promise<PreparedPayload[]> =>
  Promise.all(only.map((g) => preparePayload({}, payload(g, atMs), atMs)));

/** Commit the four payloads of 1h as of `atMs` with the state as of then. */
async function publishAll(t: PublishTarget, atMs = AT) {
  return commitWindow(t, { window: '1h', built: await prepareAll(atMs), failed: [], state: await encodeState(stateAt(atMs)) });
}

const bytesOf = async (store: ObjectStore): Promise<number[]> => [...(await store.get(KEY))!.body];

const prepare = suite('preparePayload');
prepare('validates, gzips and names the version by the attempt start and the sha256 of the gzip bytes', async () => {
  const p = await preparePayload({}, payload(20), AT + 5);
  assert.is(p.sha256, await sha256Hex(p.body));
  assert.is(p.versionId, payloadVersionId(AT + 5, p.sha256));
  assert.match(p.versionId, /^v1710072000005-[0-9a-f]{16}$/);
  assert.equal(parseJsonBytes(await gunzip(p.body)), payload(20));
});
prepare('rejects an invalid payload before anything is written', async () => {
  const p = payload(20);
  p.series[0].points.pop();
  try {
    await preparePayload({}, p, AT);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, PayloadValidationError);
    assert.match((err as Error).message, '1h');
  }
});
prepare.run();

const commit = suite('commitWindow');
commit('puts ONE object: the four metas naming it, their gzip payloads and the state, with its sha256; reads nothing', async () => {
  const store = new FaultyStore(new MemoryObjectStore());
  const shas: Array<string | undefined> = [];
  const put = store.put.bind(store);
  store.put = async (key, body, headers, options) => (shas.push(options?.sha256Hex), put(key, body, headers, options));
  const built = await prepareAll();
  const state = await encodeState(stateAt(AT));
  const r = await commitWindow(target(store), { window: '1h', built, failed: [], state });
  assert.equal(store.calls, [`put ${KEY}`]);
  const obj = (await store.inner.get(KEY))!;
  assert.equal(shas, [await sha256Hex(obj.body)]);
  assert.equal(obj.headers, WINDOW_OBJECT_HEADERS);
  assert.equal(obj.headers, { contentType: 'application/octet-stream', cacheControl: 'public, max-age=10' });
  assert.is(r.objectBytes, obj.body.byteLength);
  const decoded = (await readWindowObject(store.inner, PREFIX, '1h'))!;
  for (const [i, g] of GRANULARITIES.entries()) {
    const meta = r.metas.get(g)!;
    assert.equal(decoded.metas.get(g), meta);
    assert.equal(metaProblems(meta), [], `1h/${g}`);
    assert.equal([meta.key, meta.stagedKey, meta.versionId, meta.sha256, meta.bytes], [KEY, KEY, built[i].versionId, built[i].sha256, built[i].body.byteLength]);
    assert.equal([meta.generatedAt, meta.expiresAt, meta.stale, meta.consecutiveFailures, meta.builder], ['2024-03-10T12:00:00.000Z', '2024-03-10T12:01:00.000Z', false, 0, 'pi']);
    assert.equal([...decoded.payload(g)!], [...built[i].body]);
  }
  assert.equal([...decoded.state()!], [...state]);
});
commit('a failed granularity keeps the previous payload bytes with a stale meta counting failures, the others are new', async () => {
  const store = new MemoryObjectStore();
  const t = target(store);
  const first = await publishAll(t);
  const before = await decodedPayloadSha(await readWindowObject(store, PREFIX, '1h'), 500);
  assert.is(before, first.metas.get(500)!.sha256);
  for (const n of [1, 2]) {
    const atMs = AT + n * 30_000;
    const r = await commitWindow(t, {
      window: '1h', built: await prepareAll(atMs, [20, 100, 250]), failed: [{ granularity: 500, error: new Error(`disk I/O ${n}`), nowMs: atMs }],
      state: await encodeState(stateAt(atMs)),
    });
    const object = (await readWindowObject(store, PREFIX, '1h'))!;
    const stale = object.metas.get(500)!;
    assert.equal(stale, r.metas.get(500));
    assert.equal(metaProblems(stale), []);
    assert.equal([stale.stale, stale.consecutiveFailures, stale.lastError, stale.lastFailureAt], [true, n, `Error: disk I/O ${n}`, new Date(atMs).toISOString()]);
    assert.equal([stale.generatedAt, stale.sha256, stale.versionId, stale.bytes], [first.metas.get(500)!.generatedAt, first.metas.get(500)!.sha256, first.metas.get(500)!.versionId, first.metas.get(500)!.bytes]);
    assert.is(await decodedPayloadSha(object, 500), before, 'the previous payload bytes are kept');
    for (const g of [20, 100, 250] as const) {
      assert.equal([object.metas.get(g)!.generatedAt, object.metas.get(g)!.stale], [new Date(atMs).toISOString(), false], `1h/${g} is new`);
      assert.is((parseJsonBytes(await gunzip(object.payload(g)!)) as Payload).to, new Date(atMs).toISOString());
    }
  }
});
commit('a failed granularity never built gets a stale meta with null payload fields and no section', async () => {
  const store = new MemoryObjectStore();
  const r = await commitWindow(target(store), {
    window: '1h', built: await prepareAll(AT, [20, 100, 500]), failed: [{ granularity: 250, error: new Error('SlowDown'), nowMs: AT }], previous: null,
  });
  const object = (await readWindowObject(store, PREFIX, '1h'))!;
  const meta = object.metas.get(250)!;
  assert.equal(meta, r.metas.get(250));
  assert.equal(metaProblems(meta), []);
  assert.equal(
    [meta.generatedAt, meta.expiresAt, meta.sha256, meta.versionId, meta.bytes, meta.pointCount, meta.key, meta.stale, meta.consecutiveFailures, meta.lastError],
    [null, null, null, null, null, null, KEY, true, 1, 'Error: SlowDown'],
  );
  assert.is(object.payload(250), undefined);
  assert.is(object.state(), undefined, 'no state given and none before');
});
commit('without a state of its own, keeps the previous object\'s state section byte for byte', async () => {
  const store = new MemoryObjectStore();
  await publishAll(target(store));
  const stateBefore = [...(await readWindowObject(store, PREFIX, '1h'))!.state()!];
  await commitWindow(target(store), { window: '1h', built: await prepareAll(AT + 60_000), failed: [] });
  const after = (await readWindowObject(store, PREFIX, '1h'))!;
  assert.equal([...after.state()!], stateBefore);
  assert.is(after.metas.get(20)!.generatedAt, new Date(AT + 60_000).toISOString());
});
commit('a granularity neither built nor failed keeps its meta and payload from the previous object given', async () => {
  const store = new MemoryObjectStore();
  const first = await publishAll(target(store));
  const previous = await readWindowObject(store, PREFIX, '1h');
  await commitWindow(target(store), { window: '1h', built: await prepareAll(AT + 60_000, [20]), failed: [], state: await encodeState(stateAt(AT + 60_000)), previous });
  const object = (await readWindowObject(store, PREFIX, '1h'))!;
  assert.is(object.metas.get(20)!.generatedAt, new Date(AT + 60_000).toISOString());
  for (const g of [100, 250, 500] as const) {
    assert.equal(object.metas.get(g), first.metas.get(g));
    assert.is(await sha256Hex(object.payload(g)!), first.metas.get(g)!.sha256!);
  }
});
commit('a failed put rejects and leaves the previous object byte-identical', async () => {
  const store = new MemoryObjectStore();
  await publishAll(target(store));
  const before = await bytesOf(store);
  store.faults = (op) => (op === 'put' ? new Error('InternalError') : undefined);
  await rejects(() => publishAll(target(store), AT + 60_000));
  await rejects(() => recordWindowFailure(target(store), '1h', GRANULARITIES, new Error('boom'), AT + 60_000));
  assert.equal(await bytesOf(store), before);
});
commit('given previous: null, reads nothing even for a failed granularity', async () => {
  const store = new FaultyStore(new MemoryObjectStore());
  const r = await commitWindow(target(store), { window: '1h', built: [], failed: GRANULARITIES.map((granularity) => ({ granularity, error: new Error('x'), nowMs: AT })), previous: null });
  assert.equal(store.calls, [`put ${KEY}`]);
  assert.equal(GRANULARITIES.map((g) => [r.metas.get(g)!.generatedAt, r.metas.get(g)!.consecutiveFailures]), [[null, 1], [null, 1], [null, 1], [null, 1]]);
});
commit.run();

/** sha256 of the payload section of `g` in `object`. */
async function decodedPayloadSha(object: Awaited<ReturnType<typeof readWindowObject>>, g: Granularity): Promise<string> {
  return sha256Hex(object!.payload(g)!);
}

const failure = suite('recordWindowFailure');
failure('counts consecutive failures on top of the last good metas, keeping payloads and state, one GET and one PUT each', async () => {
  const inner = new MemoryObjectStore();
  const first = await publishAll(target(inner));
  const stateBefore = [...(await readWindowObject(inner, PREFIX, '1h'))!.state()!];
  const store = new FaultyStore(inner);
  await recordWindowFailure(target(store), '1h', GRANULARITIES, new Error('boom'), AT + 1000);
  const metas = await recordWindowFailure(target(store), '1h', [100, 250], new Error('boom again'), AT + 2000);
  assert.equal(store.calls, [`get ${KEY}`, `put ${KEY}`, `get ${KEY}`, `put ${KEY}`]);
  const m = metas.get(100)!;
  assert.equal([m.stale, m.consecutiveFailures, m.lastError, m.lastFailureAt], [true, 2, 'Error: boom again', new Date(AT + 2000).toISOString()]);
  assert.is(m.generatedAt, new Date(AT).toISOString());
  assert.equal(await readMetaOf(inner, '1h', 100), m);
  assert.equal([(await readMetaOf(inner, '1h', 20))!.consecutiveFailures, (await readMetaOf(inner, '1h', 20))!.lastError], [1, 'Error: boom'], 'not in the second record: kept as the first left it');
  const object = (await readWindowObject(inner, PREFIX, '1h'))!;
  for (const g of GRANULARITIES) assert.is(await sha256Hex(object.payload(g)!), first.metas.get(g)!.sha256!, `1h/${g}`);
  assert.equal([...object.state()!], stateBefore);
});
failure('a store error reading the previous object rejects and writes nothing: the object is not overwritten', async () => {
  const store = new MemoryObjectStore();
  await publishAll(target(store));
  const before = await bytesOf(store);
  store.faults = (op) => (op === 'get' ? new Error('SlowDown') : undefined);
  let puts = 0;
  const put = store.put.bind(store);
  store.put = async (...args) => (puts++, put(...args));
  try {
    await recordWindowFailure(target(store), '1h', GRANULARITIES, new Error('boom'), AT + 1000);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StoreError);
    assert.match((err as Error).message, 'SlowDown');
  }
  assert.is(puts, 0);
  store.faults = () => undefined;
  assert.equal(await bytesOf(store), before);
});
failure('an object that cannot be decoded counts as absent: the record replaces it with never-built stale metas', async () => {
  const store = new MemoryObjectStore();
  await store.put(KEY, new TextEncoder().encode('{"not":"a window object"}'), { contentType: 'application/json' });
  const metas = await recordWindowFailure(target(store), '1h', GRANULARITIES, new Error('boom'), AT);
  const object = (await readWindowObject(store, PREFIX, '1h'))!;
  for (const g of GRANULARITIES) {
    assert.equal(object.metas.get(g), metas.get(g));
    assert.equal([metas.get(g)!.generatedAt, metas.get(g)!.stale, metas.get(g)!.consecutiveFailures], [null, true, 1]);
  }
});
// Before the fix commitWindow took a never-built previous meta as no meta at all, so the count
// restarted at 1 on every failure.
failure('a never-built granularity that fails again counts its failures on', async () => {
  const store = new MemoryObjectStore();
  const t = target(store);
  await recordWindowFailure(t, '1h', GRANULARITIES, new Error('first'), AT);
  const metas = await recordWindowFailure(t, '1h', GRANULARITIES, new Error('second'), AT + 30_000);
  assert.equal([metas.get(20)!.generatedAt, metas.get(20)!.consecutiveFailures, metas.get(20)!.lastError], [null, 2, 'Error: second']);
});
failure('a failure of some granularities of a window with no object gives the others never-built metas (was a RangeError)', async () => {
  const store = new MemoryObjectStore();
  const metas = await recordWindowFailure(target(store), '1h', [100], new Error('throttled'), AT);
  assert.equal(GRANULARITIES.map((g) => [metas.get(g)!.generatedAt, metas.get(g)!.stale, metas.get(g)!.consecutiveFailures]), [[null, false, 0], [null, true, 1], [null, false, 0], [null, false, 0]]);
  assert.equal((await readWindowObject(store, PREFIX, '1h'))!.metas.get(100)!.lastError, 'Error: throttled');
});
failure.run();

const stale = suite('staleMetaOf');
stale('of a never-built snapshot: null payload fields, the window object key, this builder', () => {
  const m = staleMetaOf({ deviceId: DEVICE, builder: 'lambda' }, KEY, '1h', 500, undefined, 'throttled', AT);
  assert.equal(m, {
    generatedAt: null, expiresAt: null, versionId: null, stagedKey: null, sha256: null, bytes: null, pointCount: null,
    schemaVersion: 1, window: '1h', granularity: 500, device: DEVICE, key: KEY, stale: true, consecutiveFailures: 1,
    lastError: 'throttled', lastFailureAt: '2024-03-10T12:00:00.000Z', builder: 'lambda',
  });
  assert.equal(metaProblems(m), []);
});
stale.run();

const readers = suite('readers of the window object');
readers('readStoredMeta and readPublishedPayload read one snapshot; absent, never built and unreadable read as undefined', async () => {
  const store = new MemoryObjectStore();
  assert.is(await readStoredMeta(store, PREFIX, '1h', 20), undefined);
  assert.is(await readPublishedPayload(store, PREFIX, '1h', 20), undefined);
  const r = await commitWindow(target(store), {
    window: '1h', built: await prepareAll(AT, [20, 500]), failed: [100, 250].map((granularity) => ({ granularity: granularity as Granularity, error: 'x', nowMs: AT })), previous: null,
  });
  assert.equal(await readStoredMeta(store, PREFIX, '1h', 20), r.metas.get(20));
  const got = (await readPublishedPayload(store, PREFIX, '1h', 20))!;
  assert.equal(
    [got.key, got.headers, got.etag, got.lastModifiedMs, got.bytes],
    [KEY, storedPayloadHeaders('1h'), `"${r.metas.get(20)!.versionId}"`, AT, r.metas.get(20)!.bytes],
  );
  assert.equal(got.headers, { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=30' });
  assert.is(await sha256Hex(got.body), r.metas.get(20)!.sha256!);
  assert.is(await readPublishedPayload(store, PREFIX, '1h', 100), undefined, 'failed, never built');
  assert.is((await readStoredMeta(store, PREFIX, '1h', 100))!.generatedAt, null);
  assert.is(payloadObjectOf((await readWindowObject(store, PREFIX, '1h'))!, PREFIX, 250), undefined);
  await store.put(KEY, new Uint8Array([1, 2, 3]), { contentType: 'application/octet-stream' });
  assert.is(await readStoredMeta(store, PREFIX, '1h', 20), undefined);
  assert.is(await readPublishedPayload(store, PREFIX, '1h', 20), undefined);
  try {
    await readWindowObject(store, PREFIX, '1h');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, MetaDecodeError);
  }
});
readers('window objects live under the prefix as latest_<window>.snapshots', () => {
  assert.is(windowObjectKeyOf('snapshots/pi-kitchen/', '10d'), 'snapshots/pi-kitchen/latest_10d.snapshots');
  assert.is(windowObjectKeyOf('fallback/snapshots/pi-kitchen/', '1h'), 'fallback/snapshots/pi-kitchen/latest_1h.snapshots');
});
readers.run();
