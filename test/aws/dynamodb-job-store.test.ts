/**
 * `DynamoDbJobStore` against dynalite (a real DynamoDB protocol peer, in-process): the conditional-put
 * lock keeps one live job per device/window, finished or expired holders are taken over, events are
 * appended in order with increasing ids, and expired items read as absent.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbJobStore, lockPk } from '../../aws/dynamodb-job-store.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { createJobsTable } from '../support/jobs-table.js';

let db: DynaliteHandle;
let store: DynamoDbJobStore;
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const T0 = Date.UTC(2026, 10, 30, 4, 0, 0);
const req = (device = 'pi-one', window: '1h' | '12m' = '12m') => ({ device, window, granularity: 500 as const });

const jobs = suite('DynamoDbJobStore (dynalite)');
jobs.before(async () => {
  db = await startDynalite();
  const table = await createJobsTable(db.client);
  store = new DynamoDbJobStore(db.client, table, { jobTtlS: 3600, lockTtlS: 600 });
});
jobs.after(() => db.close());

jobs('a second request for a live device/window gets the first job, other windows get their own', async () => {
  const a = await store.create(req('dev-a'), id(), T0, T0 + 20_000);
  const loserId = id();
  const b = await store.create(req('dev-a'), loserId, T0 + 1000, T0 + 21_000);
  const c = await store.create(req('dev-a', '1h'), id(), T0 + 1000, T0 + 21_000);
  assert.ok(a.isNew);
  assert.not.ok(b.isNew);
  assert.is(b.job.requestId, a.job.requestId);
  assert.ok(c.isNew);
  assert.is.not(c.job.requestId, a.job.requestId);
  assert.is(await store.get(loserId, T0), undefined, 'the losing job item was removed');
});

jobs('a job moves queued → running → progress → done with events numbered 1..4, and releases its lock', async () => {
  const { job } = await store.create(req('dev-b'), id(), T0, T0 + 20_000);
  assert.ok(await store.markRunning(job.requestId));
  assert.not.ok(await store.markRunning(job.requestId), 'running only once');
  assert.ok(await store.markProgress(job.requestId, 0.5));
  assert.ok(await store.markDone(job, { generatedAt: '2026-11-30T04:00:05.000Z', resultUrl: '/samples/latest?window=12m' }));
  assert.not.ok(await store.markFailed(job, 'late'), 'a final job stays final');
  const found = (await store.getWithEvents(job.requestId, T0))!;
  assert.equal(found.events.map((e) => [e.id, e.type]), [[1, 'queued'], [2, 'started'], [3, 'progress'], [4, 'done']]);
  assert.equal(found.events[2].data, { progress: 0.5 });
  assert.equal(found.events[3].data, { generatedAt: '2026-11-30T04:00:05.000Z', resultUrl: '/samples/latest?window=12m' });
  assert.is(found.job.status, 'done');
  assert.is(found.job.progress, 1);
  assert.is(found.job.lastEventId, 4);
  assert.ok((await store.create(req('dev-b'), id(), T0 + 2000, T0 + 22_000)).isNew, 'the next request starts a new job');
});

jobs('a lock whose job is over (release lost) or whose TTL has passed is taken over', async () => {
  const first = await store.create(req('dev-c'), id(), T0, T0 + 20_000);
  await store.markFailed(first.job, 'boom');
  const second = await store.create(req('dev-c'), id(), T0 + 1000, T0 + 21_000);
  assert.ok(second.isNew);
  await db.client.send(new DeleteItemCommand({ TableName: store.table, Key: { pk: { S: `job#${second.job.requestId}` } } }));
  const third = await store.create(req('dev-c'), id(), T0 + 2000, T0 + 22_000);
  assert.ok(third.isNew, 'a lock naming a vanished job is taken over');
  const afterTtl = await store.create(req('dev-c'), id(), T0 + 601_000 + 2000, T0 + 700_000);
  assert.ok(afterTtl.isNew, 'a lock past its TTL is taken over even though its job still runs');
  assert.is(lockPk(req('dev-c')), 'lock#dev-c#12m');
});

jobs('failure messages are cut to 200 characters and expired jobs read as absent', async () => {
  const { job } = await store.create(req('dev-d'), id(), T0, T0 + 20_000);
  await store.markFailed(job, 'x'.repeat(500));
  assert.is((await store.get(job.requestId, T0))!.error!.length, 200);
  assert.is(await store.get(job.requestId, T0 + 3601_000), undefined);
});

jobs.run();
