/**
 * S3ObjectStore on a VERSIONED bucket. No local S3 peer keeps versions (s3rver does not), so these run
 * against test/support/versioned-s3.ts, a faithful emulation of the S3 REST responses used here,
 * driven by the real AWS SDK client.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import { startVersionedS3, type VersionedS3Handle } from '../support/versioned-s3.js';

const JSON_GZIP = { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=300' } as const;
const gz = (v: unknown) => new Uint8Array(gzipSync(JSON.stringify(v)));
let s3: VersionedS3Handle;
let store: S3ObjectStore;

const v = suite('S3ObjectStore on a versioned bucket (emulated)');
v.before(async () => {
  s3 = await startVersionedS3();
  store = new S3ObjectStore(s3.client, s3.bucket);
});
v.after(async () => s3.close());

v('put returns the VersionId S3 assigned to the object, with the headers set', async () => {
  const put = await store.put('p/latest_1d_20.json', gz({ build: 1 }), JSON_GZIP);
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'p/latest_1d_20.json' }));
  assert.type(put.versionId, 'string');
  assert.is(put.versionId, head.VersionId);
  assert.is(head.ContentType, 'application/json');
  assert.is(head.ContentEncoding, 'gzip');
  assert.is(head.CacheControl, 'public, max-age=300');
});

v('fetching a pinned version returns exactly that payload after a newer put', async () => {
  const first = await store.put('p/latest_10d_100.json', gz({ build: 'A' }), JSON_GZIP);
  const second = await store.put('p/latest_10d_100.json', gz({ build: 'B' }), JSON_GZIP);
  assert.is.not(first.versionId, second.versionId);
  const pinned = await store.get('p/latest_10d_100.json', { versionId: first.versionId });
  assert.equal(JSON.parse(gunzipSync(pinned!.body).toString()), { build: 'A' });
  assert.is(pinned!.versionId, first.versionId);
  const latest = await store.get('p/latest_10d_100.json');
  assert.equal(JSON.parse(gunzipSync(latest!.body).toString()), { build: 'B' });
});

v('a deleted key is gone (a delete marker hides it)', async () => {
  await store.put('p/latest_10d_100.tmp-2.json', gz({ build: 'B' }), JSON_GZIP);
  await store.delete('p/latest_10d_100.tmp-2.json');
  assert.is(await store.head('p/latest_10d_100.tmp-2.json'), undefined);
  assert.ok(s3.versions('p/latest_10d_100.tmp-2.json').at(-1)!.isDeleteMarker);
  assert.not.ok((await store.list('p/')).some((k) => k.includes('.tmp-')));
});

v('an unknown version of an existing key is absent (NoSuchVersion), not an error', async () => {
  assert.is(await store.get('p/latest_10d_100.json', { versionId: 'no-such-version' }), undefined);
});

v('the emulation answers NoSuchVersion 404 and NoSuchKey 404 with S3 error codes', async () => {
  for (const [key, versionId, code] of [['p/latest_10d_100.json', 'nope', 'NoSuchVersion'], ['absent.json', undefined, 'NoSuchKey']] as const) {
    try {
      await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key, VersionId: versionId }));
      assert.unreachable();
    } catch (err) {
      assert.is((err as { name: string }).name, code);
      assert.is((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 404);
    }
  }
});

v('lists more than one page of ListObjectsV2 (1000 keys per page) in lexical order', async () => {
  const keys = Array.from({ length: 1203 }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, Uint8Array.of(1), { contentType: 'application/octet-stream' })));
  }
  assert.equal(await store.list('many/'), keys);
});

v.run();
