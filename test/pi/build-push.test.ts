/**
 * GET /samples/builds: builds pushed as Server-Sent Events, over real parts: `createPiApi` served by
 * node:http on 127.0.0.1, builds run by `runBuild` over a SQLite buffer into `FsObjectStore` through
 * the API's `publishingStore` (as the daemon's scheduled builds), and refresh jobs. Each test waits
 * for the event it expects (no timing).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, fallbackPrefix, windowObjectKey } from '../../builder/constants.js';
import { runBuild } from '../../builder/run-build.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { decodeWindowObject } from '../../builder/window-object.js';
import { publishedBuildsOf } from '../../api/build-feed.js';
import type { PublishedBuild } from '../../api/ports.js';
import { createPiApi } from '../../pi/pi-api.js';
import { startNodeServer, type RunningServer } from '../../platform/node-http-api.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { silentLog } from '../../builder/ports.js';
import { httpSend } from '../support/api-transports.js';

const DEVICE = 'pi-porch';
const SERIES = 'sht31-44.tempC';
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

interface World { dir: string; buffer: SqliteBuffer; server: RunningServer; publishingStore: (inner: FsObjectStore) => import('../../builder/ports.js').ObjectStore; idle: () => Promise<void> }
const world = {} as World;

/** An open event stream: the `build` events so far, and a way to wait for the next matching one. */
interface Stream { status: number; contentType: string; builds: PublishedBuild[]; waitFor(match: (b: PublishedBuild) => boolean): Promise<PublishedBuild>; close(): void }

function openStream(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    const builds: PublishedBuild[] = [];
    const waiting: Array<{ match: (b: PublishedBuild) => boolean; resolve: (b: PublishedBuild) => void }> = [];
    req = httpRequest(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (!/^event: build$/m.test(block)) continue;
          const build = JSON.parse(/^data: (.*)$/m.exec(block)![1]) as PublishedBuild;
          builds.push(build);
          for (const w of waiting.filter((x) => x.match(build))) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(build);
          }
        }
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode!, contentType: String(res.headers['content-type']), builds,
        waitFor: (match) => {
          const seen = builds.find(match);
          return seen ? Promise.resolve(seen) : new Promise((r) => waiting.push({ match, resolve: r }));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The bytes of the window object of `w` as stored in the data dir. */
const readObject = (w: '1h' | '1d'): Uint8Array => readFileSync(join(world.dir, 'snapshots', DEVICE, windowObjectKey(w)));
const readMeta = (w: '1h' | '1d', g: 20 | 100 | 250 | 500): SnapshotMeta => decodeWindowObject(readObject(w)).metas.get(g)!;

const push = suite('GET /samples/builds over node:http');
push.before(async () => {
  world.dir = mkdtempSync(join(tmpdir(), 'build-push-test-'));
  world.buffer = SqliteBuffer.open(join(world.dir, 'sensorctl.db'));
  world.buffer.defineSeries([{ deviceId: DEVICE, seriesId: SERIES, sensorId: 'sht31-44', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  world.buffer.insert(DEVICE, Array.from({ length: 120 }, (_, i) => ({ seriesId: SERIES, tsMs: NOW_MS - 30_000 - i * 60_000, value: 20 + (i % 5) * 0.5 })));
  const pi = createPiApi({ snapshotDir: world.dir, deviceId: DEVICE, buffer: world.buffer, clock: { nowMs: () => NOW_MS }, log: silentLog });
  world.publishingStore = pi.publishingStore;
  world.idle = () => pi.jobs.idle();
  world.server = await startNodeServer(pi.api, '127.0.0.1', 0);
});
push.after(async () => {
  await world.server.close();
  await world.idle();
  world.buffer.close();
  rmSync(world.dir, { recursive: true, force: true });
});

push('a scheduled build written through publishingStore (one put of the window object) is pushed once per snapshot, with the meta\'s versionId and generatedAt', async () => {
  const stream = await openStream(`${world.server.url}samples/builds`);
  assert.equal([stream.status, stream.contentType], [200, 'text/event-stream; charset=utf-8']);
  const store = world.publishingStore(new FsObjectStore(world.dir, { fsync: false }));
  await runBuild({ source: world.buffer, store, clock: { nowMs: () => NOW_MS }, log: silentLog, deviceId: DEVICE, builder: 'pi' }, { windows: ['1h'] });
  const pushed = await stream.waitFor((b) => b.window === '1h' && b.granularity === 20);
  const meta = readMeta('1h', 20);
  assert.equal(pushed, { device: DEVICE, window: '1h', granularity: 20, versionId: meta.versionId, generatedAt: new Date(NOW_MS).toISOString(), stale: false });
  assert.ok(meta.versionId !== null);
  await stream.waitFor((b) => b.window === '1h' && b.granularity === 500);
  assert.equal(stream.builds.map((b) => `${b.window}/${b.granularity}`).sort(), ['1h/100', '1h/20', '1h/250', '1h/500'], 'one event per snapshot of the one window object, nothing else');
  assert.equal(stream.builds.map((b) => b.versionId), GRANULARITIES.map((g) => readMeta('1h', g).versionId), 'each with its own meta\'s versionId');
  assert.is(new Set(stream.builds.map((b) => b.versionId)).size, 4);
  stream.close();
});

push('a refresh job\'s build is pushed too, and a second client hears it as well', async () => {
  const a = await openStream(`${world.server.url}samples/builds`);
  const b = await openStream(`${world.server.url}samples/builds`);
  const res = await httpSend(world.server.url, '/samples/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window: '1d', samples: 100 }) });
  assert.is(res.status, 202);
  const [fromA, fromB] = await Promise.all([a, b].map((s) => s.waitFor((x) => x.window === '1d' && x.granularity === 100)));
  assert.equal(fromA, fromB);
  assert.is(fromA.versionId, readMeta('1d', 100).versionId);
  a.close();
  b.close();
});

push('only canonical window objects are builds, four of them: the fallback copy, other keys and other bodies are not', () => {
  const body = readObject('1h');
  const metas = decodeWindowObject(body).metas;
  const builds = publishedBuildsOf(`snapshots/${DEVICE}/${windowObjectKey('1h')}`, body);
  assert.equal(builds, GRANULARITIES.map((g) => ({
    device: DEVICE, window: '1h', granularity: g, versionId: metas.get(g)!.versionId, generatedAt: new Date(NOW_MS).toISOString(), stale: false,
  })));
  assert.ok(builds.every((b) => /^v\d+-[0-9a-f]{16}$/.test(b.versionId!)));
  assert.equal(publishedBuildsOf(`${fallbackPrefix(DEVICE)}${windowObjectKey('1h')}`, body), [], 'the fallback copy');
  assert.equal(publishedBuildsOf(`snapshots/${DEVICE}/latest_1h_20.meta.json`, body), [], 'a key of the earlier layout');
  assert.equal(publishedBuildsOf(`snapshots/${DEVICE}/latest_1h.snapshots.tmp`, body), [], 'not a window object key');
  assert.equal(publishedBuildsOf(`snapshots/${DEVICE}/nested/${windowObjectKey('1h')}`, body), [], 'not directly under a device prefix');
  assert.equal(publishedBuildsOf(`snapshots/${DEVICE}/${windowObjectKey('1h')}`, new TextEncoder().encode('not a window object')), [], 'a body that does not decode');
  assert.equal(publishedBuildsOf(`snapshots/${DEVICE}/${windowObjectKey('1h')}`, body.subarray(0, 40)), [], 'a truncated window object');
});

push('answers 404 with the contract\'s error body where no builds are pushed (an API without a feed, as in the cloud)', async () => {
  const { createApi } = await import('../../api/create-api.js');
  const { MemoryRefreshJobs } = await import('../../api/memory-refresh-jobs.js');
  const { nodeScheduler } = await import('../../platform/node-scheduler.js');
  const fresh = { build: async () => { throw new Error('unused'); } };
  const api = createApi({
    store: new FsObjectStore(world.dir), devices: { list: async () => [DEVICE], defaultId: async () => DEVICE, withSamples: async () => [DEVICE] },
    fresh, jobs: new MemoryRefreshJobs({ builder: fresh, clock: { nowMs: () => NOW_MS } }), clock: { nowMs: () => NOW_MS }, scheduler: nodeScheduler,
  } as unknown as Parameters<typeof createApi>[0]);
  const server = await startNodeServer(api, '127.0.0.1', 0);
  try {
    const res = await httpSend(server.url, '/samples/builds');
    assert.is(res.status, 404);
    const body = JSON.parse(new TextDecoder().decode(res.body)) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'not_found');
    assert.match(body.error.message, /does not push builds; follow \/samples\/latest\/meta/);
  } finally {
    await server.close();
  }
});

push.run();
