import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { startUploadSchedule } from '../../pi/upload-scheduler.js';
import { Uploader } from '../../agent/upload/uploader.js';
import { FatalUploadError, TransientUploadError } from '../../agent/upload/errors.js';
import { VirtualTime } from '../support/virtual-time.js';
import { nodeMonotonicScheduler } from '../../platform/node-monotonic-scheduler.js';
import type { DeviceCatalog, ItemSink } from '../../agent/upload/ports.js';
import type { UploadItem } from '../../agent/buffer/ports.js';
import { memoryLogger } from '../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID } from '../support/upload-fixture.js';

/** Items of the in-memory sinks below: the upload item or catalogue as the core gave it. */
type MemoryItem = UploadItem | DeviceCatalog;
const memoryEncoding = {
  encodeSample: (sample: UploadItem) => ({ item: sample }),
  encodeCatalog: (catalog: DeviceCatalog) => catalog,
};

/** An in-memory sink whose writes wait until `open()` is called (a run that is "still going"). */
function gatedSink() {
  const written: MemoryItem[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const sink: ItemSink<MemoryItem> = {
    table: 'memory',
    ...memoryEncoding,
    writeBatch: async (items) => {
      await gate;
      written.push(...items);
      return { unprocessed: [] };
    },
  };
  return { sink, written, open: () => release() };
}

function setup() {
  const db = openDatabase(':memory:');
  const buffer = SqliteBuffer.openOn(db);
  const queue = SqliteUploadQueue.open(db);
  queue.setEnabled(true);
  buffer.defineSeries(BME280_SERIES);
  buffer.insert(DEVICE_ID, Array.from({ length: 60 }, (_, i) => ({ seriesId: BME280_SERIES[0].seriesId, tsMs: 1_000 + i * 10_000, value: 20 + i / 10 })));
  return { buffer, queue };
}

const schedule = suite('startUploadSchedule');

schedule('a run requested while one is going is skipped, logged and counted in skippedTicks', async () => {
  const { buffer, queue } = setup();
  const log = memoryLogger();
  const s = gatedSink();
  const sched = startUploadSchedule(new Uploader(queue, s.sink, { nowMs: () => 0 }, nodeMonotonicScheduler, log), queue, 86_400_000, log);
  const first = sched.runNow();
  assert.is(await sched.runNow(), false);
  assert.is(queue.counters().skippedTicks, 1);
  assert.ok(log.lines.some((l) => l.level === 'warn' && l.message.includes('tick skipped')));
  s.open();
  assert.is(await first, true);
  assert.is(queue.backlog(0).items, 0);
  await sched.stop();
  buffer.close();
});

const backoff = suite('Uploader backoff');

backoff('issue 14: the wait before a retry runs on the injected monotonic scheduler (virtual time), not on a real timer', async () => {
  const { buffer, queue } = setup();
  const time = new VirtualTime(Date.UTC(2027, 2, 1));
  const written: MemoryItem[] = [];
  let calls = 0;
  const sink: ItemSink<MemoryItem> = {
    table: 'memory',
    ...memoryEncoding,
    writeBatch: async (items) => {
      if (calls++ === 0) throw new TransientUploadError('memory', 'ThrottlingException', 'slow down');
      written.push(...items);
      return { unprocessed: [] };
    },
  };
  // A 1 min backoff (no jitter span: min = max), far longer than this test may take in real time.
  const uploader = new Uploader(queue, sink, time, time, memoryLogger(), { minBackoffMs: 60_000, maxBackoffMs: 60_000, maxInFlight: 1 });
  let summary: Awaited<ReturnType<typeof uploader.runOnce>> | undefined;
  const run = uploader.runOnce().then((s) => (summary = s));
  await time.advance(59_999);
  assert.equal([calls, summary], [1, undefined], 'still waiting out the backoff');
  await time.advance(1);
  await run;
  assert.is(summary!.retried, 1);
  assert.is(summary!.remaining.items, 0);
  assert.is(written.filter((i) => 'tsMs' in i).length, 60);
  buffer.close();
});

backoff('stopping the schedule during a backoff ends the run at once: items released (pending, not leased), the reason kept', async () => {
  const { buffer, queue } = setup();
  const time = new VirtualTime(Date.UTC(2027, 2, 1));
  let calls = 0;
  const sink: ItemSink<MemoryItem> = {
    table: 'memory',
    ...memoryEncoding,
    writeBatch: async () => {
      calls++;
      throw new TransientUploadError('memory', 'ThrottlingException', 'slow down');
    },
  };
  const log = memoryLogger();
  const uploader = new Uploader(queue, sink, time, time, log, { minBackoffMs: 60_000, maxBackoffMs: 60_000, maxInFlight: 1 });
  const sched = startUploadSchedule(uploader, queue, 86_400_000, log);
  const run = sched.runNow();
  await time.advance(0);
  assert.is(calls, 1, 'the catalogue put failed once and waits out its backoff');
  await sched.stop(); // no virtual time passes: the wait must be cut short, not awaited
  assert.is(await run, true);
  assert.is(calls, 1);
  assert.equal(queue.backlog(time.nowMs()), { items: 60, oldestTsMs: 1_000, leased: 0 });
  assert.match(queue.counters().lastError ?? '', 'ThrottlingException');
  buffer.close();
});

const fatal = suite('Uploader fatal errors');

fatal('a fatal error (table missing) stops the run, keeps every item pending and records the error', async () => {
  const { buffer, queue } = setup();
  const sink: ItemSink<MemoryItem> = {
    table: 'gone',
    ...memoryEncoding,
    writeBatch: async () => {
      throw new FatalUploadError('gone', 'ResourceNotFoundException', 'Requested resource not found');
    },
  };
  const summary = await new Uploader(queue, sink, { nowMs: () => 5 }, nodeMonotonicScheduler, memoryLogger()).runOnce();
  assert.is(summary.written, 0);
  assert.is(summary.rejected, 0);
  assert.equal(summary.remaining, { items: 60, oldestTsMs: 1_000, leased: 0 });
  assert.match(summary.stoppedBy ?? '', 'ResourceNotFoundException');
  assert.match(queue.counters().lastError ?? '', 'ResourceNotFoundException');
  buffer.close();
});

schedule.run();
backoff.run();
fatal.run();
