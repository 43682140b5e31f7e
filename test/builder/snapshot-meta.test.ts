/** `decodeSnapshotMeta`: the one checked reader of stored snapshot meta. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { devicePrefix, metaKey } from '../../builder/constants.js';
import { jsonBytes } from '../../builder/codec.js';
import { MetaDecodeError } from '../../builder/errors.js';
import { publishSnapshot, recordFailure, type PublishTarget } from '../../builder/publish.js';
import { renderBucketed } from '../../builder/render.js';
import { RollupState } from '../../builder/rollup-state.js';
import { decodeSnapshotMeta } from '../../builder/snapshot-meta.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { DEVICE, gauge } from '../support/builder-harness.js';

const AT = Date.parse('2024-03-10T12:00:00Z');
const target = (store: MemoryObjectStore): PublishTarget => ({ store, prefix: devicePrefix(DEVICE), deviceId: DEVICE, builder: 'pi' });

function payload() {
  const state = new RollupState('1h', DEVICE);
  state.fold([{ seriesId: 'a.tempC', tsMs: AT - 1000, value: 21.5 }], AT);
  state.advance(AT, 0);
  return renderBucketed(state, '1h', 20, { deviceId: DEVICE, atMs: AT, generatedAtMs: AT, series: [gauge('a.tempC')] });
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
  const { meta } = await publishSnapshot(target(store), payload(), AT);
  assert.equal(decodeSnapshotMeta((await store.get(devicePrefix(DEVICE) + metaKey('1h', 20)))!.body), meta);
  const never = await recordFailure(target(store), '1h', 100, new Error('boom'), AT);
  const decoded = decodeSnapshotMeta((await store.get(devicePrefix(DEVICE) + metaKey('1h', 100)))!.body);
  assert.equal(decoded, never);
  assert.is(decoded.generatedAt, null);
  assert.is(decoded.stale, true);
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
