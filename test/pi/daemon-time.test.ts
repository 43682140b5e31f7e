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

daemon.run();
