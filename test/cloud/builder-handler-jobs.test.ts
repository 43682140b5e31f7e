/**
 * `createBuilderHandler` with a jobs table (dynalite): SQS refresh jobs from the API move their job to
 * done or failed; a redelivered message of a finished job leaves its state alone; messages without a
 * tracked job are built as before. The build itself is replaced by a fake `RunBuild` that reports what
 * the test says (the real core runs in lambda-api.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, devicePrefix, windowObjectKey, type Granularity, type Window } from '../../builder/constants.js';
import { WINDOW_OBJECT_HEADERS } from '../../builder/publish.js';
import { encodeWindowObject } from '../../builder/window-object.js';
import type { BuildReport, RunBuild, SnapshotReport } from '../../builder/run-build.js';
import { createBuilderHandler, type SqsBatchResult } from '../../cloud/builder-handler.js';
import { DynamoDbJobStore } from '../../aws/dynamodb-job-store.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { createJobsTable } from '../support/jobs-table.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { neverBuiltMeta } from '../support/snapshot-fixtures.js';
import { silentLog as silent } from '../../builder/ports.js';

const T0 = Date.UTC(2026, 10, 30, 4, 0, 0);
const clock = { nowMs: () => T0 };
let db: DynaliteHandle;
let store: DynamoDbJobStore;
let n = 0;
const newId = () => `11111111-1111-4111-8111-${String(++n).padStart(12, '0')}`;

/** A build that writes each window's object (a meta per granularity, one put), or fails as told. */
function fakeBuild(outcome: 'ok' | 'stale' | 'throw'): RunBuild {
  return async (deps, options = {}) => {
    if (outcome === 'throw') throw new Error('SourceError: throttled');
    const windows = options.windows ?? [];
    const isOk = outcome === 'ok';
    const snapshots: SnapshotReport[] = windows.flatMap((window) => ([20, 100, 250, 500] as Granularity[]).map((granularity) => ({ window, granularity, ok: isOk, points: 0, bytes: 0, ms: 0 })));
    const prefix = deps.prefix ?? devicePrefix(deps.deviceId);
    for (const window of windows) {
      const key = prefix + windowObjectKey(window);
      const metas = new Map(GRANULARITIES.map((g) => [g, {
        ...neverBuiltMeta(deps.deviceId, window, g, key, 'lambda'),
        generatedAt: new Date(T0).toISOString(), versionId: `v${T0}-${g}`, bytes: 1, stale: !isOk, consecutiveFailures: isOk ? 0 : 1,
      }]));
      const payloads = new Map(GRANULARITIES.map((g) => [g, Uint8Array.of(g % 256)]));
      await deps.store.put(key, encodeWindowObject({ window, device: deps.deviceId, metas, payloads }), WINDOW_OBJECT_HEADERS);
    }
    const report: BuildReport = {
      deviceId: deps.deviceId, at: new Date(T0).toISOString(), atMs: T0, explicitAt: false, ok: isOk, failed: isOk ? 0 : snapshots.length,
      windows: windows.map((window) => ({ window, mode: 'full', samplesRead: 0, rawSamplesRead: 0, ms: 0, stateSaved: isOk })),
      snapshots, samplesRead: 0, fullReadMs: 0, sweptKeys: [], durationMs: 0,
    };
    return report;
  };
}

function handlerWith(outcome: 'ok' | 'stale' | 'throw', bucket = new MemoryObjectStore()) {
  return createBuilderHandler({
    bucket, sourceFor: () => Object.assign(new MemoryBuffer(), { stats: () => ({ itemsRead: 0, consumedRcu: 0, requests: 0 }) }),
    build: fakeBuild(outcome), clock, log: silent, discoverDevices: async () => ['pi-one'], emit: () => undefined, jobs: store,
  });
}

const record = (body: unknown, messageId = 'm-1') => ({ Records: [{ messageId, body: JSON.stringify(body), eventSource: 'aws:sqs' }] });

async function queuedJob(window: Window, granularity: Granularity) {
  return (await store.create({ device: 'pi-one', window, granularity }, newId(), T0, T0 + 20_000)).job;
}

const h = suite('builder handler: refresh-job state (dynalite)');
h.before(async () => {
  db = await startDynalite();
  store = new DynamoDbJobStore(db.client, await createJobsTable(db.client));
});
h.after(() => db.close());

h('a built job ends done with the meta generatedAt and a resultUrl pinning the meta versionId', async () => {
  const job = await queuedJob('3m', 100);
  const bucket = new MemoryObjectStore();
  const out = (await handlerWith('ok', bucket)(record({ requestId: job.requestId, deviceId: 'pi-one', window: '3m', granularity: 100 }))) as SqsBatchResult;
  assert.equal(out.batchItemFailures, []);
  const found = (await store.getWithEvents(job.requestId, T0))!;
  assert.is(found.job.status, 'done');
  assert.is(found.job.generatedAt, new Date(T0).toISOString());
  assert.equal(await bucket.list(devicePrefix('pi-one')), [devicePrefix('pi-one') + 'latest_3m.snapshots'], 'the build wrote the window object the handler read');
  assert.equal(found.events.map((e) => e.type), ['queued', 'started', 'progress', 'done']);
  assert.is(found.job.versionId, `v${T0}-100`);
  assert.equal(found.events[3].data, { generatedAt: new Date(T0).toISOString(), resultUrl: `/samples/latest?window=3m&samples=100&device=pi-one&versionId=v${T0}-100` });
});

h('a job whose snapshots stay stale, or whose build throws, ends failed and the message is retried', async () => {
  const stale = await queuedJob('10d', 500);
  const a = (await handlerWith('stale')(record({ requestId: stale.requestId, deviceId: 'pi-one', window: '10d' }, 'm-2'))) as SqsBatchResult;
  assert.equal(a.batchItemFailures, [{ itemIdentifier: 'm-2' }]);
  const s = (await store.get(stale.requestId, T0))!;
  assert.is(s.status, 'failed');
  assert.is(s.error, '4 snapshot(s) of 10d could not be built');
  const thrown = await queuedJob('12m', 20);
  const b = (await handlerWith('throw')(record({ requestId: thrown.requestId, deviceId: 'pi-one', window: '12m' }, 'm-3'))) as SqsBatchResult;
  assert.equal(b.batchItemFailures, [{ itemIdentifier: 'm-3' }]);
  assert.match((await store.get(thrown.requestId, T0))!.error!, /SourceError: throttled/);
});

h('a redelivered message of a finished job is built again but its state is left alone', async () => {
  const job = await queuedJob('1d', 250);
  await store.markFailed(job, 'first try failed');
  const out = (await handlerWith('ok')(record({ requestId: job.requestId, deviceId: 'pi-one', window: '1d' }))) as SqsBatchResult;
  assert.equal(out.batchItemFailures, []);
  const found = (await store.getWithEvents(job.requestId, T0))!;
  assert.is(found.job.status, 'failed');
  assert.equal(found.events.map((e) => e.type), ['queued', 'failed']);
});

h('messages without a job id, or with one that is not a job id, are built untracked', async () => {
  const out = (await handlerWith('ok')(record({ deviceId: 'pi-one', window: '1h', requestId: 'job#../../x' }))) as SqsBatchResult;
  assert.equal(out.batchItemFailures, []);
});

h.run();
