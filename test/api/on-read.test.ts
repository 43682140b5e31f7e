/**
 * On-read windows (`ApiOptions.onReadWindows`, the cloud's 1h window, issue 14): `GET /samples/latest`
 * and its meta render the payload through the `FreshBuilder` port per read (no refresh job), one build
 * shared per ~1 s, with the window's TTL; a failed build serves a stored copy, else 503.
 * The world (test/support/api-world.ts) holds a stored canonical 1h copy generated at TO_MS + 2 s and
 * its clock stands at TO_MS + 5 s; its fresh builder builds "as of now" from the fixture samples.
 */
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_VERSION_ID_PATTERN, fallbackPrefix, devicePrefix, windowObjectKey, type Window } from '../../builder/constants.js';
import type { Payload, SnapshotMeta } from '../../builder/types.js';
import { DEVICE, OTHER_DEVICE, TO_MS, makeWorld, type World } from '../support/api-world.js';
import { buildPayload, putSnapshot } from '../support/snapshot-fixtures.js';

const BASE = 'https://api.example';
const get = (w: World, path: string, headers: Record<string, string> = {}) => w.api(new Request(BASE + path, { headers }));
const json = async <T>(res: Response): Promise<T> => JSON.parse(await res.text()) as T;

/** A world whose API renders 1h on read, with a counter of refresh jobs enqueued. */
async function onReadWorld(o: { readCache?: boolean } = {}): Promise<World & { enqueued: () => number }> {
  const w = await makeWorld({ onReadWindows: ['1h'] }, o);
  let enqueued = 0;
  const enqueue = w.jobs.enqueue.bind(w.jobs);
  w.jobs.enqueue = (...args) => (enqueued++, enqueue(...args));
  return Object.assign(w, { enqueued: () => enqueued });
}

/** Delete the window object of `window` under `prefix` (its four snapshots). */
async function deleteUnder(w: World, prefix: string, window: Window): Promise<void> {
  await w.store.delete(prefix + windowObjectKey(window));
  assert.not.ok(await w.store.get(prefix + windowObjectKey(window)), `${prefix}${windowObjectKey(window)} deleted`);
}

const serve = suite('on-read windows: GET /samples/latest');

serve('renders the window now through the fresh builder, not the stored copy and not a refresh job; live headers and window TTL', async () => {
  const w = await onReadWorld();
  const nowMs = w.clock.nowMs();
  const res = await get(w, '/samples/latest?window=1h&samples=100');
  assert.is(res.status, 200);
  assert.is(res.headers.get('x-snapshot-source'), 'live');
  assert.is(res.headers.get('cache-control'), 'public, max-age=30');
  assert.is(res.headers.get('last-updated'), new Date(nowMs).toISOString());
  assert.is(res.headers.get('x-granularity'), '100');
  assert.is(res.headers.get('content-encoding'), null, 'no Accept-Encoding: identity');
  const payload = await json<Payload>(res);
  assert.is(payload.generatedAt, new Date(nowMs).toISOString(), 'not the stored copy (generated at TO_MS + 2 s)');
  assert.equal(payload, buildPayload({ device: DEVICE, window: '1h', granularity: 100, toMs: nowMs, generatedAtMs: nowMs, series: w.series }));
  assert.equal(w.builder.calls, [{ device: DEVICE, window: '1h', granularity: 100 }]);
  assert.is(w.enqueued(), 0, 'no refresh job per read');
  const other = await get(w, '/samples/latest?window=1d&samples=100');
  assert.is(other.headers.get('x-snapshot-source'), 'canonical', 'other windows are read from the store');
});

serve('ETag of the content: 304 on If-None-Match; gzip as negotiated with its own tag; a new build after ~1 s changes it', async () => {
  const w = await onReadWorld();
  const plain = await get(w, '/samples/latest?window=1h&samples=20');
  const tag = plain.headers.get('etag')!;
  assert.match(tag, /^"v[0-9]+-[0-9a-f]{16}-identity"$/);
  const again = await get(w, '/samples/latest?window=1h&samples=20', { 'If-None-Match': tag });
  assert.is(again.status, 304);
  assert.is(again.headers.get('x-snapshot-source'), 'live');
  assert.is(again.headers.get('cache-control'), 'public, max-age=30');
  const zipped = await get(w, '/samples/latest?window=1h&samples=20', { 'Accept-Encoding': 'gzip' });
  assert.is(zipped.headers.get('content-encoding'), 'gzip');
  assert.is(zipped.headers.get('etag'), tag.replace('-identity', ''));
  assert.equal(JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()), JSON.parse(await plain.text()));
  assert.is(w.builder.calls.length, 1, 'three reads within a second: one build');
  w.clock.setMs(w.clock.nowMs() + 60_000);
  const later = await get(w, '/samples/latest?window=1h&samples=20', { 'If-None-Match': tag });
  assert.is(later.status, 200, 'a minute later the content changed');
  assert.is.not(later.headers.get('etag'), tag);
  assert.is(w.builder.calls.length, 2);
});

serve('meta agrees with the payload: same generatedAt and versionId, sha256 and size of the gzip bytes, expiresAt one TTL later, not stale, builder lambda', async () => {
  const w = await onReadWorld();
  const nowMs = w.clock.nowMs();
  const metaRes = await get(w, '/samples/latest/meta?window=1h&samples=500');
  assert.is(metaRes.status, 200);
  assert.is(metaRes.headers.get('x-snapshot-source'), 'live');
  const meta = await json<SnapshotMeta>(metaRes);
  const res = await get(w, '/samples/latest?window=1h&samples=500', { 'Accept-Encoding': 'gzip' });
  const body = Buffer.from(await res.arrayBuffer());
  const payload = JSON.parse(gunzipSync(body).toString()) as Payload;
  assert.is(meta.generatedAt, payload.generatedAt);
  assert.is(meta.generatedAt, new Date(nowMs).toISOString());
  assert.is(meta.expiresAt, new Date(nowMs + 30_000).toISOString());
  assert.match(meta.versionId!, PAYLOAD_VERSION_ID_PATTERN);
  assert.is(res.headers.get('etag'), `"${meta.versionId}"`);
  assert.is(meta.sha256, createHash('sha256').update(body).digest('hex'));
  assert.is(meta.bytes, body.byteLength);
  assert.equal([meta.window, meta.granularity, meta.device, meta.stale, meta.builder, meta.consecutiveFailures, meta.stagedKey], ['1h', 500, DEVICE, false, 'lambda', 0, null]);
  assert.is(meta.pointCount, payload.series[0].points.length);
  assert.is(w.builder.calls.length, 1, 'meta and payload share one build');
  const revalidated = await get(w, '/samples/latest/meta?window=1h&samples=500', { 'If-None-Match': metaRes.headers.get('etag')! });
  assert.is(revalidated.status, 304);
});

serve('concurrent reads of one window share one build, merged granularities included', async () => {
  const w = await onReadWorld();
  w.builder.hold();
  const pending = [
    get(w, '/samples/latest?window=1h&samples=500'),
    get(w, '/samples/latest?window=1h&samples=500', { 'Accept-Encoding': 'gzip' }),
    get(w, '/samples/latest?window=1h&samples=50'),
    get(w, '/samples/latest/meta?window=1h&samples=50'),
  ];
  await new Promise((resolve) => setImmediate(resolve));
  w.builder.release();
  const [a, b, merged, meta] = await Promise.all(pending);
  assert.equal([a.status, b.status, merged.status, meta.status], [200, 200, 200, 200]);
  assert.equal(w.builder.calls, [{ device: DEVICE, window: '1h', granularity: 500 }]);
  assert.is(merged.headers.get('x-granularity'), '50');
  const mergedPayload = await json<Payload>(merged);
  assert.is(mergedPayload.granularity, 50);
  assert.is(mergedPayload.series[0].points.length, 50);
  assert.is((await json<SnapshotMeta>(meta)).generatedAt, mergedPayload.generatedAt);
});

serve('a failed build serves the stored copy (canonical, or the Pi\'s fallback) with a short max-age', async () => {
  const w = await onReadWorld();
  w.builder.failWith = 'DynamoDB throttled (ProvisionedThroughputExceeded)';
  const canonical = await get(w, '/samples/latest?window=1h&samples=100');
  assert.is(canonical.status, 200);
  assert.is(canonical.headers.get('x-snapshot-source'), 'canonical');
  assert.is(canonical.headers.get('cache-control'), 'public, max-age=5');
  assert.equal(await json(canonical), w.stored.get('canonical:1h:100'));
  await deleteUnder(w, devicePrefix(DEVICE), '1h');
  const copy = buildPayload({ device: DEVICE, window: '1h', granularity: 100, toMs: TO_MS, generatedAtMs: TO_MS + 1000, series: w.series });
  await putSnapshot(w.store, copy, { isFallback: true });
  const fallback = await get(w, '/samples/latest?window=1h&samples=100');
  assert.is(fallback.status, 200);
  assert.is(fallback.headers.get('x-snapshot-source'), 'fallback');
  assert.is(fallback.headers.get('cache-control'), 'public, max-age=5');
  assert.equal(await json(fallback), copy);
  const meta = await get(w, '/samples/latest/meta?window=1h&samples=100');
  assert.is(meta.headers.get('x-snapshot-source'), 'fallback');
  assert.is((await json<SnapshotMeta>(meta)).generatedAt, copy.generatedAt);
  assert.is(w.enqueued(), 0);
});

serve('a failed build with no stored copy: 503 unavailable naming the cause', async () => {
  const w = await onReadWorld();
  w.builder.failWith = 'DynamoDB throttled (ProvisionedThroughputExceeded)';
  await deleteUnder(w, devicePrefix(DEVICE), '1h');
  await deleteUnder(w, fallbackPrefix(DEVICE), '1h');
  for (const path of ['/samples/latest?window=1h', '/samples/latest/meta?window=1h']) {
    const res = await get(w, path);
    assert.is(res.status, 503, path);
    assert.is(res.headers.get('retry-after'), '5');
    assert.is(res.headers.get('cache-control'), 'no-store');
    const { error } = await json<{ error: { code: string; message: string } }>(res);
    assert.is(error.code, 'unavailable');
    assert.match(error.message, /1h window of device pi-test is rendered on read.*DynamoDB throttled \(ProvisionedThroughputExceeded\).*no stored copy/);
  }
  w.builder.failWith = undefined;
  const recovered = await get(w, '/samples/latest?window=1h');
  assert.is(recovered.status, 200, 'a failure is not cached');
  assert.is(recovered.headers.get('x-snapshot-source'), 'live');
});

serve('a device without samples has nothing to render from: 404 not_built without a build', async () => {
  const w = await onReadWorld();
  for (const path of [`/samples/latest?window=1h&device=${OTHER_DEVICE}`, `/samples/latest/meta?window=1h&device=${OTHER_DEVICE}`]) {
    const res = await get(w, path);
    assert.is(res.status, 404, path);
    const { error } = await json<{ error: { code: string; message: string } }>(res);
    assert.is(error.code, 'not_built');
    assert.match(error.message, /has no samples yet; its 1h window is rendered on read/);
  }
  assert.is(w.builder.calls.length, 0);
});

serve('a versionId of an on-read window: a stored copy\'s version is served, any other (a live one too) is 404 not_found', async () => {
  const w = await onReadWorld();
  const storedMeta = await putSnapshot(w.store, buildPayload({ device: DEVICE, window: '1h', granularity: 20, toMs: TO_MS, generatedAtMs: TO_MS + 3000, series: w.series }));
  const pinned = await get(w, `/samples/latest?window=1h&samples=20&versionId=${storedMeta.versionId}`);
  assert.is(pinned.status, 200);
  assert.is(pinned.headers.get('x-snapshot-source'), 'canonical');
  const liveMeta = await json<SnapshotMeta>(await get(w, '/samples/latest/meta?window=1h&samples=20'));
  for (const versionId of [liveMeta.versionId!, 'v1569859200000-0123456789abcdef']) {
    const res = await get(w, `/samples/latest?window=1h&samples=20&versionId=${versionId}`);
    assert.is(res.status, 404, versionId);
    const { error } = await json<{ error: { code: string; message: string; parameter: string } }>(res);
    assert.is(error.code, 'not_found');
    assert.is(error.parameter, 'versionId');
    assert.match(error.message, /rendered on read, and on-read windows are not versioned/);
  }
});

serve('fresh=true keeps its behaviour (a refresh job, no-store)', async () => {
  const w = await onReadWorld();
  const res = await get(w, '/samples/latest?window=1h&fresh=true');
  assert.is(res.status, 200);
  assert.is(res.headers.get('x-snapshot-source'), 'fresh');
  assert.is(res.headers.get('cache-control'), 'no-store');
  assert.is(w.enqueued(), 1);
});

serve('without onReadWindows (the Pi) 1h is served from the store', async () => {
  const w = await makeWorld();
  const res = await get(w, '/samples/latest?window=1h&samples=100');
  assert.is(res.headers.get('x-snapshot-source'), 'canonical');
  assert.is(w.builder.calls.length, 0);
});

serve.run();
