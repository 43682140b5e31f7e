/**
 * The API behaviour suite, run against the core directly and through both adapters
 * (test/api/create-api.test.ts, node-http-api.test.ts, lambda-http-api.test.ts).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WINDOW_NAMES, devicePrefix, windowObjectKey } from '../../builder/constants.js';
import { payloadObjectOf, readWindowObject } from '../../builder/publish.js';
import type { BucketPoint, Payload, RawPoint } from '../../builder/types.js';
import { DEVICE, GAP, TO_MS, makeWorld, type World } from './api-world.js';
import type { RawResponse, Transport } from './api-transports.js';
import { bucketize, frame } from './snapshot-fixtures.js';

type Api = (req: Request) => Promise<Response>;
export type MakeTransport = (api: Api) => Promise<Transport>;

const GZIP = { 'Accept-Encoding': 'gzip, deflate, br' };

/** The decoded JSON body (gunzipped when the response says gzip). */
export function bodyJson(res: RawResponse): any {
  const bytes = res.headers.get('content-encoding') === 'gzip' ? gunzipSync(res.body) : Buffer.from(res.body);
  return JSON.parse(bytes.toString('utf8'));
}

function assertPointsMatch(actual: BucketPoint[], expected: BucketPoint[]): void {
  assert.is(actual.length, expected.length);
  actual.forEach((p, i) => {
    const e = expected[i];
    assert.equal([p.startMs, p.count, p.min, p.max], [e.startMs, e.count, e.min, e.max], `point ${i}`);
    if (e.avg === null) assert.is(p.avg, null);
    else assert.ok(Math.abs(p.avg! - e.avg) <= 1e-9 * Math.abs(e.avg), `avg ${i}: ${p.avg} vs ${e.avg}`);
    if (e.sum === null) assert.is(p.sum, null, `sum ${i}`);
    else assert.ok(Math.abs(p.sum! - e.sum) <= 1e-9 * Math.max(1, Math.abs(e.sum)), `sum ${i}: ${p.sum} vs ${e.sum}`);
  });
}

interface Ctx {
  world: World;
  t: Transport;
}

function withWorld(name: string, make: MakeTransport) {
  const s = suite<Ctx>(name, {} as Ctx);
  s.before.each(async (ctx) => {
    ctx.world = await makeWorld();
    ctx.t = await make(ctx.world.api);
  });
  s.after.each(async (ctx) => {
    ctx.world.builder.release();
    await ctx.t.close();
  });
  return s;
}

function latestSuite(label: string, make: MakeTransport) {
  const s = withWorld(`${label}: GET /samples/latest`, make);

  s('serves the prebuilt 1d/100 object as stored, gzip, with the CDN headers', async ({ world, t }) => {
    const res = await t.send('/samples/latest?window=1d&samples=100', { headers: GZIP });
    const stored = payloadObjectOf((await readWindowObject(world.store, devicePrefix(DEVICE), '1d'))!, devicePrefix(DEVICE), 100)!;
    assert.is(res.status, 200);
    assert.is(res.headers.get('content-encoding'), 'gzip');
    assert.equal(Buffer.from(res.body), Buffer.from(stored.body));
    assert.is(res.headers.get('cache-control'), 'public, max-age=300');
    assert.is(res.headers.get('etag'), stored.etag);
    assert.is(res.headers.get('last-modified'), new Date(stored.lastModifiedMs).toUTCString());
    assert.is(res.headers.get('last-updated'), new Date(TO_MS + 2000).toISOString());
    assert.is(res.headers.get('x-granularity'), '100');
    assert.is(res.headers.get('x-snapshot-source'), 'canonical');
    assert.match(res.headers.get('vary') ?? '', 'Accept-Encoding');
    const payload = bodyJson(res) as Payload;
    assert.equal(payload, world.stored.get('canonical:1d:100'));
    assert.equal(payload.series.map((x) => x.points.length), [100, 100]);
  });

  s('decodes the payload for clients that do not accept gzip, under a distinct ETag', async ({ world, t }) => {
    const res = await t.send('/samples/latest?window=1d&samples=100', { headers: { 'Accept-Encoding': 'identity' } });
    assert.is(res.status, 200);
    assert.is(res.headers.get('content-encoding'), null);
    assert.equal(bodyJson(res), world.stored.get('canonical:1d:100'));
    assert.match(res.headers.get('etag')!, /-identity"$/);
  });

  s('answers 304 without a body when If-None-Match holds the ETag', async ({ t }) => {
    const first = await t.send('/samples/latest?window=1h&samples=20', { headers: GZIP });
    const again = await t.send('/samples/latest?window=1h&samples=20', { headers: { ...GZIP, 'If-None-Match': `"nope", ${first.headers.get('etag')}` } });
    assert.is(again.status, 304);
    assert.is(again.body.byteLength, 0);
    assert.is(again.headers.get('etag'), first.headers.get('etag'));
    assert.is(again.headers.get('cache-control'), 'public, max-age=30');
  });

  s('defaults to 500 samples: the 1h window holds 60 samples, so its 500 variant is raw', async ({ world, t }) => {
    const res = await t.send('/samples/latest?minutes=60', { headers: GZIP });
    const payload = bodyJson(res) as Payload;
    assert.is(res.headers.get('x-granularity'), '500');
    assert.is(payload.resolution, 'raw');
    assert.is(payload.series[0].points.length, 60);
    assert.equal(payload, world.stored.get('canonical:1h:500'));
  });

  s('merges the 500 variant exactly into 50 buckets when samples=50 (brute force from raw rows)', async ({ world, t }) => {
    const res = await t.send('/samples/latest?window=1d&samples=50');
    const payload = bodyJson(res) as Payload;
    assert.is(res.headers.get('x-granularity'), '50');
    assert.is(payload.granularity, 50);
    assert.is(payload.bucketMs, 86_400_000 / 50);
    const { firstMs, widthMs } = frame('1d', 50, TO_MS);
    assert.is(payload.from, new Date(firstMs).toISOString());
    payload.series.forEach((series, i) => assertPointsMatch(series.points as BucketPoint[], bucketize(world.series[i].samples, firstMs, widthMs, 50, TO_MS)));
    const inGap = (payload.series[0].points as BucketPoint[]).filter((p) => p.startMs >= GAP.fromMs && p.startMs + widthMs <= GAP.toMs);
    assert.ok(inGap.length >= 1);
    assert.ok(inGap.every((p) => p.count === 0 && p.avg === null && p.min === null));
  });

  s('buckets a raw 500 variant exactly when samples=10 on 1h: 9 full 6-minute buckets and a last one holding only `to`', async ({ world, t }) => {
    const payload = bodyJson(await t.send('/samples/latest?window=1h&samples=10', { headers: GZIP })) as Payload;
    const { firstMs, widthMs } = frame('1h', 10, TO_MS);
    assert.is(payload.resolution, 'bucketed');
    payload.series.forEach((series, i) => assertPointsMatch(series.points as BucketPoint[], bucketize(world.series[i].samples, firstMs, widthMs, 10, TO_MS)));
    assert.equal((payload.series[0].points as BucketPoint[]).map((p) => p.count), [6, 6, 6, 6, 6, 6, 6, 6, 6, 1]);
    assert.ok(payload.lastBucketPartial);
  });

  s('serves the nearest lower prebuilt granularity otherwise (300 → 250, 7 → 20)', async ({ t }) => {
    const r300 = await t.send('/samples/latest?days=1&samples=300');
    assert.is(r300.headers.get('x-granularity'), '250');
    assert.is((bodyJson(r300) as Payload).series[0].points.length, 250);
    const r7 = await t.send('/samples/latest?days=1&samples=7');
    assert.is(r7.headers.get('x-granularity'), '20');
  });

  s('serves the fallback copy when the canonical meta is stale and the fallback is newer', async ({ world, t }) => {
    const res = await t.send('/samples/latest?hours=10&samples=100');
    assert.is(res.status, 200);
    assert.is(res.headers.get('x-snapshot-source'), 'fallback');
    assert.equal(bodyJson(res), world.stored.get('fallback:10h:100'));
  });

  s('keeps the stale canonical copy when the fallback is older', async ({ world, t }) => {
    const res = await t.send('/samples/latest?days=10&samples=100');
    assert.is(res.headers.get('x-snapshot-source'), 'canonical');
    assert.equal(bodyJson(res), world.stored.get('canonical:10d:100'));
  });

  s('serves the current versionId pinned, immutable, and 404 for a version a later build replaced', async ({ world, t }) => {
    const current = (await readWindowObject(world.store, devicePrefix(DEVICE), '1d'))!.metas.get(100)!.versionId!;
    assert.is.not(current, world.oldVersionId);
    const res = await t.send(`/samples/latest?window=1d&samples=100&versionId=${current}`);
    assert.is(res.status, 200);
    assert.equal(bodyJson(res), world.stored.get('canonical:1d:100'));
    assert.is(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    // A window object holds one version per snapshot: the 1d/100 put first (`old:1d:100`) was replaced.
    const gone = await t.send(`/samples/latest?window=1d&samples=100&versionId=${world.oldVersionId}`);
    assert.is(gone.status, 404);
    assert.equal(bodyJson(gone).error.code, 'not_found');
    assert.equal(bodyJson(gone).error.parameter, 'versionId');
  });

  s('answers 503 naming the damage for a window object that cannot be decoded (was 404 "never built")', async ({ world, t }) => {
    await world.store.put(devicePrefix(DEVICE) + windowObjectKey('1d'), new TextEncoder().encode('garbage'), { contentType: 'application/octet-stream' });
    for (const path of ['/samples/latest?window=1d&samples=100', '/samples/latest/meta?window=1d&samples=100']) {
      const res = await t.send(path);
      assert.is(res.status, 503, path);
      assert.is(bodyJson(res).error.code, 'unavailable');
      assert.match(bodyJson(res).error.message, 'the stored 1d snapshots of device pi-test are damaged (canonical 1d window object: snapshot meta unreadable: not a window object (the first 8 bytes are not SNAPWIN1))');
      assert.is(res.headers.get('retry-after'), '300');
    }
    assert.is((await t.send('/samples/latest?window=1h&samples=100')).status, 200, 'the other windows are served');
  });

  s('answers 503 for a payload whose bytes differ from its meta\'s sha256 (a flipped bit), never a broken gzip body', async ({ world, t }) => {
    const key = devicePrefix(DEVICE) + windowObjectKey('1d');
    const body = new Uint8Array((await world.store.get(key))!.body);
    const section = (await readWindowObject(world.store, devicePrefix(DEVICE), '1d'))!.payload(100)!;
    body[section.byteOffset + Math.floor(section.byteLength / 2)] ^= 0x10;
    await world.store.put(key, body, { contentType: 'application/octet-stream' });
    const res = await t.send('/samples/latest?window=1d&samples=100', { headers: GZIP });
    assert.is(res.status, 503);
    assert.match(bodyJson(res).error.message, /payload 100 has sha256 [0-9a-f]{16}…, its meta says [0-9a-f]{16}…/);
    assert.is((await t.send('/samples/latest?window=1d&samples=20', { headers: GZIP })).status, 200, 'the intact payloads of the window are served');
  });

  s('answers 404 not_built for snapshots never built and for a known device without snapshots', async ({ t }) => {
    const res = await t.send('/samples/latest?window=3m');
    assert.is(res.status, 404);
    assert.is(bodyJson(res).error.code, 'not_built');
    assert.is((await t.send('/samples/latest?window=1h&device=pi-shed')).status, 404);
  });

  s('answers 404 naming the known devices for an unknown device', async ({ t }) => {
    const res = await t.send('/samples/latest?window=1h&device=pi-nowhere');
    assert.is(res.status, 404);
    assert.equal(bodyJson(res).error, {
      status: 404, code: 'not_found', message: 'device pi-nowhere is unknown', parameter: 'device', allowed: ['pi-test', 'pi-shed'],
    });
  });

  s('answers HEAD with the headers, the Content-Length of the GET body, and no body', async ({ t }) => {
    const res = await t.send('/samples/latest?window=1d&samples=20', { method: 'HEAD', headers: GZIP });
    const get = await t.send('/samples/latest?window=1d&samples=20', { headers: GZIP });
    assert.is(res.status, 200);
    assert.is(res.body.byteLength, 0);
    assert.is(res.headers.get('x-granularity'), '20');
    assert.ok(get.body.byteLength > 100);
    assert.is(res.headers.get('content-length'), String(get.body.byteLength));
  });

  s('ignores cache-buster and tracker parameters (_=<time>, utm_*), which cannot change the answer', async ({ world, t }) => {
    const res = await t.send(`/samples/latest?window=1d&samples=100&_=${TO_MS}&utm_source=wall`, { headers: GZIP });
    assert.is(res.status, 200);
    assert.equal(bodyJson(res), world.stored.get('canonical:1d:100'));
    assert.is((await t.send('/samples/latest?window=1d&sample=100')).status, 400, 'a misspelt parameter is still an error');
  });

  s('gives the meta an ETag of its content and answers 304 to If-None-Match, so a page following the snapshots revalidates cheaply', async ({ t }) => {
    const first = await t.send('/samples/latest/meta?window=1d&samples=100');
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"m-[0-9a-f]{8}"$/);
    const again = await t.send('/samples/latest/meta?window=1d&samples=100', { headers: { 'If-None-Match': etag } });
    assert.equal([again.status, again.body.byteLength, again.headers.get('etag')], [304, 0, etag]);
    const other = await t.send('/samples/latest/meta?window=1h&samples=100', { headers: { 'If-None-Match': etag } });
    assert.is(other.status, 200, 'another snapshot has another tag');
  });

  s('returns the meta of the snapshot it would serve, fallback included', async ({ t }) => {
    const res = await t.send('/samples/latest/meta?window=10h&samples=100');
    assert.is(res.status, 200);
    assert.is(res.headers.get('cache-control'), 'public, max-age=10');
    assert.is(res.headers.get('x-snapshot-source'), 'fallback');
    const meta = bodyJson(res);
    assert.is(meta.window, '10h');
    assert.is(meta.stale, false);
    assert.is(meta.generatedAt, new Date(TO_MS - 3_600_000 + 2000).toISOString());
  });
  return s;
}

/** [query, status, code, parameter] of bad inputs. */
export const BAD_QUERIES: Array<[string, number, string, string]> = [
  ['window=2h', 400, 'bad_parameter', 'window'],
  ['window=1h&samples=abc', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=0', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=501', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=1e9', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=-5', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=2.5', 400, 'bad_parameter', 'samples'],
  ['window=1h&samples=99999999999999999999999', 400, 'bad_parameter', 'samples'],
  ['window=1h&window=1d', 400, 'repeated_parameter', 'window'],
  ['window=1h&color=red', 400, 'unknown_parameter', 'color'],
  ['window=1h&hours=1', 400, 'bad_parameter', 'hours'],
  ['hours=2', 400, 'bad_parameter', 'hours'],
  ['', 400, 'bad_parameter', 'window'],
  ['window=1h&fresh=yes', 400, 'bad_parameter', 'fresh'],
  ['window=1h&device=..%2F..%2Fetc', 400, 'bad_parameter', 'device'],
  ['window=1h&versionId=..%2Fx', 400, 'bad_parameter', 'versionId'],
  ['window=1h&fresh=true&versionId=v1', 400, 'bad_parameter', 'fresh'],
];

function badInputSuite(label: string, make: MakeTransport) {
  const s = withWorld(`${label}: bad input`, make);

  s('answers window=2h with 400 naming window and the six allowed windows', async ({ t }) => {
    const res = await t.send('/samples/latest?window=2h');
    assert.is(res.status, 400);
    assert.is(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(bodyJson(res), {
      error: { status: 400, code: 'bad_parameter', message: 'window="2h" is not allowed', parameter: 'window', allowed: WINDOW_NAMES },
    });
  });

  s('answers every bad query with a 400 naming the parameter', async ({ t }) => {
    for (const [query, status, code, parameter] of BAD_QUERIES) {
      const res = await t.send(`/samples/latest?${query}`);
      const { error } = bodyJson(res);
      assert.is(res.status, status, query);
      assert.equal([error.status, error.code, error.parameter], [status, code, parameter], query);
      assert.type(error.message, 'string');
      assert.not.match(JSON.stringify(error), /at \w+ \(|\.ts:\d+/, 'no stack trace');
    }
  });

  s('lists the allowed values: samples range and prebuilt sizes, hours 1 and 10', async ({ t }) => {
    assert.equal(bodyJson(await t.send('/samples/latest?window=1h&samples=501')).error.allowed, ['1..500', '20', '100', '250', '500']);
    assert.equal(bodyJson(await t.send('/samples/latest?hours=2')).error.allowed, ['1', '10']);
  });

  s('rejects malformed and traversing request ids with 400, unknown ids with 404', async ({ t }) => {
    for (const id of ['not-a-uuid', '..%2F..%2Fetc%2Fpasswd', '%00', 'A0000000-0000-4000-8000-000000000000']) {
      const res = await t.send(`/samples/refresh/${id}`);
      assert.is(res.status, 400, id);
      assert.is(bodyJson(res).error.parameter, 'requestId');
    }
    const res = await t.send('/samples/refresh/00000000-0000-4000-8000-000000000000');
    assert.is(res.status, 404);
  });

  s('answers unknown paths 404 and wrong methods 405 with Allow', async ({ t }) => {
    assert.is((await t.send('/samples/oldest?window=1h')).status, 404);
    const res = await t.send('/samples/latest?window=1h', { method: 'DELETE' });
    assert.is(res.status, 405);
    assert.is(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.is(bodyJson(res).error.code, 'method_not_allowed');
  });

  s('answers a refresh body over 4096 bytes with 413 and the JSON error body', async ({ world, t }) => {
    const res = await t.send('/samples/refresh', { method: 'POST', body: JSON.stringify({ window: '1d', pad: 'x'.repeat(5000) }) });
    assert.is(res.status, 413);
    assert.equal([bodyJson(res).error.code, bodyJson(res).error.parameter], ['payload_too_large', 'body']);
    assert.is(world.builder.calls.length, 0);
  });

  s('rejects refresh bodies that are not a JSON object of strings and numbers', async ({ t }) => {
    const cases: Array<[string, string]> = [['window=1d', 'body'], ['[1]', 'body'], ['{"window":"2h"}', 'window'], ['{"window":["1d"]}', 'window'], ['{"window":"1d","x":1}', 'x']];
    for (const [body, parameter] of cases) {
      const res = await t.send('/samples/refresh', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      assert.is(res.status, 400, body);
      assert.is(bodyJson(res).error.parameter, parameter, body);
    }
  });
  return s;
}

function freshSuite(label: string, make: MakeTransport) {
  const s = withWorld(`${label}: fresh=true`, make);

  s('answers 200 with the fresh payload, no-store, when the build ends within the budget', async ({ world, t }) => {
    world.clock.setMs(TO_MS + 90_000);
    const res = await t.send('/samples/latest?window=1d&samples=100&fresh=true', { headers: GZIP });
    assert.is(res.status, 200);
    assert.is(res.headers.get('x-snapshot-source'), 'fresh');
    assert.is(res.headers.get('cache-control'), 'no-store');
    const payload = bodyJson(res) as Payload;
    assert.is(payload.generatedAt, new Date(TO_MS + 90_000).toISOString());
    const { firstMs, widthMs } = frame('1d', 100, TO_MS + 90_000);
    assertPointsMatch(payload.series[0].points as BucketPoint[], bucketize(world.series[0].samples, firstMs, widthMs, 100, TO_MS + 90_000));
    assert.equal(world.builder.calls, [{ device: DEVICE, window: '1d', granularity: 100 }]);
  });

  s('answers 202 with the job when the budget runs out, and the job keeps going', async ({ world, t }) => {
    world.builder.hold();
    const pending = t.send('/samples/latest?window=12m&fresh=true');
    await world.scheduler.waitFor(3000);
    world.scheduler.fire(3000);
    const res = await pending;
    assert.is(res.status, 202);
    const body = bodyJson(res);
    assert.match(body.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.is(body.statusUrl, `/samples/refresh/${body.requestId}`);
    assert.is(body.eventsUrl, `/samples/refresh/${body.requestId}/events`);
    assert.is(body.etaMs, 2000);
    assert.is(body.eta, new Date(TO_MS + 5000 + 2000).toISOString());
    world.builder.release();
    await world.jobs.idle();
    const status = bodyJson(await t.send(body.statusUrl));
    assert.is(status.status, 'done');
    assert.is(status.data.window, '12m');
    assert.is(status.data.series[0].points.length, 500);
  });

  s('answers 202 at once with the running job when a rebuild for that device/window runs', async ({ world, t }) => {
    world.builder.hold();
    const posted = bodyJson(await t.send('/samples/refresh?window=1d', { method: 'POST' }));
    const res = await t.send('/samples/latest?window=1d&samples=20&fresh=true');
    assert.is(res.status, 202);
    assert.is(bodyJson(res).requestId, posted.requestId);
    assert.is(world.scheduler.count(3000), 0);
  });

  s('serves the stored snapshot (no-store) when the fresh build fails within the budget', async ({ world, t }) => {
    world.builder.failWith = 'SQLITE_BUSY: database is locked';
    const res = await t.send('/samples/latest?window=1d&samples=100&fresh=true');
    assert.is(res.status, 200);
    assert.is(res.headers.get('x-snapshot-source'), 'canonical');
    assert.is(res.headers.get('cache-control'), 'no-store');
    assert.equal(bodyJson(res), world.stored.get('canonical:1d:100'));
  });
  return s;
}

function refreshSuite(label: string, make: MakeTransport) {
  const s = withWorld(`${label}: refresh jobs`, make);

  s('queues a job (202 + Location), reuses it per device/window, and reports it until done', async ({ world, t }) => {
    world.builder.hold();
    const res = await t.send('/samples/refresh', { method: 'POST', body: JSON.stringify({ window: '1d', samples: 100 }), headers: { 'Content-Type': 'application/json' } });
    assert.is(res.status, 202);
    const job = bodyJson(res);
    assert.is(res.headers.get('location'), job.statusUrl);
    const again = bodyJson(await t.send('/samples/refresh?days=1&samples=20', { method: 'POST' }));
    assert.is(again.requestId, job.requestId);
    const running = bodyJson(await t.send(job.statusUrl));
    assert.equal([running.status, running.progress, running.window, running.granularity, running.device], ['running', 0.5, '1d', 100, DEVICE]);
    world.builder.release();
    await world.jobs.idle();
    const done = bodyJson(await t.send(job.statusUrl));
    assert.equal([done.status, done.progress, done.resultUrl], ['done', 1, `/samples/latest?window=1d&samples=100&device=${DEVICE}`]);
    assert.is(done.data.series[0].points.length, 100);
    assert.is(done.generatedAt, done.data.generatedAt);
    assert.is.not(bodyJson(await t.send('/samples/refresh?window=1d', { method: 'POST' })).requestId, job.requestId);
  });

  s('lists the devices with samples and their default; refuses to refresh a device without samples, naming those present', async ({ world, t }) => {
    const devices = await t.send('/samples/devices');
    assert.is(devices.status, 200);
    assert.equal(bodyJson(devices), { devices: [{ id: DEVICE }], defaultDevice: DEVICE });
    const res = await t.send('/samples/refresh', { method: 'POST', body: JSON.stringify({ window: '1d', device: 'pi-shed' }) });
    assert.is(res.status, 409);
    assert.equal(bodyJson(res).error, { status: 409, code: 'no_samples', parameter: 'device', message: `device pi-shed has no samples; devices with samples: ${DEVICE}`, allowed: [DEVICE] });
    assert.is(world.builder.calls.length, 0);
  });

  s('reports a failed job with its error and no stack', async ({ world, t }) => {
    world.builder.failWith = 'raw store unreachable';
    const job = bodyJson(await t.send('/samples/refresh?window=10d', { method: 'POST' }));
    await world.jobs.idle();
    const status = bodyJson(await t.send(job.statusUrl));
    assert.equal([status.status, status.error], ['failed', 'raw store unreachable']);
  });
  return s;
}

function corsSuite(label: string, make: MakeTransport) {
  const s = withWorld(`${label}: CORS`, make);

  s('echoes an allowed origin and exposes the snapshot headers', async ({ t }) => {
    const res = await t.send('/samples/latest?window=1h', { headers: { Origin: 'https://dash.example' } });
    assert.is(res.headers.get('access-control-allow-origin'), 'https://dash.example');
    assert.match(res.headers.get('vary')!, 'Origin');
    assert.match(res.headers.get('access-control-expose-headers')!, 'Last-Updated');
    assert.match(res.headers.get('access-control-expose-headers')!, 'X-Snapshot-Source');
  });

  s('gives other origins no Allow-Origin, on errors too', async ({ t }) => {
    const res = await t.send('/samples/latest?window=2h', { headers: { Origin: 'https://evil.example' } });
    assert.is(res.status, 400);
    assert.is(res.headers.get('access-control-allow-origin'), null);
  });

  s('answers an OPTIONS preflight with 204 and the route methods', async ({ t }) => {
    const res = await t.send('/samples/refresh', { method: 'OPTIONS', headers: { Origin: 'https://dash.example', 'Access-Control-Request-Method': 'POST' } });
    assert.is(res.status, 204);
    assert.is(res.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.is(res.headers.get('access-control-allow-origin'), 'https://dash.example');
    assert.match(res.headers.get('access-control-allow-headers')!, 'Last-Event-ID');
  });
  return s;
}

/** Define and run every shared suite through `make`. */
export function runApiBehaviour(label: string, make: MakeTransport): void {
  for (const define of [latestSuite, badInputSuite, freshSuite, refreshSuite, corsSuite]) define(label, make).run();
}

export type { RawPoint };
