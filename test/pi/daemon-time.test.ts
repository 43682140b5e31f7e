import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDaemon } from '../../pi/daemon.js';
import { parseConfig } from '../../agent/config/config.js';
import { recordingLogger } from '../support/recording-logger.js';
import { VirtualTime } from '../support/virtual-time.js';
import { startDynalite } from '../support/dynalite.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { devicePrefix, windowObjectKey } from '../../builder/constants.js';

const MIN = 60_000;
const daemon = suite('the daemon in virtual time (real SQLite, files and HTTP; schedules and sampler on a virtual clock)');

daemon('issue 12: a +14 d wall-clock step: one log line, builds keep their 30 s cadence (no burst), sampling goes on', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-daemon-time-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9)) // after BUILD_DATE_MS: the clock guard trusts it;
  const log = recordingLogger();
  // Every sample committed as taken, so newestTsMs sees the last tick (the default holds up to 60 s).
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 }, storage: { commitEveryMs: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log, time: { clock: time, timers: time, timeZone: 'Europe/London' } });
  try {
    await d.firstBuild;
    await time.advance(2 * MIN, d.isBusy);
    time.stepWallTo(time.nowMs() + 14 * 24 * 60 * MIN);
    await time.advance(2 * MIN, d.isBusy);
    assert.is(d.buffer.newestTsMs('pi'), Date.UTC(2027, 2, 15, 9, 4), 'the simulated sensor still sampled every 10 s, stamped with the new time');
  } finally {
    await d.stop(); // waits for the queued builds
  }
  const builds1h = log.fields.filter((f, i) => /^debug build done/.test(log.lines[i]) && f?.window === '1h').length;
  // 1 first build + one every 30 s over 4 virtual minutes (a burst would be thousands of ticks)
  assert.is(builds1h, 1 + 8);
  assert.equal(log.lines.filter((l) => /wall clock stepped/.test(l)), [
    'warn wall clock stepped +14 d 0 h 0 min (from about 2027-03-01T09:02:30.000Z to 2027-03-15T09:02:30.000Z); periodic jobs keep their monotonic cadence, daily jobs resume at their next slot',
  ]);
  rmSync(dataDir, { recursive: true, force: true });
});

daemon('the metrics\' snapshot ages are on the daemon\'s clock (virtual time), not the system clock', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-daemon-metrics-time-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 }, storage: { commitEveryMs: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'Europe/London' } });
  try {
    await d.firstBuild;
    await time.advance(95_000, d.isBusy); // the 10h window (cadence 5 min) built at 09:00:00, read at 09:01:35
    const text = await (await fetch(`${d.url.replace(/\/$/, '')}/metrics`)).text();
    const age = /^sensorctl_snapshot_age_seconds\{window="10h",granularity="100"\} (\S+)$/m.exec(text);
    // On the system clock (today, before the virtual 2027) this was about −7.6e6 s.
    assert.is(Number(age?.[1]), 95, text.split('\n').filter((l) => l.includes('snapshot_age')).join('\n'));
  } finally {
    await d.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

daemon('issue 14: the uploader the daemon starts stamps its runs and leases with the daemon\'s clock (virtual time), not the system clock', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-daemon-upload-time-'));
  const dyn = await startDynalite({ table: 'time-samples' });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTIME', AWS_SECRET_ACCESS_KEY: 'time-secret',
    AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  const startMs = Date.UTC(2027, 2, 1, 9);
  const time = new VirtualTime(startMs);
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 }, storage: { commitEveryMs: 0 }, cloud: { table: 'time-samples', uploadEvery: '5m' } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'Europe/London' } });
  try {
    await d.firstBuild;
    await time.advance(6 * MIN, d.isBusy); // one upload tick at 5 min
  } finally {
    await d.stop(); // waits for the upload run in progress
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await dyn.close();
  }
  const db = openDatabase(join(dataDir, 'sensorctl.db'));
  const counters = SqliteUploadQueue.open(db).counters();
  db.close();
  assert.ok(counters.written > 0, `the tick uploaded the samples taken (written ${counters.written})`);
  assert.is(counters.lastRunMs, startMs + 5 * MIN, 'the run ended at the virtual 5 min tick (the system clock says 2026)');
  assert.is(counters.lastSuccessMs, startMs + 5 * MIN);
  rmSync(dataDir, { recursive: true, force: true });
});

daemon('issue 14: the API\'s 1 s read cache runs on the daemon\'s clock: a window object removed by another process is seen 2 virtual seconds later', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-daemon-cache-time-'));
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const config = parseConfig({ deviceId: 'pi', http: { port: 0, host: '127.0.0.1' } }, 'pi');
  // No scheduled rebuilds: the only writer of the window object after the first build is the test (as `sensorctl rebuild` would be).
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'Europe/London' }, rebuildEveryMs: () => 365 * 24 * 60 * MIN });
  try {
    await d.firstBuild;
    const status = async () => (await fetch(new URL('/samples/latest/meta?window=10d&samples=500', d.url))).status;
    assert.is(await status(), 200);
    unlinkSync(join(dataDir, devicePrefix('pi'), windowObjectKey('10d')));
    assert.is(await status(), 200, 'within the cache\'s 1 s the cached meta is served');
    await time.advance(2_000, d.isBusy);
    assert.is(await status(), 404, '2 virtual seconds later the cache has expired (on the system clock, far less than 1 s has passed)');
  } finally {
    await d.stop();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

daemon.run();
