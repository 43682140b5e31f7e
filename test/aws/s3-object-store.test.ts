/**
 * S3ObjectStore against s3rver (a real S3 REST peer, in-process on 127.0.0.1). The object-store contract
 * suite runs on it in test/aws/s3-object-store-contract.test.ts; these are the S3-specific tests.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { STAGED_OBJECT_TAGGING, S3ObjectStore, copySource } from '../../aws/s3-object-store.js';
import { StoreError } from '../../builder/errors.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';

const JSON_GZIP = { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=30' } as const;
const payload = { window: '1h', series: [{ id: 'bme280.tempC', points: [{ tsMs: 1, value: 21.5 }] }] };
const gz = () => new Uint8Array(gzipSync(JSON.stringify(payload)));

let s3: S3rverHandle;
let store: S3ObjectStore;

const put = suite('S3ObjectStore put/get/head');
put.before(async () => {
  s3 = await startS3rver();
  store = new S3ObjectStore(s3.client, s3.bucket);
});
put('stores bytes with their headers and reads them back unchanged', async () => {
  const body = gz();
  await store.put('a/x.json', body, JSON_GZIP);
  const got = await store.get('a/x.json');
  assert.ok(got);
  assert.equal([...got!.body], [...body]);
  assert.equal(got!.headers, JSON_GZIP);
  assert.is(got!.bytes, body.byteLength);
  assert.is(got!.versionId, undefined, 's3rver is unversioned');
  const head = await store.head('a/x.json');
  assert.is(head!.bytes, body.byteLength);
  assert.is(head!.etag, got!.etag);
});
put('answers undefined for an absent key on get and head', async () => {
  assert.is(await store.get('nope.json'), undefined);
  assert.is(await store.head('nope.json'), undefined);
});
// Pagination (> 1000 keys) is tested against the versioned emulation: s3rver 3.7.1 builds its
// continuation tokens with DES, which Node 20's OpenSSL 3 no longer offers, so any truncated
// ListObjectsV2 answers 500 there.
put('answers undefined for a version an unversioned bucket does not have (s3rver ignores versionId)', async () => {
  await store.put('v/a.json', Uint8Array.of(1), { contentType: 'application/json' });
  assert.is(await store.get('v/a.json', { versionId: 'no-such-version' }), undefined);
  assert.ok(await store.get('v/a.json', { versionId: 'null' }), 'S3 names the version of an unversioned object "null"');
});
put('lists exactly the keys under a prefix, in lexical order', async () => {
  const keys = ['many/b', 'many/a/2', 'many/a/10', 'many-not/x', 'other/many/y'];
  for (const k of keys) await store.put(k, Uint8Array.of(1), { contentType: 'application/octet-stream' });
  assert.equal(await store.list('many/'), ['many/a/10', 'many/a/2', 'many/b']);
});
put('deletes a key and accepts deleting an absent one', async () => {
  await store.put('del.json', Uint8Array.of(1, 2), { contentType: 'application/json' });
  await store.delete('del.json');
  assert.is(await store.head('del.json'), undefined);
  await store.delete('del.json');
});
put('translates a missing bucket into a StoreError naming the key, with the SDK error as cause', async () => {
  const bad = new S3ObjectStore(s3.client, 'no-such-bucket');
  try {
    await bad.put('k.json', Uint8Array.of(1), { contentType: 'application/json' });
    assert.unreachable('put should fail');
  } catch (err) {
    assert.instance(err, StoreError);
    assert.is((err as StoreError).key, 'k.json');
    assert.is((err as StoreError).operation, 'put');
    assert.match((err as Error).message, /NoSuchBucket/);
    assert.ok((err as Error).cause);
  }
});
put.after(async () => s3.close());
put.run();

const promote = suite('S3ObjectStore promote');
promote.before(async () => {
  s3 = await startS3rver();
  store = new S3ObjectStore(s3.client, s3.bucket);
});
promote('copies the staged object to the canonical key with application/json + gzip + Cache-Control and deletes the staged key', async () => {
  // Stage it WITHOUT the headers: only the explicit headers on the copy can make the canonical object right.
  await store.put('snapshots/d/latest_1h_20.tmp-5.json', gz(), { contentType: 'binary/octet-stream' });
  await store.promote('snapshots/d/latest_1h_20.tmp-5.json', 'snapshots/d/latest_1h_20.json', JSON_GZIP);
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/d/latest_1h_20.json' }));
  assert.is(head.ContentType, 'application/json');
  assert.is(head.ContentEncoding, 'gzip');
  assert.is(head.CacheControl, 'public, max-age=30');
  assert.is(await store.head('snapshots/d/latest_1h_20.tmp-5.json'), undefined);
});
promote('a GET of the promoted object decodes to the JSON after exactly one gunzip', async () => {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/d/latest_1h_20.json' }));
  const raw = Buffer.from(await out.Body!.transformToByteArray());
  assert.equal([raw[0], raw[1]], [0x1f, 0x8b], 'stored bytes are gzip');
  const once = gunzipSync(raw);
  assert.ok(once[0] !== 0x1f || once[1] !== 0x8b, 'not gzipped twice');
  assert.equal(JSON.parse(once.toString('utf8')), payload);
});
promote('replaces an existing canonical object atomically with the new content', async () => {
  const next = { ...payload, window: '10h' };
  await store.put('snapshots/d/latest_1h_20.tmp-6.json', new Uint8Array(gzipSync(JSON.stringify(next))), JSON_GZIP);
  await store.promote('snapshots/d/latest_1h_20.tmp-6.json', 'snapshots/d/latest_1h_20.json', JSON_GZIP);
  const got = await store.get('snapshots/d/latest_1h_20.json');
  assert.equal(JSON.parse(gunzipSync(got!.body).toString()), next);
});
promote('tags staged keys for the lifecycle rule and promotes without the tag (TaggingDirective REPLACE)', async () => {
  // s3rver ignores object tags, so this checks the requests the SDK sends (its middleware sees each
  // command's input), which is what real S3 acts on.
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'captureForTagTest' },
  );
  try {
    await store.put('snapshots/d/latest_10h_20.tmp-7.json', gz(), JSON_GZIP);
    await store.promote('snapshots/d/latest_10h_20.tmp-7.json', 'snapshots/d/latest_10h_20.json', JSON_GZIP);
    await store.put('snapshots/d/latest_10h_20.meta.json', gz(), JSON_GZIP);
  } finally {
    s3.client.middlewareStack.remove('captureForTagTest');
  }
  const puts = sent.filter((s) => s.command === 'PutObjectCommand');
  assert.is(puts[0].input.Tagging, STAGED_OBJECT_TAGGING);
  assert.is(STAGED_OBJECT_TAGGING, 'sensorctl-temp=true');
  assert.is(puts[1].input.Tagging, undefined, 'only staged keys are tagged');
  const copy = sent.find((s) => s.command === 'CopyObjectCommand')!;
  assert.is(copy.input.TaggingDirective, 'REPLACE');
  assert.is(copy.input.Tagging, undefined, 'the canonical object gets no tags');
});
promote('fails with a StoreError and leaves the canonical object alone when the staged key is missing', async () => {
  const before = await store.get('snapshots/d/latest_1h_20.json');
  try {
    await store.promote('snapshots/d/latest_1h_20.tmp-404.json', 'snapshots/d/latest_1h_20.json', JSON_GZIP);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StoreError);
  }
  const after = await store.get('snapshots/d/latest_1h_20.json');
  assert.equal([...after!.body], [...before!.body]);
});
promote.after(async () => s3.close());
promote.run();

const cs = suite('copySource');
cs('URL-encodes each key segment but keeps the slashes', () => {
  assert.is(copySource('b', 'fallback/snapshots/pi kitchen/x+y.json'), 'b/fallback/snapshots/pi%20kitchen/x%2By.json');
  assert.is(copySource('b', 'k', 'v 1'), 'b/k?versionId=v%201');
});
cs.run();
