/** `decodeSnapshotMeta`: the one checked reader of stored snapshot meta. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, devicePrefix } from '../../builder/constants.js';
import { jsonBytes } from '../../builder/codec.js';
import { MetaDecodeError } from '../../builder/errors.js';
import { commitWindow, preparePayload, recordWindowFailure, windowObjectKeyOf, type PublishTarget } from '../../builder/publish.js';
import { renderBucketed } from '../../builder/render.js';
import { RollupState } from '../../builder/rollup-state.js';
import { checkedSnapshotMeta, decodeSnapshotMeta } from '../../builder/snapshot-meta.js';
import type { WindowObjectHeader } from '../../builder/window-object.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { DEVICE, gauge } from '../support/builder-harness.js';

const AT = Date.parse('2024-03-10T12:00:00Z');
const target = (store: MemoryObjectStore): PublishTarget => ({ store, prefix: devicePrefix(DEVICE), deviceId: DEVICE, builder: 'pi' });

function payload(g: (typeof GRANULARITIES)[number]) {
  const state = new RollupState('1h', DEVICE);
  state.fold([{ seriesId: 'a.tempC', tsMs: AT - 1000, value: 21.5 }], AT);
  state.advance(AT, 0);
  return renderBucketed(state, '1h', g, { deviceId: DEVICE, atMs: AT, generatedAtMs: AT, series: [gauge('a.tempC')] });
}

/** The metas as stored in the window object's header (JSON, before any checking). */
async function storedMetas(store: MemoryObjectStore): Promise<Record<string, unknown>> {
  const body = (await store.get(windowObjectKeyOf(devicePrefix(DEVICE), '1h')))!.body;
  const headerLength = new DataView(body.buffer, body.byteOffset).getUint32(8, false);
  return (JSON.parse(new TextDecoder().decode(body.subarray(12, 12 + headerLength))) as WindowObjectHeader).metas;
}

/** The decode error's problems for `bytes` (fails the test when it decodes). */
function problemsOf(bytes: Uint8Array): readonly string[] {
  try {
    decodeSnapshotMeta(bytes);
  } catch (err) {
    assert.instance(err, MetaDecodeError);
    return (err as MetaDecodeError).problems;
  }
  assert.unreachable('decoded');
  return [];
}

const decode = suite('decodeSnapshotMeta');

decode('decodes what the builder writes, built and never built', async () => {
  const store = new MemoryObjectStore();
  const built = await Promise.all([20, 250, 500].map((g) => preparePayload({}, payload(g as 20 | 250 | 500), AT)));
  const r = await commitWindow(target(store), { window: '1h', built, failed: [{ granularity: 100, error: new Error('boom'), nowMs: AT }], previous: null });
  const stored = await storedMetas(store);
  assert.equal(decodeSnapshotMeta(jsonBytes(stored['20'])), r.metas.get(20));
  assert.equal(checkedSnapshotMeta(stored['20']), r.metas.get(20));
  const never = decodeSnapshotMeta(jsonBytes(stored['100']));
  assert.equal(never, r.metas.get(100));
  assert.equal([never.generatedAt, never.stale, never.consecutiveFailures, never.lastError], [null, true, 1, 'Error: boom']);
  const again = await recordWindowFailure(target(store), '1h', GRANULARITIES, new Error('down'), AT + 1000);
  assert.equal(decodeSnapshotMeta(jsonBytes((await storedMetas(store))['20'])), again.get(20));
  assert.equal([again.get(20)!.generatedAt, again.get(20)!.stale, again.get(20)!.consecutiveFailures], ['2024-03-10T12:00:00.000Z', true, 1]);
  assert.equal(decodeSnapshotMeta(jsonBytes((await storedMetas(store))['100'])), again.get(100));
});

decode('accepts a meta with only the freshness fields (other tools, older writers)', () => {
  const meta = decodeSnapshotMeta(jsonBytes({ generatedAt: '2024-03-10T12:00:00.000Z', stale: false }));
  assert.is(meta.generatedAt, '2024-03-10T12:00:00.000Z');
});

decode('names what is wrong: not JSON, not an object, each bad field', () => {
  assert.match(problemsOf(new TextEncoder().encode('{"generatedAt": ')).join(), /not UTF-8 JSON/);
  assert.equal(problemsOf(jsonBytes([1, 2])), ['not a JSON object']);
  assert.equal(problemsOf(jsonBytes(null)), ['not a JSON object']);
  const bad = problemsOf(jsonBytes({ generatedAt: 'yesterday', stale: 'no', expiresAt: 5, consecutiveFailures: -1, lastError: 7, versionId: 3 }));
  assert.is(bad.length, 6);
  for (const field of ['generatedAt', 'stale', 'expiresAt', 'consecutiveFailures', 'lastError', 'versionId']) {
    assert.ok(bad.some((p) => p.startsWith(field)), `a problem names ${field}: ${bad.join('; ')}`);
  }
  assert.match(problemsOf(jsonBytes({ stale: false })).join(), /^generatedAt/);
  assert.match(problemsOf(jsonBytes({ generatedAt: null })).join(), /^stale/);
});

decode('checkedSnapshotMeta checks parsed JSON as decodeSnapshotMeta checks bytes', () => {
  assert.equal(checkedSnapshotMeta({ generatedAt: null, stale: false }), { generatedAt: null, stale: false });
  for (const value of [null, [1], 'meta', { generatedAt: 'soon', stale: false }]) {
    try {
      checkedSnapshotMeta(value);
      assert.unreachable(JSON.stringify(value));
    } catch (err) {
      assert.instance(err, MetaDecodeError);
      assert.equal((err as MetaDecodeError).problems, [value !== null && typeof value === 'object' && !Array.isArray(value) ? 'generatedAt "soon" is neither an ISO 8601 instant nor null' : 'not a JSON object']);
    }
  }
});

decode('the error message carries the problems', () => {
  try {
    decodeSnapshotMeta(jsonBytes({ generatedAt: null, stale: 1 }));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, MetaDecodeError);
    assert.match((err as Error).message, /snapshot meta unreadable: stale 1 is not a boolean/);
  }
});

decode.run();
