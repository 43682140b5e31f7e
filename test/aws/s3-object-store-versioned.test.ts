/**
 * S3ObjectStore on a VERSIONED bucket. No local S3 peer keeps versions (s3rver does not), so these run
 * against test/support/versioned-s3.ts, a faithful emulation of the S3 REST responses used here,
 * driven by the real AWS SDK client.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, CopyObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import { StoreError } from '../../builder/errors.js';
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

v('put and promote return the VersionId S3 assigned to the canonical object', async () => {
  const put = await store.put('p/latest_1d_20.tmp-1.json', gz({ build: 1 }), JSON_GZIP);
  assert.type(put.versionId, 'string');
  const promoted = await store.promote('p/latest_1d_20.tmp-1.json', 'p/latest_1d_20.json', JSON_GZIP);
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'p/latest_1d_20.json' }));
  assert.is(promoted.versionId, head.VersionId);
  assert.is(head.ContentType, 'application/json');
  assert.is(head.ContentEncoding, 'gzip');
  assert.is(head.CacheControl, 'public, max-age=300');
});

v('fetching a pinned version returns exactly that payload after a newer promotion', async () => {
  const first = await store.promote(
    (await store.put('p/latest_10d_100.tmp-1.json', gz({ build: 'A' }), JSON_GZIP), 'p/latest_10d_100.tmp-1.json'),
    'p/latest_10d_100.json',
    JSON_GZIP,
  );
  await store.put('p/latest_10d_100.tmp-2.json', gz({ build: 'B' }), JSON_GZIP);
  const second = await store.promote('p/latest_10d_100.tmp-2.json', 'p/latest_10d_100.json', JSON_GZIP);
  assert.is.not(first.versionId, second.versionId);
  const pinned = await store.get('p/latest_10d_100.json', { versionId: first.versionId });
  assert.equal(JSON.parse(gunzipSync(pinned!.body).toString()), { build: 'A' });
  assert.is(pinned!.versionId, first.versionId);
  const latest = await store.get('p/latest_10d_100.json');
  assert.equal(JSON.parse(gunzipSync(latest!.body).toString()), { build: 'B' });
});

v('the staged key is gone after promotion (a delete marker hides it)', async () => {
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

v('a REPLACE copy naming no system headers resets Content-Type and drops Content-Encoding (the field case)', async () => {
  await store.put('p/raw.json', gz({ x: 1 }), JSON_GZIP);
  const out = await s3.client.send(
    new CopyObjectCommand({ Bucket: s3.bucket, Key: 'p/bad.json', CopySource: `${s3.bucket}/p/raw.json`, MetadataDirective: 'REPLACE', Metadata: { build: '1' } }),
  );
  assert.is(out.CopySourceVersionId, s3.versions('p/raw.json').at(-1)!.versionId);
  const head = await store.head('p/bad.json');
  assert.equal(head!.headers, { contentType: 'binary/octet-stream' });
});

v('a failed copy leaves the canonical object and its version unchanged and keeps the staged key', async () => {
  const before = await store.head('p/latest_1d_20.json');
  await store.put('p/latest_1d_20.tmp-9.json', gz({ build: 9 }), JSON_GZIP);
  s3.faults.copy = 1;
  try {
    await store.promote('p/latest_1d_20.tmp-9.json', 'p/latest_1d_20.json', JSON_GZIP);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StoreError);
    assert.match((err as Error).message, /InternalError \(HTTP 500\)/);
  }
  assert.is((await store.head('p/latest_1d_20.json'))!.versionId, before!.versionId);
  assert.ok(await store.head('p/latest_1d_20.tmp-9.json'));
});

v('lists more than one page of ListObjectsV2 (1000 keys per page) in lexical order', async () => {
  const keys = Array.from({ length: 1203 }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, Uint8Array.of(1), { contentType: 'application/octet-stream' })));
  }
  assert.equal(await store.list('many/'), keys);
});

v.run();
