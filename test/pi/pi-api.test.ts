/**
 * The Pi's API over real parts: SQLite buffer (temp file), `FsObjectStore` over a temp data dir,
 * `PiFreshBuilder` + `WindowLocks`, node:http on 127.0.0.1. Payloads are checked against a
 * brute-force bucketing of the inserted rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WindowLocks } from '../../pi/pi-fresh-builder.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { startNodeServer, type RunningServer } from '../../platform/node-http-api.js';
import { createPiApi } from '../../pi/pi-api.js';
import { devicePrefix, fallbackPrefix } from '../../builder/constants.js';
import { readStoredMeta, readWindowObject } from '../../builder/publish.js';
import { putWindowSnapshot } from '../support/snapshot-fixtures.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { runBuild } from '../../builder/run-build.js';
import type { BucketPoint, Payload, Sample } from '../../builder/types.js';
import { httpSend } from '../support/api-transports.js';
import { recordingLogger } from '../support/recording-logger.js';

const DEVICE = 'pi-kitchen';
const SERIES = 'bme280-76.tempC';
/** The fixed "now" of every clock here (not on a sample: samples sit 30 s before each minute). */
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

interface World { dir: string; buffer: SqliteBuffer; samples: Sample[]; locks: WindowLocks; servers: RunningServer[] }
const world = {} as World;

function setupWorld(): void {
  world.dir = mkdtempSync(join(tmpdir(), 'pi-api-test-'));
  world.buffer = SqliteBuffer.open(join(world.dir, 'sensorctl.db'));
  world.buffer.defineSeries([{ deviceId: DEVICE, seriesId: SERIES, sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  // One sample a minute for 3 h before NOW, values on a 0.25 grid (exact in binary).
  world.samples = Array.from({ length: 180 }, (_, i) => ({ seriesId: SERIES, tsMs: NOW_MS - 30_000 - i * 60_000, value: 20 + (i % 7) * 0.25 }));
  world.buffer.insert(DEVICE, world.samples);
  world.locks = new WindowLocks();
  world.servers = [];
}

async function teardownWorld(): Promise<void> {
  for (const s of world.servers) await s.close();
  world.buffer.close();
  rmSync(world.dir, { recursive: true, force: true });
}

async function serve(freshBudgetMs: number): Promise<{ url: string; idle: () => Promise<void> }> {
  const clock = { nowMs: () => NOW_MS };
  const { api, jobs } = createPiApi({
    snapshotDir: world.dir, deviceId: DEVICE, buffer: world.buffer, locks: world.locks, clock, log: recordingLogger(),
    snapshotCacheMs: 0, options: { freshBudgetMs },
  });
  const server = await startNodeServer(api, '127.0.0.1', 0);
  world.servers.push(server);
  return { url: server.url, idle: () => jobs.idle() };
}

/** Brute force: count/avg/min/max of the samples in [startMs, startMs + bucketMs) and ≤ NOW. */
function expectedBucket(startMs: number, bucketMs: number): Pick<BucketPoint, 'count' | 'avg' | 'min' | 'max'> {
  const values = world.samples.filter((s) => s.tsMs >= startMs && s.tsMs < startMs + bucketMs && s.tsMs <= NOW_MS).map((s) => s.value);
  if (!values.length) return { count: 0, avg: null, min: null, max: null };
  return { count: values.length, avg: values.reduce((a, v) => a + v, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

/** Read a Server-Sent Events stream to its end; returns the event types in order. */
function readEvents(url: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text.split('\n\n').filter((b) => /^event: /m.test(b)).map((b) => ({
        type: /^event: (.*)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as Record<string, unknown>,
      }))));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

const fresh = suite('createPiApi: fresh=true and refresh jobs over SQLite');
fresh.before(setupWorld);
fresh.after(teardownWorld);

fresh('answers fresh=true for 1h/20 with 200 and buckets computed from the SQLite rows as of now', async () => {
  const { url } = await serve(60_000);
  const res = await httpSend(url, '/samples/latest?window=1h&samples=20&fresh=true');
  assert.is(res.status, 200);
  assert.equal([res.headers.get('x-snapshot-source'), res.headers.get('cache-control')], ['fresh', 'no-store']);
  const payload = JSON.parse(new TextDecoder().decode(res.body)) as Payload;
  assert.is(payload.generatedAt, new Date(NOW_MS).toISOString());
  assert.is(payload.series[0].id, SERIES);
  const points = payload.series[0].points as BucketPoint[];
  assert.is(points.length, 20);
  const inRange = world.samples.filter((s) => s.tsMs >= points[0].startMs && s.tsMs <= NOW_MS).length;
  assert.is(points.reduce((a, p) => a + p.count, 0), inRange);
  assert.ok(inRange >= 57, `${inRange} samples in the 20 buckets`);
  for (const p of points) {
    const want = expectedBucket(p.startMs, payload.bucketMs!);
    assert.equal({ count: p.count, avg: p.avg, min: p.min, max: p.max }, want, `bucket ${new Date(p.startMs).toISOString()}`);
  }
  // The window's four snapshots were published too: the plain read now serves them.
  const stored = await httpSend(url, '/samples/latest?window=1h&samples=100');
  assert.is(stored.status, 200);
  assert.is(stored.headers.get('last-updated'), new Date(NOW_MS).toISOString());
});

fresh('answers 202 with a job for 12m while a build of that window holds the lock; the SSE stream ends with done and the status returns the data', async () => {
  const { url, idle } = await serve(1);
  const release = await world.locks.acquire(DEVICE, '12m'); // the daemon's scheduled build of 12m is "running"
  const res = await httpSend(url, '/samples/latest?window=12m&samples=100&fresh=true');
  assert.is(res.status, 202);
  const body = JSON.parse(new TextDecoder().decode(res.body)) as { requestId: string; statusUrl: string; eventsUrl: string };
  assert.equal([body.statusUrl, body.eventsUrl], [`/samples/refresh/${body.requestId}`, `/samples/refresh/${body.requestId}/events`]);
  const running = JSON.parse(new TextDecoder().decode((await httpSend(url, body.statusUrl)).body)) as { status: string };
  assert.ok(['queued', 'running'].includes(running.status));
  const events = readEvents(new URL(body.eventsUrl, url).href);
  release();
  const got = await events;
  assert.equal(got.map((e) => e.type).filter((t) => t !== 'progress'), ['queued', 'started', 'done']);
  assert.equal(got.filter((e) => e.type === 'progress').map((e) => e.data.progress), [0.1, 0.9], 'lock held, then the window object (its four payloads, one put) written');
  assert.is(got.at(-1)!.data.resultUrl, `/samples/latest?window=12m&samples=100&device=${DEVICE}`);
  await idle();
  const status = JSON.parse(new TextDecoder().decode((await httpSend(url, body.statusUrl)).body)) as { status: string; data: Payload };
  assert.is(status.status, 'done');
  assert.equal([status.data.window, status.data.granularity, status.data.device], ['12m', 100, DEVICE]);
  assert.is(status.data.series[0].points.reduce((a, p) => a + ('count' in p ? p.count : 1), 0), 180, 'every row of the buffer is in the year');
});

fresh('ends a refresh job failed with the builder error when the source fails, and the meta turns stale', async () => {
  const broken = Object.create(world.buffer) as SqliteBuffer;
  broken.listSeries = async () => { throw new Error('SQLITE_IOERR: disk I/O error'); };
  const { api, jobs } = createPiApi({ snapshotDir: world.dir, deviceId: DEVICE, buffer: broken, clock: { nowMs: () => NOW_MS }, snapshotCacheMs: 0 });
  const post = await api(new Request('http://pi/samples/refresh', { method: 'POST', body: '{"window":"10h","samples":20}' }));
  assert.is(post.status, 202);
  const { statusUrl } = (await post.json()) as { statusUrl: string };
  await jobs.idle();
  const status = (await (await api(new Request(`http://pi${statusUrl}`))).json()) as { status: string; error: string };
  assert.is(status.status, 'failed');
  assert.match(status.error, /SQLITE_IOERR: disk I\/O error/);
});

fresh('serves what a refresh job published as soon as it is done, although the read cache still held the old snapshot', async () => {
  const later = NOW_MS + 60_000;
  // API clock stopped: the 1 s read cache would never expire on its own.
  const { api, jobs } = createPiApi({ snapshotDir: world.dir, deviceId: DEVICE, buffer: world.buffer, clock: { nowMs: () => NOW_MS }, buildClock: { nowMs: () => later } });
  const before = await api(new Request('http://pi/samples/latest?window=10h&samples=100'));
  const seen = before.status === 200 ? before.headers.get('last-updated') : null;
  const post = await api(new Request('http://pi/samples/refresh?window=10h&samples=100', { method: 'POST' }));
  assert.is(post.status, 202);
  await jobs.idle();
  const after = await api(new Request('http://pi/samples/latest?window=10h&samples=100'));
  assert.is(after.status, 200);
  assert.is(after.headers.get('last-updated'), new Date(later).toISOString());
  assert.is.not(seen, new Date(later).toISOString());
});

const store = suite('createPiApi: snapshots through FsObjectStore');
store.before(setupWorld);
store.after(teardownWorld);

store('serves the fallback copy when the canonical meta is stale and the fallback is newer', async () => {
  const fs = new FsObjectStore(world.dir);
  const log = recordingLogger();
  await runBuild({ source: world.buffer, store: fs, clock: { nowMs: () => NOW_MS - 60_000 }, log, deviceId: DEVICE, builder: 'pi' }, { windows: ['1h'] });
  await runBuild({ source: world.buffer, store: fs, clock: { nowMs: () => NOW_MS }, log, deviceId: DEVICE, builder: 'pi', prefix: fallbackPrefix(DEVICE) }, { windows: ['1h'] });
  const { url } = await serve(60_000);
  const canonical = await httpSend(url, '/samples/latest?window=1h&samples=100');
  assert.equal([canonical.status, canonical.headers.get('x-snapshot-source'), canonical.headers.get('content-type')], [200, 'canonical', 'application/json; charset=utf-8']);
  const object = (await readWindowObject(fs, devicePrefix(DEVICE), '1h'))!;
  const meta = object.metas.get(100)!;
  await putWindowSnapshot(fs, devicePrefix(DEVICE), { ...meta, stale: true, consecutiveFailures: 1, lastError: 'disk full' }, object.payload(100));
  const res = await httpSend(url, '/samples/latest?window=1h&samples=100');
  assert.equal([res.status, res.headers.get('x-snapshot-source'), res.headers.get('last-updated')], [200, 'fallback', new Date(NOW_MS).toISOString()]);
});

store('serves the versionId the meta names; 404 for an unknown one and for the previous build\'s once the window is rebuilt', async () => {
  const fs = new FsObjectStore(world.dir);
  const build = (atMs: number) => runBuild({ source: world.buffer, store: fs, clock: { nowMs: () => atMs }, log: recordingLogger(), deviceId: DEVICE, builder: 'pi' }, { windows: ['10h'] });
  await build(NOW_MS - 60_000);
  const previous = (await readStoredMeta(fs, devicePrefix(DEVICE), '10h', 20))!;
  const { url } = await serve(60_000);
  const pinned = await httpSend(url, `/samples/latest?window=10h&samples=20&versionId=${previous.versionId}`);
  assert.equal([pinned.status, pinned.headers.get('last-updated')], [200, new Date(NOW_MS - 60_000).toISOString()]);
  await build(NOW_MS);
  const meta = (await readStoredMeta(fs, devicePrefix(DEVICE), '10h', 20))!;
  assert.is.not(meta.versionId, previous.versionId);
  const ok = await httpSend(url, `/samples/latest?window=10h&samples=20&versionId=${meta.versionId}`);
  assert.equal([ok.status, ok.headers.get('last-updated')], [200, new Date(NOW_MS).toISOString()]);
  assert.is((JSON.parse(new TextDecoder().decode(ok.body)) as Payload).generatedAt, meta.generatedAt);
  for (const versionId of ['0'.repeat(64), previous.versionId]) {
    const gone = await httpSend(url, `/samples/latest?window=10h&samples=20&versionId=${versionId}`);
    assert.is(gone.status, 404, `versionId ${versionId}`);
    assert.match(new TextDecoder().decode(gone.body), /is not the current build of this snapshot/);
  }
});

const devices = suite('createPiApi: devices from SQLite');

devices('an imported device is the default when the configured one (the host name) has no samples; its refresh is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pi-api-devices-'));
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  try {
    buffer.defineSeries([
      { deviceId: 'imported-2019', seriesId: SERIES, sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' },
      { deviceId: 'defined-only', seriesId: SERIES, sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' },
    ]);
    buffer.insert('imported-2019', [{ seriesId: SERIES, tsMs: NOW_MS - 60_000, value: 21 }]);
    assert.equal(buffer.deviceIdsWithSamples(), ['imported-2019']);
    const { api, jobs } = createPiApi({ snapshotDir: dir, deviceId: 'raspberrypi', buffer, sampleDevices: () => buffer.deviceIdsWithSamples(), clock: { nowMs: () => NOW_MS }, snapshotCacheMs: 0 });
    const listed = await api(new Request('http://pi/samples/devices'));
    assert.equal(await listed.json(), { devices: [{ id: 'imported-2019' }], defaultDevice: 'imported-2019' });
    const refused = await api(new Request('http://pi/samples/refresh?window=1h&device=raspberrypi', { method: 'POST' }));
    assert.is(refused.status, 409);
    assert.match((await refused.json()).error.message, 'devices with samples: imported-2019');
    const accepted = await api(new Request('http://pi/samples/refresh?window=1h', { method: 'POST' }));
    assert.is(accepted.status, 202);
    await jobs.idle();
    const served = await api(new Request('http://pi/samples/latest?window=1h'));
    assert.is(served.status, 200);
    assert.is((await served.json()).device, 'imported-2019');
  } finally {
    buffer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

store.run();
fresh.run();
devices.run();
