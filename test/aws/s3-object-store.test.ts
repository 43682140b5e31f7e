/**
 * S3ObjectStore against s3rver (a real S3 REST peer, in-process on 127.0.0.1). The object-store contract
 * suite runs on it in test/aws/s3-object-store-contract.test.ts; these are the S3-specific tests.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import { GRANULARITIES, windowObjectKey } from '../../builder/constants.js';
import { WINDOW_OBJECT_HEADERS, commitWindow, preparePayload, readWindowMetas, readWindowObject, recordWindowFailure } from '../../builder/publish.js';
import { windowObjectHeaderEnd } from '../../builder/window-object.js';
import { buildPayload, sampleSeries } from '../support/snapshot-fixtures.js';
import { StoreError } from '../../builder/errors.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';

const TO_MS = Date.parse('2024-03-10T12:00:00Z');
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

const staged = suite('S3ObjectStore window objects and gzip');
staged.before(async () => {
  s3 = await startS3rver();
  store = new S3ObjectStore(s3.client, s3.bucket);
});
staged('a GET of a gzip object decodes to the JSON after exactly one gunzip', async () => {
  await store.put('snapshots/d/latest_1h_20.json', gz(), JSON_GZIP);
  const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/d/latest_1h_20.json' }));
  const raw = Buffer.from(await out.Body!.transformToByteArray());
  assert.equal([raw[0], raw[1]], [0x1f, 0x8b], 'stored bytes are gzip');
  const once = gunzipSync(raw);
  assert.ok(once[0] !== 0x1f || once[1] !== 0x8b, 'not gzipped twice');
  assert.equal(JSON.parse(once.toString('utf8')), payload);
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'snapshots/d/latest_1h_20.json' }));
  assert.equal([head.ContentType, head.ContentEncoding, head.CacheControl], ['application/json', 'gzip', 'public, max-age=30']);
});
staged('puts a window object in ONE PutObject carrying its SHA-256, untagged; no key is tagged any more', async () => {
  // s3rver neither verifies checksums nor keeps tags, so this checks the requests the SDK sends (its
  // middleware sees each command's input), which is what real S3 acts on.
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'captureForPutTest' },
  );
  const body = Uint8Array.from(Buffer.concat([Buffer.from('SNAPWIN1'), gz()]));
  const sha = createHash('sha256').update(body).digest('hex');
  const key = 'snapshots/d/' + windowObjectKey('10h');
  try {
    await store.put(key, body, WINDOW_OBJECT_HEADERS, { sha256Hex: sha });
    // An earlier release's staged key name gets no tag either: nothing tags objects now.
    await store.put('snapshots/d/latest_10h_20.tmp-7.json', gz(), JSON_GZIP);
  } finally {
    s3.client.middlewareStack.remove('captureForPutTest');
  }
  assert.equal(sent.map((s) => s.command), ['PutObjectCommand', 'PutObjectCommand']);
  const [windowPut, legacyPut] = sent.map((s) => s.input);
  assert.is(windowPut.Key, 'snapshots/d/latest_10h.snapshots');
  assert.is(windowPut.ChecksumSHA256, Buffer.from(sha, 'hex').toString('base64'));
  assert.is(windowPut.ContentType, 'application/octet-stream');
  assert.is(windowPut.Tagging, undefined);
  assert.is(legacyPut.Tagging, undefined);
  assert.is(legacyPut.ChecksumSHA256, undefined, 'no checksum without sha256Hex');
  const got = await store.get(key);
  assert.equal(Buffer.from(got!.body), Buffer.from(body));
  assert.equal(got!.headers, { contentType: 'application/octet-stream', cacheControl: WINDOW_OBJECT_HEADERS.cacheControl });
});
staged.after(async () => s3.close());
staged.run();

const ranged = suite('S3ObjectStore ranged reads: the Pi reads only a window object\'s header (issue 14: bytes out of S3)');
ranged.before(async () => {
  s3 = await startS3rver();
  store = new S3ObjectStore(s3.client, s3.bucket);
});
/** `store` counting the ranged reads and the bytes they returned. */
const counting = () => {
  const reads: number[] = [];
  return {
    reads,
    get: (key: string) => store.get(key),
    getRange: async (key: string, start: number, length: number) => {
      const got = await store.getRange(key, start, length);
      reads.push(got?.byteLength ?? -1);
      return got;
    },
  };
};
ranged('getRange answers the bytes asked for, fewer at the end, undefined when absent', async () => {
  const body = new Uint8Array(10_000).map((_, i) => i % 251);
  await store.put('r/x.bin', body, WINDOW_OBJECT_HEADERS);
  assert.equal([...(await store.getRange('r/x.bin', 100, 5))!], [100, 101, 102, 103, 104]);
  assert.is((await store.getRange('r/x.bin', 9_990, 4096))!.byteLength, 10);
  assert.is(await store.getRange('r/missing.bin', 0, 4096), undefined);
});
ranged('readWindowMetas reads 4,096 bytes of a 4-series window object, and the metas equal the whole object\'s', async () => {
  const t = { store, prefix: 'snapshots/pi-r/', deviceId: 'pi-r', builder: 'lambda' as const };
  const series = sampleSeries('pi-r', TO_MS - 86_400_000, TO_MS, 60_000);
  const built = await Promise.all(GRANULARITIES.map((g) => preparePayload({}, buildPayload({ device: 'pi-r', window: '1d', granularity: g, toMs: TO_MS, generatedAtMs: TO_MS, series }), TO_MS)));
  await commitWindow(t, { window: '1d', built, failed: [], state: new Uint8Array(50_000).fill(7), previous: null });
  const whole = (await store.get(t.prefix + windowObjectKey('1d')))!;
  assert.ok(whole.bytes > 60_000, `the object is ${whole.bytes} bytes`);
  const s = counting();
  const metas = await readWindowMetas(s, t.prefix, '1d');
  assert.equal(s.reads, [4096]);
  assert.equal(metas, (await readWindowObject(store, t.prefix, '1d'))!.metas);
  assert.equal(metas!.get(100)!.versionId, built[1].versionId);
});
ranged('a header longer than 4,096 bytes costs exactly one more read of its length; an absent object one read', async () => {
  const t = { store, prefix: 'snapshots/pi-r/', deviceId: 'pi-r', builder: 'lambda' as const };
  await recordWindowFailure(t, '10d', GRANULARITIES, new Error('x'.repeat(2_000)), TO_MS);
  const end = windowObjectHeaderEnd((await store.get(t.prefix + windowObjectKey('10d')))!.body);
  assert.ok(end > 4096, `header ends at ${end}`);
  const s = counting();
  const metas = await readWindowMetas(s, t.prefix, '10d');
  assert.equal(s.reads, [4096, end]);
  assert.is(metas!.get(20)!.lastError, `Error: ${'x'.repeat(2_000)}`);
  const none = counting();
  assert.is(await readWindowMetas(none, t.prefix, '3m'), undefined);
  assert.equal(none.reads, [-1]);
});
ranged.after(async () => s3.close());
ranged.run();
