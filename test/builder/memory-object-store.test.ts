import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { objectStoreContract } from '../support/object-store-contract.js';

objectStoreContract('MemoryObjectStore', async () => ({ store: new MemoryObjectStore(), close: async () => undefined }), 'none');
objectStoreContract('MemoryObjectStore (versioned)', async () => ({ store: new MemoryObjectStore({ versioned: true }), close: async () => undefined }), 'all');

const mem = suite('MemoryObjectStore (versioned emulation)');
mem('keeps older versions readable by versionId while the latest wins', async () => {
  const store = new MemoryObjectStore({ versioned: true });
  const a = await store.put('k.json', new Uint8Array([1]), { contentType: 'application/json' });
  const b = await store.put('k.json', new Uint8Array([2]), { contentType: 'application/json' });
  assert.ok(a.versionId && b.versionId && a.versionId !== b.versionId);
  assert.equal([...(await store.get('k.json'))!.body], [2]);
  assert.equal([...(await store.get('k.json', { versionId: a.versionId }))!.body], [1]);
});
mem.run();
