/**
 * `SqsRefreshJobs` against dynalite (jobs table) and fauxqs (refresh queue), with the `FreshBuilder`
 * replaced by a build the test finishes by hand and timers driven by `ManualScheduler`: in-process
 * builds, the hand-off to SQS when the caller's wait runs out, failures, subscriptions, and a queue
 * that refuses the message.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Payload } from '../../builder/types.js';
import type { BuildRequest, FreshBuilder, JobEvent } from '../../api/ports.js';
import { DynamoDbJobStore, lockPk } from '../../aws/dynamodb-job-store.js';
import { RefreshQueueError, SqsRefreshJobs } from '../../aws/sqs-refresh-jobs.js';
import { startFauxqsQueue, type FauxqsHandle } from '../support/fauxqs.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { FAKE_CREDENTIALS } from '../support/s3rver.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { createJobsTable } from '../support/jobs-table.js';
import { silentLog as silent } from '../../builder/ports.js';

const T0 = Date.UTC(2026, 10, 30, 4, 0, 0);
const clock = { nowMs: () => T0 };
const POLL_MS = 250;

let db: DynaliteHandle;
let q: FauxqsHandle;
let store: DynamoDbJobStore;

/** A FreshBuilder whose builds end when the test says so. */
function handBuilder() {
  const calls: Array<{ request: BuildRequest; resolve: (p: Payload) => void; reject: (e: Error) => void }> = [];
  const builder: FreshBuilder = { build: (request) => new Promise((resolve, reject) => calls.push({ request, resolve, reject })) };
  return { builder, calls };
}

const payloadFor = (r: BuildRequest) => ({ generatedAt: new Date(T0).toISOString(), window: r.window, granularity: r.granularity, device: r.device, series: [] }) as unknown as Payload;

/** Repeat `read` until `isDone` holds (at most 200 turns of the event loop and I/O). */
async function until<T>(read: () => Promise<T>, isDone: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (isDone(v)) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition never held');
}

function jobsWith(builder: FreshBuilder, scheduler: ManualScheduler, sqs: SQSClient = q.client, queueUrl = q.queueUrl) {
  return new SqsRefreshJobs({ store, sqs, queueUrl, clock, scheduler, log: silent, fresh: builder, inlineWindows: ['1h'], handoffMarginMs: 500, pollMs: POLL_MS });
}

const jobs = suite('SqsRefreshJobs (dynalite + fauxqs)');
jobs.before(async () => {
  [db, q] = await Promise.all([startDynalite(), startFauxqsQueue()]);
  store = new DynamoDbJobStore(db.client, await createJobsTable(db.client));
});
jobs.after(async () => {
  await Promise.all([db.close(), q.close()]);
});

jobs('an in-process build that ends in time marks the job done and keeps its payload for get', async () => {
  const { builder, calls } = handBuilder();
  const scheduler = new ManualScheduler();
  const j = jobsWith(builder, scheduler);
  const { job, isNew } = await j.enqueue({ device: 'd1', window: '1h', granularity: 20 }, { waitMs: 3000 });
  assert.ok(isNew);
  await until(async () => calls.length, (n) => n === 1);
  assert.is(scheduler.count(2500), 1, 'hand-off armed at wait − margin');
  calls[0].resolve(payloadFor(calls[0].request));
  const done = await until(() => j.get(job.requestId), (s) => s?.status === 'done');
  assert.equal(done!.data, payloadFor(calls[0].request));
  assert.is(done!.generatedAt, new Date(T0).toISOString());
  assert.is(scheduler.count(2500), 0, 'hand-off cancelled');
  assert.equal((await j.eventsAfter(job.requestId, 0))!.map((e) => e.type), ['queued', 'started', 'done']);
  assert.equal(await q.receive(), []);
});

jobs('a build still running when the wait is nearly over is handed to SQS and finished by the builder', async () => {
  const { builder, calls } = handBuilder();
  const scheduler = new ManualScheduler();
  const j = jobsWith(builder, scheduler);
  const { job } = await j.enqueue({ device: 'd2', window: '1h', granularity: 100 }, { waitMs: 2000 });
  await until(async () => calls.length, (n) => n === 1);
  assert.is(scheduler.fire(1500), 1);
  const messages = await until(() => q.receive(), (m) => m.length > 0);
  assert.equal(JSON.parse(messages[0].Body!), { requestId: job.requestId, deviceId: 'd2', window: '1h', granularity: 100 });
  calls[0].resolve(payloadFor(calls[0].request)); // too late: ignored
  await new Promise((r) => setTimeout(r, 20));
  const running = (await j.get(job.requestId))!;
  assert.is(running.status, 'running');
  assert.is(running.data, undefined);
  assert.not.ok(await store.markRunning(job.requestId), 'the builder does not emit a second started');
  await store.markDone(job, { generatedAt: '2026-11-30T04:00:09.000Z', resultUrl: '/samples/latest?window=1h&samples=100&device=d2' });
  assert.equal((await j.eventsAfter(job.requestId, 0))!.map((e) => e.type), ['queued', 'started', 'done']);
});

jobs('a failing in-process build ends failed with its message and frees the device/window', async () => {
  const { builder, calls } = handBuilder();
  const j = jobsWith(builder, new ManualScheduler());
  const { job } = await j.enqueue({ device: 'd3', window: '1h', granularity: 500 }, { waitMs: 3000 });
  await until(async () => calls.length, (n) => n === 1);
  calls[0].reject(new Error('SourceError: table unreachable'));
  const failed = await until(() => j.get(job.requestId), (s) => s?.status === 'failed');
  assert.is(failed!.error, 'SourceError: table unreachable');
  const next = await j.enqueue({ device: 'd3', window: '1h', granularity: 500 }, { waitMs: 3000 });
  assert.ok(next.isNew);
});

jobs('subscribe delivers stored events, then polled ones, and stops after the final event', async () => {
  const { builder } = handBuilder();
  const scheduler = new ManualScheduler();
  const j = jobsWith(builder, scheduler);
  const { job } = await j.enqueue({ device: 'd4', window: '12m', granularity: 500 });
  const seen: JobEvent[] = [];
  const stop = await j.subscribe(job.requestId, 0, (e) => seen.push(e));
  assert.type(stop, 'function');
  assert.equal(seen.map((e) => e.type), ['queued']);
  await store.markRunning(job.requestId);
  await store.markProgress(job.requestId, 0.9);
  assert.is(scheduler.fire(POLL_MS), 1);
  await until(async () => seen.length, (n) => n === 3);
  await store.markDone(job, { generatedAt: '2026-11-30T04:00:09.000Z', resultUrl: '/x' });
  await scheduler.waitFor(POLL_MS);
  scheduler.fire(POLL_MS);
  await until(async () => seen.length, (n) => n === 4);
  assert.equal(seen.map((e) => [e.id, e.type]), [[1, 'queued'], [2, 'started'], [3, 'progress'], [4, 'done']]);
  assert.is(scheduler.count(POLL_MS), 0, 'no more polling after done');
  assert.is(await j.subscribe('00000000-0000-4000-8000-000000000000', 0, () => undefined), undefined);
  await q.receive(); // drain d4's message
});

jobs('a refused SendMessage marks the job failed and rejects with RefreshQueueError', async () => {
  const sqs = new SQSClient({ endpoint: q.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS, useQueueUrlAsEndpoint: false });
  const j = jobsWith(handBuilder().builder, new ManualScheduler(), sqs, `${q.queueUrl}-missing`);
  try {
    await j.enqueue({ device: 'd5', window: '12m', granularity: 500 });
    assert.unreachable('should reject');
  } catch (err) {
    assert.instance(err, RefreshQueueError);
  } finally {
    sqs.destroy();
  }
  const lock = await db.client.send(new GetItemCommand({ TableName: store.table, Key: { pk: { S: lockPk({ device: 'd5', window: '12m' }) } }, ConsistentRead: true }));
  assert.is(lock.Item, undefined, 'the failed job released its lock');
});

jobs.run();
