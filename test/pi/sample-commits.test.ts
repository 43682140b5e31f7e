/**
 * Issue 13: samples are held in memory and committed together every `storage.commitEveryMs` (default
 * 60 s: the most a power cut can lose), or each as taken with 0. The daemon runs in virtual time on a
 * real SQLite file with the simulated sensor (3 series every 10 s); the buffer's `insert` (one
 * transaction each) is counted by wrapping it on the live instance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDaemon } from '../../pi/daemon.js';
import { parseConfig } from '../../agent/config/config.js';
import { recordingLogger } from '../support/recording-logger.js';
import { VirtualTime } from '../support/virtual-time.js';

const MIN = 60_000;
const commits = suite('sample commits (real SQLite, virtual time)');

async function runDaemon(storage: unknown, body: (ctx: { advance: (ms: number) => Promise<void>; inserts: number[]; stored: () => number }) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-commits-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 }, ...(storage === undefined ? {} : { storage }) }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'UTC' } });
  const inserts: number[] = []; // samples per insert call, i.e. per transaction
  const insert = d.buffer.insert.bind(d.buffer);
  d.buffer.insert = (deviceId, samples) => {
    inserts.push(samples.length);
    return insert(deviceId, samples);
  };
  const stored = () => d.buffer.stats('pi').reduce((n, s) => n + s.count, 0);
  try {
    await d.firstBuild;
    await body({ advance: (ms) => time.advance(ms, d.isBusy), inserts, stored });
  } finally {
    await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

commits('default (60 s): the first sample at once, then one commit a minute of the held samples; samples not yet committed are not in SQLite', async () => {
  await runDaemon(undefined, async ({ advance, inserts, stored }) => {
    await advance(5 * MIN);
    assert.is(inserts.length, 6, `the tick at start written at once, then five commits in five minutes (not 30, one per 10 s tick): ${inserts}`);
    assert.is(inserts[0], 3, 'the first tick (3 series) is written at once: a fresh or recovered database holds a sample at start');
    assert.equal(inserts, [3, 15, 18, 18, 18, 18], 'the first commit holds the ticks at 10–50 s; each later minute is 6 ticks × 3 series in one transaction');
    const committed = stored();
    await advance(50_000); // 5 more ticks, held in memory: what a power cut now would lose
    assert.is(inserts.length, 6);
    assert.is(stored(), committed);
    await advance(10_000); // the next commit
    assert.is(inserts.length, 7);
    assert.is(stored(), committed + 18);
  });
});

commits('default: the sensor status rides the minute commit (no transaction of its own); a new file has 512-byte pages', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-commits-status-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'UTC' } });
  const ownWrites: string[] = []; // setState calls: one transaction each
  const carried: string[] = []; // state keys written inside a sample commit
  const setState = d.buffer.setState.bind(d.buffer);
  d.buffer.setState = (key, value) => {
    ownWrites.push(key);
    setState(key, value);
  };
  const insert = d.buffer.insert.bind(d.buffer);
  d.buffer.insert = (deviceId, samples, states) => {
    carried.push(...(states ?? []).map(([key]) => key));
    return insert(deviceId, samples, states);
  };
  try {
    await d.firstBuild;
    await time.advance(1_000, d.isBusy); // past the first tick, whose status is written at once
    ownWrites.length = 0;
    carried.length = 0;
    await time.advance(10 * MIN, d.isBusy);
    assert.equal(ownWrites, [], 'no status write of its own after start');
    assert.ok(carried.filter((k) => k === 'sensor:sim').length >= 9, `the status went with the commits: ${carried}`);
    const status = JSON.parse(d.buffer.getState('sensor:sim') ?? '{}') as { state?: string; lastOkMs?: number };
    assert.is(status.state, 'online');
    // Published at most once a minute (STATUS_WRITE_EVERY_MS), stored by the next minute commit.
    assert.ok(status.lastOkMs! >= time.nowMs() - 2 * MIN, `the stored status is at most two minutes old: ${status.lastOkMs} vs ${time.nowMs()}`);
    assert.is(d.buffer.pageStats().pageSizeBytes, 512, 'small pages: a commit writes whole pages');
  } finally {
    await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

commits('commitEveryMs 0: every sample tick is its own commit', async () => {
  await runDaemon({ commitEveryMs: 0 }, async ({ advance, inserts, stored }) => {
    const before = stored();
    await advance(5 * MIN);
    assert.is(inserts.length, 31, 'one commit per tick: the one at start and one every 10 s');
    assert.ok(inserts.every((n) => n === 3), `3 series each: ${inserts}`);
    assert.is(stored() - before, 93);
  });
});

commits('stop commits the held samples (no loss on a clean shutdown)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-commits-stop-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'UTC' } });
  let isStopped = false;
  try {
    await d.firstBuild;
    const count = () => d.buffer.stats('pi').reduce((n, s) => n + s.count, 0);
    await time.advance(1_000, d.isBusy);
    const afterFirst = count(); // the tick at start, written at once
    await time.advance(49_000, d.isBusy); // 5 more ticks, none committed yet
    assert.is(count(), afterFirst, 'held, not yet in SQLite');
    const { openDatabase } = await import('../../sqlite/sqlite-db.js');
    await d.stop();
    isStopped = true;
    const db = openDatabase(join(dataDir, 'sensorctl.db'));
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n;
    db.close();
    assert.is(rows, afterFirst + 15, 'stop committed the 5 held ticks × 3 series');
  } finally {
    if (!isStopped) await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

commits.run();
