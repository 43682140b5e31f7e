/**
 * The cloud on one machine (local/cloud-local.ts), started in this process on the real peers
 * (dynalite, s3rver, fauxqs) with a day of demo samples: the page, the API and the snapshots through
 * the router that follows the stack's CloudFront behaviours, and a refresh job's events streamed
 * through it as they happen (the refresh queue is held, so the first event arrives while the job
 * cannot have ended), ending with `done`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync } from 'node:zlib';
import { devicePrefix, META_TTL_S, windowObjectKey } from '../../builder/constants.js';
import { decodeWindowObject } from '../../builder/window-object.js';
import type { Payload } from '../../builder/types.js';
import { deployedPageConfig, PAGE_CACHE_CONTROL } from '../../cloud/infra/page.js';
import { silentLog } from '../../builder/ports.js';
import { startLocalCloud, type LocalCloud } from '../../local/cloud-local.js';
import { behaviourFor, distributionBehaviours, edgeEncoding } from '../../local/router.js';

let cloud: LocalCloud;

interface SseEvent { type: string; data: Record<string, unknown> }

/** Reads Server-Sent Events off a fetch body one at a time, as they arrive. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  return {
    /** The next event with an `event:` line (comments, `retry:` and heartbeats skipped); `undefined` at the end. */
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const cut = text.indexOf('\n\n');
        if (cut >= 0) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          if (type) return { type, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') };
          continue;
        }
        if (ended) return undefined;
        const r = await reader.read();
        if (r.done) ended = true;
        else text += decoder.decode(r.value, { stream: true });
      }
    },
  };
}

const routes = suite('local cloud: the router follows the stack\'s behaviours');

routes('each path goes to the origin the distribution names, first match wins', () => {
  const b = distributionBehaviours();
  const origin = (path: string) => behaviourFor(path, b).origin;
  assert.is(origin('/samples/refresh/0b7c3f4e-6c11-4d5e-9a0b-1c2d3e4f5a6b/events'), 'stream');
  assert.is(origin('/samples/refresh'), 'api');
  assert.is(origin('/samples/refresh/0b7c3f4e-6c11-4d5e-9a0b-1c2d3e4f5a6b'), 'api');
  assert.is(origin('/samples/latest'), 'api');
  assert.is(origin('/snapshots/demo/latest_1h.snapshots'), 'snapshots');
  assert.is(origin('/fallback/snapshots/demo/latest_10h.snapshots'), 'snapshots');
  assert.is(behaviourFor('/snapshots/demo/latest_1h.snapshots', b).pathPattern, '*.snapshots', 'the window-object behaviour, not the catch-all');
  assert.is(origin('/snapshots/demo/latest_1h_20.meta.json'), 'snapshots', 'an earlier layout\'s key still reaches the bucket');
  assert.is(origin('/snapshots/demo/rollup-state.json'), 'snapshots');
  assert.is(origin('/'), 'page');
  assert.is(origin('/config.json'), 'page');
  assert.is(behaviourFor('/app.0123456789.js', b).cacheControl, PAGE_CACHE_CONTROL.assets);
  assert.is(behaviourFor('/app.js', b).cacheControl, PAGE_CACHE_CONTROL.page);
});

routes('compresses as the behaviours\' compress: true does: Brotli before gzip, compressible types of 1,000–10,000,000 bytes not already encoded', () => {
  assert.is(edgeEncoding('gzip, deflate, br', 'application/javascript', undefined, 90_000), 'br');
  assert.is(edgeEncoding('gzip;q=1.0', 'text/css; charset=utf-8', undefined, 9_000), 'gzip');
  assert.is(edgeEncoding(undefined, 'text/html', undefined, 9_000), undefined, 'the viewer accepts no encoding');
  assert.is(edgeEncoding('br', 'application/json', 'gzip', 9_000), undefined, 'the origin encoded it already (a stored snapshot)');
  assert.is(edgeEncoding('br', 'application/json', undefined, 999), undefined, 'under 1,000 bytes');
  assert.is(edgeEncoding('br', 'image/png', undefined, 9_000), undefined, 'not a compressible type');
});

routes.run();

const local = suite('local cloud (dynalite + s3rver + fauxqs, demo device)');
local.before(async () => {
  cloud = await startLocalCloud({ seedDemo: true, log: process.env.DEBUG_LOCAL ? (await import('../../cli/log.js')).createLogger('debug') : silentLog, schedules: false });
});
local.after(async () => {
  await cloud?.close();
});

local('serves the page with the config.json the stack generates, and the stack\'s Cache-Control', async () => {
  const index = await fetch(`${cloud.url}/`);
  assert.is(index.status, 200);
  assert.match(index.headers.get('content-type')!, /^text\/html/);
  assert.is(index.headers.get('cache-control'), PAGE_CACHE_CONTROL.page);
  const html = await index.text();
  const script = /src="\/?(app\.[0-9a-f]{10}\.js)"/.exec(html)?.[1];
  assert.ok(script, 'index.html names its hashed script');
  const asset = await fetch(`${cloud.url}/${script}`, { headers: { 'accept-encoding': 'gzip, br' } });
  assert.is(asset.status, 200);
  assert.is(asset.headers.get('cache-control'), PAGE_CACHE_CONTROL.assets);
  assert.is(asset.headers.get('content-encoding'), 'br', 'compressed at the edge (the upload stores it plain)');
  assert.match(await asset.text(), /\S/);
  assert.equal(await (await fetch(`${cloud.url}/config.json`)).json(), deployedPageConfig(['demo']));
  assert.is((await fetch(`${cloud.url}/no-such-file.txt`)).status, 403, 'a missing object, as S3 answers CloudFront without ListBucket');
});

local('GET /samples/latest through the router answers the demo samples: 1h rendered on read (live), 10h the builder\'s snapshot on the bucket', async () => {
  const r = await fetch(`${cloud.url}/samples/latest?window=1h&samples=20`);
  assert.is(r.status, 200);
  assert.is(r.headers.get('x-snapshot-source'), 'live', 'the cloud renders 1h on read (issue 14)');
  const payload = (await r.json()) as Payload;
  assert.is(payload.device, 'demo');
  assert.is(payload.window, '1h');
  assert.equal(payload.series.map((s) => s.metric).sort(), ['pressurePa', 'rhPct', 'tempC']);
  const temps = payload.series.find((s) => s.metric === 'tempC')!;
  const values = temps.points.map((p) => ('avg' in p ? p.avg : p.value)).filter((v): v is number => v !== null);
  assert.ok(values.length > 0 && values.every((v) => v >= 17.9 && v <= 26.1), `simulated 18…26 °C, got ${values.slice(0, 5).join(', ')}…`);
  // A scheduled window's build is on the snapshot bucket, where the snapshot behaviours serve it.
  const tenHours = await fetch(`${cloud.url}/samples/latest?window=10h&samples=20`);
  assert.is(tenHours.headers.get('x-snapshot-source'), 'canonical');
  const built = (await tenHours.json()) as Payload;
  const key = devicePrefix('demo') + windowObjectKey('10h');
  const object = await fetch(`${cloud.url}/${key}`);
  assert.is(object.status, 200);
  assert.is(object.headers.get('content-type'), 'application/octet-stream');
  assert.is(object.headers.get('cache-control'), `public, max-age=${META_TTL_S}`);
  const stored = decodeWindowObject(new Uint8Array(await object.arrayBuffer()));
  const meta = stored.metas.get(20)!;
  assert.equal([meta.key, meta.generatedAt], [key, built.generatedAt]);
  assert.is((JSON.parse(gunzipSync(stored.payload(20)!).toString('utf8')) as Payload).generatedAt, built.generatedAt);
});

local('POST /samples/refresh: 202 with an eventsUrl; its events stream through the router as they happen and end with done', async () => {
  await cloud.pauseQueue();
  const accepted = await fetch(`${cloud.url}/samples/refresh?window=12m&samples=100`, { method: 'POST' });
  assert.is(accepted.status, 202);
  const job = (await accepted.json()) as { requestId: string; statusUrl: string; eventsUrl: string };
  assert.is(job.eventsUrl, `/samples/refresh/${job.requestId}/events`);

  const stream = await fetch(`${cloud.url}${job.eventsUrl}`);
  assert.is(stream.status, 200);
  assert.is(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.is(stream.headers.get('content-encoding'), null, 'not compressed (a compressed stream is buffered)');
  const events = sseReader(stream.body!);
  const first = await events.next();
  assert.equal(first, { type: 'queued', data: { window: '12m', granularity: 100, device: 'demo' } });
  // The queue is held: the job cannot have started, yet its first event is here and the stream is open.
  const status = (await (await fetch(`${cloud.url}${job.statusUrl}`)).json()) as { status: string };
  assert.is(status.status, 'queued');

  cloud.resumeQueue();
  const rest: SseEvent[] = [];
  for (let e = await events.next(); e; e = await events.next()) rest.push(e);
  const types = rest.map((e) => e.type);
  assert.is(types[0], 'started');
  assert.is(types[types.length - 1], 'done', `events: ${types.join(', ')}`);
  assert.ok(types.slice(1, -1).every((t) => t === 'progress'), `events: ${types.join(', ')}`);
  const done = rest[rest.length - 1].data as { generatedAt: string; resultUrl: string };
  assert.match(done.resultUrl, /^\/samples\/latest\?window=12m&samples=100&device=demo&versionId=v\d+-[0-9a-f]+$/);
  const result = await fetch(`${cloud.url}${done.resultUrl}`);
  assert.is(result.status, 200);
  assert.is(result.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.is(((await result.json()) as Payload).generatedAt, done.generatedAt);
});

local.run();
