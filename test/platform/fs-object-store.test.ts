import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { InvalidKeyError } from '../../builder/errors.js';
import { sha256Hex } from '../../builder/codec.js';
import { objectStoreContract, rejects } from '../support/object-store-contract.js';

function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'fs-store-'));
  return { dir, store: new FsObjectStore(dir), close: async () => rmSync(dir, { recursive: true, force: true }) };
}

objectStoreContract('FsObjectStore', async () => tempStore(), 'current');

const fs = suite('FsObjectStore');

fs('rejects keys that could leave the root or are ambiguous, with a message naming the key', async () => {
  const t = tempStore();
  try {
    for (const key of ['../x.json', 'a/../../x.json', '/etc/passwd', 'a\\b.json', 'a//b.json', './a.json', '', '.headers/a.json']) {
      try {
        await t.store.put(key, new Uint8Array(1), { contentType: 'application/json' });
        assert.unreachable(`accepted ${key}`);
      } catch (err) {
        assert.instance(err, InvalidKeyError);
        assert.ok((err as Error).message.includes(JSON.stringify(key)), (err as Error).message);
      }
    }
    await rejects(() => t.store.get('../outside.json'), InvalidKeyError);
    assert.equal(readdirSync(t.dir), []);
  } finally {
    await t.close();
  }
});

fs('stores a key as a file under the root, leaves no temp files and uses the body sha256 as versionId', async () => {
  const t = tempStore();
  try {
    const body = new TextEncoder().encode('{"a":1}');
    const { versionId } = await t.store.put('snapshots/pi/latest_1h_20.json', body, { contentType: 'application/json' });
    assert.is(versionId, await sha256Hex(body));
    assert.equal(readdirSync(join(t.dir, 'snapshots', 'pi')), ['latest_1h_20.json']);
    assert.is((await t.store.get('snapshots/pi/latest_1h_20.json'))!.etag, `"${versionId}"`);
    await t.store.put('snapshots/pi/latest_1h_20.json', new TextEncoder().encode('{"a":2}'), { contentType: 'application/json' });
    assert.is(await t.store.get('snapshots/pi/latest_1h_20.json', { versionId }), undefined, 'old version is gone');
  } finally {
    await t.close();
  }
});

fs('with fsync off it still writes atomically, counts files and bytes, and does not rewrite an unchanged headers sidecar', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-store-writes-'));
  try {
    const store = new FsObjectStore(dir, { fsync: false });
    const headers = { contentType: 'application/json', cacheControl: 'public, max-age=10' };
    await store.put('s/a.meta.json', new TextEncoder().encode('{"n":1}'), headers);
    assert.equal(store.writes, { files: 2, bytes: 7 + JSON.stringify({ headers }).length, fsyncs: 0, unlinks: 0 });
    await store.put('s/a.meta.json', new TextEncoder().encode('{"n":22}'), headers);
    assert.is(store.writes.files, 3, 'second put of the same headers writes the body only');
    assert.equal(readdirSync(join(dir, 's')), ['a.meta.json'], 'no temp file left');
    assert.is(new TextDecoder().decode((await store.get('s/a.meta.json'))!.body), '{"n":22}');
    assert.equal((await store.get('s/a.meta.json'))!.headers, headers);
    await store.put('s/a.meta.json', new TextEncoder().encode('{"n":3}'), { ...headers, cacheControl: 'no-store' });
    assert.is((await store.get('s/a.meta.json'))!.headers.cacheControl, 'no-store', 'changed headers are written');
    const synced = new FsObjectStore(dir);
    await synced.put('s/b.json', new Uint8Array([1]), headers);
    assert.is(synced.writes.fsyncs, 2, 'the default store fsyncs sidecar and body');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

fs.run();
