/**
 * The fleet (issue 14): devices are discovered from their catalogue items through the samples table's
 * device index on a real dynalite (created from `TABLE_DEFINITION`), the scheduled builder with no
 * device list builds every discovered device, one failing device does not stop the others and is
 * counted in the fleet EMF line, a fleet larger than a shard fans out as one SQS message per shard
 * (fauxqs) that the builder then builds, and `mapBounded` keeps at most `limit` builds in flight.
 * The bucket is the in-memory store of the contract suite; the failing device reads from a table that
 * does not exist (a real dynalite error, no mock).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { silentLog as silent } from '../../builder/ports.js';
import { runBuild } from '../../builder/run-build.js';
import type { SeriesInfo } from '../../builder/types.js';
import { DynamoDbSource } from '../../aws/dynamodb-source.js';
import { DeviceDiscoveryError, listCatalogDeviceIds } from '../../aws/dynamodb-devices.js';
import { encodeSampleItem } from '../../aws/dynamodb-item.js';
import { createBuilderHandler, shardsOf, type ScheduledResult, type SqsBatchResult } from '../../cloud/builder-handler.js';
import { sendBuildShards } from '../../aws/sqs-build-shards.js';
import { startFauxqsQueue, sqsEventOf } from '../support/fauxqs.js';
import { mapBounded, runCloudBuild } from '../../cloud/cloud-build-run.js';
import { startDynalite, writeCatalog, writeItems, samplesToItems, type DynaliteHandle } from '../support/dynalite.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';

const MIN = 60_000;
const END_MS = Date.UTC(2026, 11, 4, 12);
const series = (deviceId: string): SeriesInfo[] => [{ deviceId, seriesId: 'sim.tempC', sensorId: 'sim', metric: 'tempC', unit: '°C', kind: 'gauge' }];
const DEVICES = ['pi-a', 'pi-b', 'pi-c', 'pi-d', 'pi-e'];

let db: DynaliteHandle;
const fleet = suite('fleet: discovery and fan-out (dynalite)');
fleet.before(async () => {
  db = await startDynalite();
  for (const id of DEVICES) {
    await writeCatalog(db.client, db.table, id, series(id));
    await writeItems(db.client, db.table, samplesToItems(id, Array.from({ length: 30 }, (_, i) => ({ seriesId: 'sim.tempC', tsMs: END_MS - i * 10_000, value: 20 + i / 10 }))));
  }
  // Samples without a catalogue item (a device that never uploaded its catalogue, or a stray writer): not a device.
  await writeItems(db.client, db.table, samplesToItems('no-catalog', [{ seriesId: 'sim.tempC', tsMs: END_MS, value: 1 }]));
  // An item written by hand with the old catalogue format (no `entity`): not in the index.
  await db.client.send(new PutItemCommand({ TableName: db.table, Item: { deviceId: { S: 'old-format' }, tsMs: { N: '0' }, schemaVersion: { N: '1' }, series: { M: {} } } }));
  // A sample item with a value for every series is still a sample item (no `entity`).
  await db.client.send(new PutItemCommand({ TableName: db.table, Item: encodeSampleItem('pi-a', END_MS + 1, { 'sim.tempC': 1 }).item as never }));
});
fleet.after(async () => {
  await db.close();
});

fleet('discovery lists the devices with a catalogue item, sorted, and no others', async () => {
  assert.equal(await listCatalogDeviceIds(db.client, db.table), DEVICES);
});

fleet('discovery follows pagination to the end (1 MB pages are simulated with Limit through a wrapping client)', async () => {
  let calls = 0;
  const paging = {
    send: (cmd: { input: Record<string, unknown> }) => {
      calls++;
      cmd.input.Limit = 2;
      return db.client.send(cmd as never);
    },
  };
  assert.equal(await listCatalogDeviceIds(paging as never, db.table), DEVICES);
  assert.ok(calls >= 3, `${calls} pages`);
});

fleet('a missing index is a DeviceDiscoveryError naming the table', async () => {
  try {
    await listCatalogDeviceIds(db.client, 'no-such-table');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, DeviceDiscoveryError);
    assert.match((err as Error).message, /no-such-table/);
  }
});

fleet('the scheduled builder with no device list builds every discovered device, discovering once per invocation', async () => {
  const bucket = new MemoryObjectStore();
  const clock = { nowMs: () => END_MS + MIN };
  let discoveries = 0;
  const emitted: Array<Record<string, any>> = [];
  const handler = createBuilderHandler({
    bucket, sourceFor: () => new DynamoDbSource(db.client, db.table, clock), build: runBuild, clock, log: silent,
    discoverDevices: () => (discoveries++, listCatalogDeviceIds(db.client, db.table)),
    emit: (line) => emitted.push(JSON.parse(line)),
  });
  const out = (await handler({ windows: ['1h'] })) as ScheduledResult;
  assert.equal(out.reports.map((r) => r.deviceId), DEVICES);
  for (const r of out.reports) assert.equal([r.deviceId, r.built, r.stale, r.error], [r.deviceId, 4, 0, undefined]);
  assert.is(discoveries, 1);
  assert.equal(emitted.filter((l) => 'DevicesBuilt' in l).map((l) => [l.DevicesBuilt, l.DeviceBuildErrors]), [[5, 0]]);
  assert.ok((await bucket.list('snapshots/pi-e/')).length > 0, 'the last device has snapshots');
  assert.is((await bucket.list('snapshots/no-catalog/')).length, 0);
});

fleet('a failing device does not stop the others; it is reported and counted', async () => {
  const bucket = new MemoryObjectStore();
  const clock = { nowMs: () => END_MS + MIN };
  const emitted: Array<Record<string, any>> = [];
  const handler = createBuilderHandler({
    bucket,
    // pi-b's reads fail for real: its source points at a table that does not exist (as a denied or
    // throttled Query would fail in the cloud).
    sourceFor: (id) => new DynamoDbSource(db.client, id === 'pi-b' ? 'no-such-table' : db.table, clock),
    build: runBuild, clock, log: silent, concurrency: 2,
    discoverDevices: () => listCatalogDeviceIds(db.client, db.table),
    emit: (line) => emitted.push(JSON.parse(line)),
  });
  const out = (await handler({ windows: ['1h'] })) as ScheduledResult;
  assert.equal(out.reports.map((r) => r.deviceId), DEVICES);
  const bad = out.reports.find((r) => r.deviceId === 'pi-b')!;
  assert.equal([bad.built, bad.stale, bad.consecutiveStaleBuilds], [0, 4, 1], 'pi-b: its 4 snapshots of 1h could not be built');
  for (const r of out.reports.filter((r) => r.deviceId !== 'pi-b')) assert.equal([r.deviceId, r.built, r.error], [r.deviceId, 4, undefined]);
  const fleetLine = emitted.find((l) => 'DevicesBuilt' in l)!;
  assert.is(fleetLine.DevicesBuilt, 5);
  assert.is(fleetLine.DeviceBuildErrors, 1);
});

fleet('a device whose run throws outside the build (unreadable run health) is isolated too', async () => {
  const bucket = new MemoryObjectStore();
  await bucket.put('state/pi-c/run-health.json', new TextEncoder().encode('{not json'), { contentType: 'application/json' });
  const clock = { nowMs: () => END_MS + MIN };
  const reports = await runCloudBuild(
    { bucket, sourceFor: () => new DynamoDbSource(db.client, db.table, clock), build: runBuild, clock, log: silent },
    { deviceIds: DEVICES, windows: ['1h'], concurrency: 3 },
  );
  assert.equal(reports.map((r) => r.deviceId), DEVICES);
  assert.match(reports[2].error!, /SyntaxError/);
  assert.equal(reports.filter((r) => r.error === undefined).map((r) => r.built), [4, 4, 4, 4]);
});

fleet('a scheduled run over more devices than a shard queues one SQS message per shard; each shard builds its devices and is not redelivered for a failed one', async () => {
  const q = await startFauxqsQueue('shards-test');
  try {
    const bucket = new MemoryObjectStore();
    const clock = { nowMs: () => END_MS + MIN };
    const handler = createBuilderHandler({
      bucket, build: runBuild, clock, log: silent, emit: () => undefined,
      sourceFor: (id) => new DynamoDbSource(db.client, id === 'pi-e' ? 'no-such-table' : db.table, clock),
      discoverDevices: () => listCatalogDeviceIds(db.client, db.table),
      shards: { devicesPerShard: 2, send: (jobs) => sendBuildShards(q.client, q.queueUrl, jobs) },
    });
    const dispatched = (await handler({ windows: ['1h'] })) as ScheduledResult;
    assert.equal(dispatched, { reports: [], shards: 3 }, '5 devices in shards of ≤ 2');
    assert.is((await bucket.list('snapshots/')).length, 0, 'the dispatching invocation builds nothing');
    const messages = await q.receive(10);
    assert.equal(messages.map((m) => JSON.parse(m.Body!)).sort((a, b) => a.deviceIds[0].localeCompare(b.deviceIds[0])), [
      { windows: ['1h'], full: false, deviceIds: ['pi-a', 'pi-b'], shard: true },
      { windows: ['1h'], full: false, deviceIds: ['pi-c', 'pi-d'], shard: true },
      { windows: ['1h'], full: false, deviceIds: ['pi-e'], shard: true },
    ]);
    const built: string[] = [];
    for (const m of messages) {
      const out = (await handler(sqsEventOf([m]))) as SqsBatchResult;
      assert.equal(out.batchItemFailures, [], 'a shard is not redelivered (pi-e failing is counted, not retried)');
      built.push(...JSON.parse(m.Body!).deviceIds);
    }
    for (const id of ['pi-a', 'pi-b', 'pi-c', 'pi-d']) assert.ok((await bucket.list(`snapshots/${id}/`)).length > 0, `${id} built from its shard`);
    assert.equal(built.sort(), DEVICES);
    // A fleet no larger than a shard is built in the scheduled invocation itself.
    const small = createBuilderHandler({
      bucket, build: runBuild, clock, log: silent, emit: () => undefined,
      sourceFor: () => new DynamoDbSource(db.client, db.table, clock),
      discoverDevices: async () => ['pi-a'],
      shards: { devicesPerShard: 2, send: async () => assert.unreachable('no shard for one device') },
    });
    assert.equal(((await small({ windows: ['1h'] })) as ScheduledResult).reports.map((r) => r.deviceId), ['pi-a']);
  } finally {
    await q.close();
  }
});

fleet.run();

const split = suite('shardsOf');
split('splits in order into slices of at most the size; refuses a size below 1', () => {
  assert.equal(shardsOf([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.equal(shardsOf([1, 2], 5), [[1, 2]]);
  assert.equal(shardsOf([], 3), []);
  assert.throws(() => shardsOf([1], 0), RangeError);
});
split.run();

const bounded = suite('mapBounded');
bounded('keeps at most `limit` calls in flight, runs every item once, and returns results in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const gates: Array<() => void> = [];
  const promise = mapBounded(Array.from({ length: 10 }, (_, i) => i), 3, async (n) => {
    started.push(n);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    inFlight--;
    return n * 2;
  });
  // Release the calls one at a time, in the order they started, checking the bound each step.
  while (started.length < 10 || gates.length > 0) {
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(inFlight <= 3, `${inFlight} in flight`);
    gates.shift()?.();
  }
  assert.equal(await promise, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.is(peak, 3);
  assert.equal([...started].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
bounded('fewer items than the limit start all at once; a limit below 1 is refused', async () => {
  let peak = 0;
  let inFlight = 0;
  await mapBounded([1, 2], 16, async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
  });
  assert.is(peak, 2);
  await mapBounded([], 4, async () => assert.unreachable());
  try {
    await mapBounded([1], 0, async () => 1);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, RangeError);
  }
});
bounded.run();
