import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyOutsidePrefixError, PrefixedObjectStore, WriteFencedObjectStore } from '../../builder/prefixed-object-store.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';

const H = { contentType: 'application/json' };
const p = suite('PrefixedObjectStore');
p('maps keys under the prefix and lists them relative to it', async () => {
  const inner = new MemoryObjectStore();
  const s = new PrefixedObjectStore(inner, 'snapshots/pi-1/');
  await s.put('latest_1h_20.json', Uint8Array.of(1), H);
  assert.equal(inner.keys(), ['snapshots/pi-1/latest_1h_20.json']);
  assert.equal(await s.list(''), ['latest_1h_20.json']);
  assert.is((await s.get('latest_1h_20.json'))!.key, 'latest_1h_20.json');
  assert.is((await s.head('latest_1h_20.json'))!.key, 'latest_1h_20.json');
  await s.delete('latest_1h_20.json');
  assert.equal(inner.keys(), []);
});
p('refuses keys that climb out of the prefix and prefixes without a trailing slash', async () => {
  const s = new PrefixedObjectStore(new MemoryObjectStore(), 'a/');
  for (const k of ['../b/x', '/abs', 'x/../../b']) {
    await s.put(k, Uint8Array.of(1), H).then(() => assert.unreachable(k), (e: Error) => assert.instance(e, KeyOutsidePrefixError));
  }
  assert.throws(() => new PrefixedObjectStore(new MemoryObjectStore(), 'a'), (e: Error) => e instanceof KeyOutsidePrefixError);
});
p.run();

const w = suite('WriteFencedObjectStore');
w('reads anywhere but writes only under its prefix', async () => {
  const inner = new MemoryObjectStore();
  await inner.put('snapshots/d/latest_1h_20.meta.json', Uint8Array.of(7), H);
  const s = new WriteFencedObjectStore(inner, 'fallback/');
  assert.equal([...(await s.get('snapshots/d/latest_1h_20.meta.json'))!.body], [7]);
  await s.put('fallback/snapshots/d/x.json', Uint8Array.of(1), H);
  assert.not.ok(inner.keys().includes('snapshots/d/x.json'));
  for (const k of ['snapshots/d/x.json', 'fallbackx/y', 'fallback/../snapshots/d/x.json']) {
    await s.put(k, Uint8Array.of(1), H).then(() => assert.unreachable(k), (e: Error) => assert.instance(e, KeyOutsidePrefixError));
  }
});
w.run();
