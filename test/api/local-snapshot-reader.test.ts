import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalSnapshotReader } from '../../api/local-snapshot-reader.js';

const reader = suite('LocalSnapshotReader');
const root = mkdtempSync(join(tmpdir(), 'snapshot-reader-'));
reader.before(() => {
  mkdirSync(join(root, 'snapshots', 'pi-1'), { recursive: true });
  writeFileSync(join(root, 'snapshots', 'pi-1', 'latest_1h_20.json'), gzipSync('{"a":1}'));
  writeFileSync(join(root, 'snapshots', 'pi-1', 'latest_1h_20.meta.json'), '{"b":2}');
  writeFileSync(join(root, 'outside.json'), '{}');
});
reader.after(() => rmSync(root, { recursive: true, force: true }));

reader('reads a gzip payload with Content-Encoding gzip and a plain meta without', async () => {
  const store = new LocalSnapshotReader(root);
  const payload = (await store.get('snapshots/pi-1/latest_1h_20.json'))!;
  assert.is(payload.headers.contentEncoding, 'gzip');
  assert.is(payload.bytes, gzipSync('{"a":1}').byteLength);
  assert.match(payload.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  const meta = (await store.get('snapshots/pi-1/latest_1h_20.meta.json'))!;
  assert.is(meta.headers.contentEncoding, undefined);
  assert.is(Buffer.from(meta.body).toString(), '{"b":2}');
});

reader('answers undefined for absent keys, versions and keys that leave the root', async () => {
  const store = new LocalSnapshotReader(join(root, 'snapshots'));
  assert.is(await store.get('pi-1/latest_1d_20.json'), undefined);
  assert.is(await store.get('pi-1/latest_1h_20.json', { versionId: 'v1' }), undefined);
  for (const key of ['../outside.json', 'pi-1/../../outside.json', '/etc/passwd', 'pi-1/latest_1h_20.json/x']) {
    assert.is(await store.get(key), undefined, key);
  }
});

reader.run();
