/**
 * The cloud API Lambda end to end against real protocol peers in-process: dynalite (DynamoDB: the
 * samples table holding a month of the real bme280-livingroom log in the uploader's item format, and
 * the jobs table), s3rver (S3: snapshots written by the builder Lambda handler) and fauxqs (SQS: the
 * refresh queue). Requests go through the entry's HTTP handler as API Gateway HTTP API v2 events.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { CLOUD_SCHEDULED_WINDOWS, devicePrefix, fallbackPrefix, WINDOWS, windowObjectKey, type Granularity, type Window } from '../../builder/constants.js';
import { getPublished, readWindow } from '../support/builder-harness.js';
import { putWindowSnapshot } from '../support/snapshot-fixtures.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { Payload, SnapshotMeta } from '../../builder/types.js';
import type { ApiGatewayV2Result } from '../../aws/lambda-http-api.js';
import { lambdaStreamHandler } from '../../aws/lambda-stream-api.js';
import { createBuilderHandler, type ScheduledResult, type SqsBatchResult } from '../../cloud/builder-handler.js';
import { runBuild } from '../../builder/run-build.js';
import { cloudApiConfig, createCloudApi } from '../../cloud/api-wiring.js';
import { DynamoDbJobStore } from '../../aws/dynamodb-job-store.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { createHttpEntry, KEEP_WARM_SOURCE } from '../../cloud/lambda-api.js';
import { KEEP_WARM_EVENT } from '../../cloud/infra/sensor-stack.js';
import { v2Event } from '../support/api-transports.js';
import { startFauxqsQueue, sqsEventOf, type FauxqsHandle } from '../support/fauxqs.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../support/dynalite.js';
import { createJobsTable } from '../support/jobs-table.js';
import { silentLog as silent } from '../../builder/ports.js';
import { LATE_AFTER_CADENCES } from '../../builder/snapshot-meta.js';
import { scheduleGroups } from '../../cloud/infra/schedules.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { ScanCommand } from '@aws-sdk/client-dynamodb';

const MIN = 60_000;
const samples = fixtureSamples();
const lastTs = Math.max(...samples.map((s) => s.tsMs));
let nowMs = lastTs + MIN;
const clock = { nowMs: () => nowMs };

let db: DynaliteHandle;
let s3: S3rverHandle;
let q: FauxqsHandle;
let bucket: S3ObjectStore;
let jobsTable: string;
let entry: ReturnType<typeof createHttpEntry>;
let apiBuilds = 0;

const bodyOf = (r: ApiGatewayV2Result): Buffer => Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
const jsonOf = (r: ApiGatewayV2Result) => JSON.parse(bodyOf(r).toString('utf8'));
const payloadOf = (r: ApiGatewayV2Result): Payload => JSON.parse((r.headers['content-encoding'] === 'gzip' ? gunzipSync(bodyOf(r)) : bodyOf(r)).toString('utf8'));

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<ApiGatewayV2Result> {
  return (await entry(v2Event(path, init))) as ApiGatewayV2Result;
}

function builderHandler() {
  return createBuilderHandler({
    bucket,
    sourceFor: () => new DynamoDbSource(db.client, db.table, clock),
    build: runBuild,
    clock,
    log: silent,
    discoverDevices: async () => [DEV],
    emit: () => undefined,
    jobs: new DynamoDbJobStore(db.client, jobsTable),
  });
}

/** The meta of (`w`, `g`) in the window object under `prefix` (it must be there). */
async function storedMeta(prefix: string, w: Window, g: Granularity): Promise<SnapshotMeta> {
  const meta = (await readWindow(bucket, prefix, w))?.metas.get(g);
  assert.ok(meta, `${prefix}${windowObjectKey(w)} holds a meta of ${g}`);
  return meta!;
}

const api = suite('cloud API Lambda (dynalite + s3rver + fauxqs)');
api.before(async () => {
  [db, s3, q] = await Promise.all([startDynalite(), startS3rver(), startFauxqsQueue()]);
  jobsTable = await createJobsTable(db.client);
  bucket = new S3ObjectStore(s3.client, s3.bucket);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, samples));
  // What the stack's schedules build: every window but the on-read 1h one (no 1h object in S3).
  const built = (await builderHandler()({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: { windows: scheduleGroups().flatMap((g) => g.windows) } })) as ScheduledResult;
  assert.is(built.reports[0].built, 20);
  const config = cloudApiConfig({
    SNAPSHOT_BUCKET: s3.bucket, SAMPLES_TABLE: db.table, JOBS_TABLE: jobsTable, REFRESH_QUEUE_URL: q.queueUrl, DEVICE_IDS: DEV, FRESH_BUDGET_MS: '2000',
  });
  entry = createHttpEntry(async () => {
    apiBuilds += 1;
    return createCloudApi(config, { s3: s3.client, dynamo: db.client, sqs: q.client }, { sseMode: 'snapshot', build: runBuild, log: silent, clock, pollMs: 40 }).api;
  });
});
api.after(async () => {
  await Promise.all([db.close(), s3.close(), q.close()]);
});

api('the keep-warm event is answered at once without building the API', async () => {
  assert.equal(KEEP_WARM_EVENT, { source: KEEP_WARM_SOURCE });
  assert.equal(await entry({ ...KEEP_WARM_EVENT }), { warm: true });
  assert.is(apiBuilds, 0);
});

api('a snapshot built by the builder Lambda is served as stored: gzip passthrough, window TTL, ETag, Last-Updated, canonical', async () => {
  const stored = (await getPublished(bucket, devicePrefix(DEV), '1d', 100))!;
  const meta = await storedMeta(devicePrefix(DEV), '1d', 100);
  const r = await send('/samples/latest?window=1d&samples=100', { headers: { 'Accept-Encoding': 'gzip, br' } });
  assert.is(r.statusCode, 200);
  assert.is(r.headers['content-encoding'], 'gzip');
  assert.ok(r.isBase64Encoded);
  assert.ok(bodyOf(r).equals(Buffer.from(stored.body)), 'the stored gzip bytes, not re-encoded');
  assert.is(r.headers['cache-control'], `public, max-age=${WINDOWS['1d'].ttlS}`);
  assert.ok(/^"[^"]+"$/.test(r.headers.etag), `quoted ETag, got ${r.headers.etag}`);
  assert.is(r.headers['last-updated'], meta.generatedAt);
  assert.is(r.headers['x-snapshot-source'], 'canonical');
  assert.is(r.headers['x-granularity'], '100');
  assert.is(payloadOf(r).series.length, 3);
  const again = await send('/samples/latest?window=1d&samples=100', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': r.headers.etag } });
  assert.is(again.statusCode, 304);
  assert.is(apiBuilds, 1, 'the API is built once per container');
});

api('the 1h window is rendered on read from the DynamoDB items (no S3 object): live, window TTL, equal to the builder output, meta of the same build, no SQS message, no job item', async () => {
  assert.equal(await bucket.list(devicePrefix(DEV)), CLOUD_SCHEDULED_WINDOWS.map((w) => devicePrefix(DEV) + windowObjectKey(w)).sort(), 'no 1h window object in S3');
  assert.not.ok(CLOUD_SCHEDULED_WINDOWS.includes('1h'));
  const r = await send('/samples/latest?window=1h&samples=20', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.is(r.statusCode, 200, bodyOf(r).toString().slice(0, 300));
  assert.is(r.headers['x-snapshot-source'], 'live');
  assert.is(r.headers['cache-control'], `public, max-age=${WINDOWS['1h'].ttlS}`);
  assert.is(r.headers['content-encoding'], 'gzip');
  const live = payloadOf(r);
  assert.is(live.generatedAt, new Date(nowMs).toISOString());
  assert.is(r.headers['last-updated'], live.generatedAt);
  assert.ok(live.series.every((s) => s.points.length > 0), 'points from the DynamoDB items');
  const memory = new MemoryObjectStore();
  await runBuild({ deviceId: DEV, store: memory, prefix: devicePrefix(DEV), source: new DynamoDbSource(db.client, db.table, clock), clock, log: silent, builder: 'lambda' }, { windows: ['1h'] });
  const built = JSON.parse(gunzipSync((await getPublished(memory, devicePrefix(DEV), '1h', 20))!.body).toString('utf8')) as Payload;
  assert.equal(live.series, built.series, 'what the scheduled builder would have published');
  const meta = await send('/samples/latest/meta?window=1h&samples=20');
  assert.is(meta.statusCode, 200);
  assert.is(meta.headers['x-snapshot-source'], 'live');
  assert.equal([jsonOf(meta).generatedAt, jsonOf(meta).stale, `"${jsonOf(meta).versionId}"`], [live.generatedAt, false, r.headers.etag]);
  assert.is((await send('/samples/latest?window=1h&samples=20', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': r.headers.etag } })).statusCode, 304);
  assert.equal(await q.receive(), [], 'no SQS message per read');
  assert.is((await db.client.send(new ScanCommand({ TableName: jobsTable, Select: 'COUNT' }))).Count, 0, 'no job item per read');
});

api('a stale canonical snapshot with a fresher Pi fallback serves the fallback', async () => {
  nowMs += 5 * MIN;
  await runBuild(
    { deviceId: DEV, store: bucket, prefix: fallbackPrefix(DEV), source: new DynamoDbSource(db.client, db.table, clock), clock, log: silent, builder: 'pi' },
    { windows: ['10h'] },
  );
  const canonical = await storedMeta(devicePrefix(DEV), '10h', 250);
  // The canonical 10h/250 marked stale as a failed build does: same payload, stale meta, in one put of its window object.
  const kept = (await readWindow(bucket, devicePrefix(DEV), '10h'))!.payload(250);
  await putWindowSnapshot(bucket, devicePrefix(DEV), { ...canonical, stale: true, consecutiveFailures: 2 }, kept);
  assert.is((await storedMeta(devicePrefix(DEV), '10h', 250)).stale, true);
  const fallback = await storedMeta(fallbackPrefix(DEV), '10h', 250);
  assert.ok(Date.parse(fallback.generatedAt!) > Date.parse(canonical.generatedAt!));
  const r = await send('/samples/latest?hours=10&samples=250', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.is(r.statusCode, 200);
  assert.is(r.headers['x-snapshot-source'], 'fallback');
  assert.is(r.headers['last-updated'], fallback.generatedAt);
  const stored = (await getPublished(bucket, fallbackPrefix(DEV), '10h', 250))!;
  assert.ok(bodyOf(r).equals(Buffer.from(stored.body)));
  assert.is(payloadOf(r).generatedAt, fallback.generatedAt);
});

api('a silent builder: canonical past expiresAt plus a grace serves the newer Pi fallback, and its versionId can be pinned', async () => {
  const savedNowMs = nowMs;
  const canonical = await storedMeta(devicePrefix(DEV), '1d', 100);
  assert.is(canonical.stale, false, 'the cloud builder marked nothing stale: it just stopped running');
  nowMs = Date.parse(canonical.generatedAt!) + LATE_AFTER_CADENCES * WINDOWS['1d'].rebuildEveryMs + MIN;
  assert.ok(nowMs > Date.parse(canonical.expiresAt!), 'past expiresAt');
  await runBuild(
    { deviceId: DEV, store: bucket, prefix: fallbackPrefix(DEV), source: new DynamoDbSource(db.client, db.table, clock), clock, log: silent, builder: 'pi' },
    { windows: ['1d'] },
  );
  const fallback = await storedMeta(fallbackPrefix(DEV), '1d', 100);
  const r = await send('/samples/latest?window=1d&samples=100', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.is(r.statusCode, 200);
  assert.is(r.headers['x-snapshot-source'], 'fallback');
  assert.is(r.headers['last-updated'], fallback.generatedAt);
  const meta = await send('/samples/latest/meta?window=1d&samples=100');
  assert.is(jsonOf(meta).versionId, fallback.versionId, 'meta names the fallback version the page may pin');
  const pinned = await send(`/samples/latest?window=1d&samples=100&versionId=${encodeURIComponent(fallback.versionId!)}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.is(pinned.statusCode, 200, `pinning the fallback's versionId: ${bodyOf(pinned).toString().slice(0, 200)}`);
  assert.is(pinned.headers['x-snapshot-source'], 'fallback');
  assert.ok(bodyOf(pinned).equals(Buffer.from((await getPublished(bucket, fallbackPrefix(DEV), '1d', 100))!.body)));
  const canonicalPinned = await send(`/samples/latest?window=1d&samples=100&versionId=${encodeURIComponent(canonical.versionId!)}`);
  assert.is(canonicalPinned.headers['x-snapshot-source'], 'canonical', 'the canonical version stays pinnable');
  nowMs = Date.parse(canonical.generatedAt!) + WINDOWS['1d'].rebuildEveryMs;
  const inTime = await send('/samples/latest?window=1d&samples=100');
  assert.is(inTime.headers['x-snapshot-source'], 'canonical', 'within its cadences canonical wins even against a newer fallback');
  nowMs = savedNowMs;
});

api('fresh=true on a small window is computed in the API Lambda from DynamoDB: 200, no-store, equal to the builder output', async () => {
  const r = await send('/samples/latest?window=1h&samples=20&fresh=true');
  assert.is(r.statusCode, 200);
  assert.is(r.headers['x-snapshot-source'], 'fresh');
  assert.is(r.headers['cache-control'], 'no-store');
  const fresh = payloadOf(r);
  await builderHandler()({ windows: ['1h'] });
  const stored = JSON.parse(gunzipSync((await getPublished(bucket, devicePrefix(DEV), '1h', 20))!.body).toString('utf8')) as Payload;
  assert.equal(fresh.series, stored.series);
  assert.is(fresh.generatedAt, new Date(nowMs).toISOString());
  assert.equal(await q.receive(), [], 'no SQS job for an in-process build');
});

api('fresh=true on a large window answers 202; the SQS job runs in the builder Lambda; status and events end done', async () => {
  const r = await send('/samples/latest?window=12m&samples=500&fresh=true');
  assert.is(r.statusCode, 202);
  const accepted = jsonOf(r);
  assert.match(accepted.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(accepted.statusUrl, `/samples/refresh/${accepted.requestId}`);
  const dup = jsonOf(await send('/samples/latest?window=12m&samples=100&fresh=true'));
  assert.is(dup.requestId, accepted.requestId, 'one job per device/window');
  const messages = await q.receive();
  assert.is(messages.length, 1, 'exactly one message for the deduplicated job');
  assert.equal(JSON.parse(messages[0].Body!), { requestId: accepted.requestId, deviceId: DEV, window: '12m', granularity: 500 });
  const queued = jsonOf(await send(accepted.statusUrl));
  assert.is(queued.status, 'queued');
  const early = bodyOf(await send(accepted.eventsUrl)).toString('utf8');
  assert.match(early, /event: queued/);
  assert.match(early, /event: poll/);

  nowMs += MIN;
  const out = (await builderHandler()(sqsEventOf(messages))) as SqsBatchResult;
  assert.equal(out.batchItemFailures, []);

  const done = jsonOf(await send(accepted.statusUrl));
  const meta = await storedMeta(devicePrefix(DEV), '12m', 500);
  assert.is(done.status, 'done');
  assert.is(done.progress, 1);
  assert.is(done.generatedAt, meta.generatedAt);
  assert.is(done.generatedAt, new Date(nowMs).toISOString());
  // The result URL pins the version the job published: a cache key no edge has seen (issue 14).
  assert.ok(meta.versionId);
  assert.is(done.resultUrl, `/samples/latest?window=12m&samples=500&device=${DEV}&versionId=${meta.versionId}`);
  const events = bodyOf(await send(accepted.eventsUrl)).toString('utf8');
  const types = [...events.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  assert.equal(types, ['queued', 'started', 'progress', 'done']);
  assert.not.match(events, /event: poll/);
  const resume = await send(accepted.eventsUrl, { headers: { 'Last-Event-ID': '2' } });
  assert.equal([...bodyOf(resume).toString('utf8').matchAll(/^event: (\w+)$/gm)].map((m) => m[1]), ['progress', 'done']);
  assert.is((await send(accepted.eventsUrl, { headers: { 'Last-Event-ID': '4' } })).statusCode, 204);
  assert.match(events, `data: ${JSON.stringify({ generatedAt: done.generatedAt, resultUrl: done.resultUrl })}`);
  const result = await send(done.resultUrl);
  assert.is(result.statusCode, 200);
  assert.is(result.headers['last-updated'], done.generatedAt);
  assert.is(result.headers['cache-control'], 'public, max-age=31536000, immutable');
  const next = await send('/samples/latest?window=12m&fresh=true');
  assert.is(next.statusCode, 202);
  const nextJob = jsonOf(next);
  assert.is.not(nextJob.requestId, accepted.requestId, 'a finished job releases its device/window');
  const drained = await q.receive();
  assert.is(drained.length, 1);
  nowMs += MIN;
  await builderHandler()(sqsEventOf(drained));
  // The next job names its own version. A window object holds one version per snapshot: the first
  // job's result URL pins a version the second build replaced, so it answers 404 (the page then reads
  // the current one), and the second one serves what its job built.
  const nextDone = jsonOf(await send(nextJob.statusUrl));
  assert.is(nextDone.status, 'done');
  assert.is(nextDone.generatedAt, new Date(nowMs).toISOString());
  assert.is.not(nextDone.resultUrl, done.resultUrl);
  const nextResult = await send(nextDone.resultUrl);
  assert.is(nextResult.headers['last-updated'], nextDone.generatedAt);
  assert.is(nextResult.headers['cache-control'], 'public, max-age=31536000, immutable');
  const gone = await send(done.resultUrl);
  assert.is(gone.statusCode, 404);
  assert.equal([jsonOf(gone).error.code, jsonOf(gone).error.parameter], ['not_found', 'versionId']);
  assert.is.not(nextDone.generatedAt, done.generatedAt);
});

api('POST /samples/refresh of a small window still goes to SQS (nothing runs in a frozen container)', async () => {
  const r = await send('/samples/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"window":"1h","samples":100}' });
  assert.is(r.statusCode, 202);
  const { requestId } = jsonOf(r);
  const messages = await q.receive();
  assert.equal(messages.map((m) => JSON.parse(m.Body!).requestId), [requestId]);
  await builderHandler()(sqsEventOf(messages));
  assert.is(jsonOf(await send(`/samples/refresh/${requestId}`)).status, 'done');
});

api('through the function-URL streaming handler the events route streams live until done', async () => {
  const config = cloudApiConfig({ SNAPSHOT_BUCKET: s3.bucket, SAMPLES_TABLE: db.table, JOBS_TABLE: jobsTable, REFRESH_QUEUE_URL: q.queueUrl, DEVICE_IDS: DEV });
  const streamApi = createCloudApi(config, { s3: s3.client, dynamo: db.client, sqs: q.client }, { sseMode: 'stream', build: runBuild, log: silent, clock, pollMs: 40 }).api;
  let prelude: { statusCode: number; headers: Record<string, string> } | undefined;
  // Stand-in for the runtime's awslambda.HttpResponseStream.from: records the prelude, body goes to the same stream.
  const stream = lambdaStreamHandler(() => streamApi, (out, p) => ((prelude = p), out));
  const posted = (await send('/samples/refresh', { method: 'POST', body: '{"window":"10d"}' }));
  const { requestId, eventsUrl } = jsonOf(posted);
  const sink = new PassThrough();
  const chunks: string[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const streaming = stream(v2Event(eventsUrl), sink);
  const messages = await q.receive();
  assert.equal(messages.map((m) => JSON.parse(m.Body!).requestId), [requestId]);
  await builderHandler()(sqsEventOf(messages));
  await streaming;
  assert.is(prelude!.statusCode, 200);
  assert.match(prelude!.headers['content-type'], /^text\/event-stream/);
  const text = chunks.join('');
  assert.ok(chunks.length >= 2, 'written in more than one piece');
  assert.equal([...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]), ['queued', 'started', 'progress', 'done']);
  assert.not.match(text, /event: poll/);
});

api('unknown job ids answer 404 and bad input 400 with an error body', async () => {
  const r = await send('/samples/refresh/3b241101-e2bb-4255-8caf-4136c566a962');
  assert.is(r.statusCode, 404);
  assert.is(jsonOf(r).error.code, 'not_found');
  const bad = await send('/samples/refresh/..%2F..%2Fetc');
  assert.is(bad.statusCode, 400);
  assert.is(jsonOf(bad).error.parameter, 'requestId');
});

api.run();
