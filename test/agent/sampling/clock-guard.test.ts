import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClockGuard } from '../../../agent/sampling/clock-guard.js';
import { Sampler } from '../../../agent/sampling/sampler.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { readClockStatus } from '../../../agent/sampling/sensor-status.js';
import type { Sample } from '../../../builder/types.js';
import { parseSensorConfigs, seriesOf } from '../../../agent/config/sensor-config.js';
import { SimulatedSensor } from '../../../sensors/simulated.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { VirtualTime } from '../../support/virtual-time.js';

const at = (hms: string) => Date.parse(`2019-09-08T${hms}Z`);
const BUILD_2019 = Date.UTC(2019, 0, 1);

const field = suite('clock guard in the sampler');
field('field case 7: after a power cut, the 13 samples read at 18:17:20–18:19:20 are not stored with those times', async () => {
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const [cfg] = parseSensorConfigs([{ type: 'simulated', id: 'sim', intervalMs: 10_000 }]);
  const series = seriesOf(cfg, 'pi');
  buffer.defineSeries(series);
  buffer.insert('pi', [{ seriesId: 'sim.tempC', tsMs: at('18:40:00'), value: 99 }]); // newest row before the power cut
  const time = new VirtualTime(at('18:17:20')); // booted at 18:17:01 from the saved clock; first read at :20
  const guard = new ClockGuard({ buildDateMs: BUILD_2019, newestStoredMs: buffer.newestTsMs('pi'), log });
  const sampler = new Sampler({
    deviceId: 'pi', buffer, clock: time, scheduler: time, log, guard,
    sensors: [{ driver: new SimulatedSensor('sim', time, 3), type: 'simulated', intervalMs: 10_000, series: new Map(series.map((s) => [s.metric, s])) }],
  });
  sampler.start();
  await time.advance(129_999); // reads at 18:17:20 … 18:19:20 (13 of them)
  assert.is(guard.status().held, 13 * 3);
  assert.equal(readClockStatus(buffer), { isTrusted: false, held: 39, discarded: 0, restamped: 0 }, 'status can show the hold');
  time.stepWallTo(at('18:52:30')); // NTP steps the clock 130 s after the first read
  await time.advance(1);
  await sampler.stop();

  const rows: Sample[] = [];
  for await (const c of (await buffer.readRange('pi', 0, Number.MAX_SAFE_INTEGER)).chunks) rows.push(...c);
  const temps = rows.filter((r) => r.seriesId === 'sim.tempC');
  assert.not.ok(rows.some((r) => r.tsMs >= at('18:17:20') && r.tsMs <= at('18:19:20')), 'nothing stamped with the stale clock');
  assert.equal(rows.filter((r) => r.tsMs <= at('18:40:00')), [{ seriesId: 'sim.tempC', tsMs: at('18:40:00'), value: 99 }], 'the old row is intact, nothing older written');
  // restamped from the monotonic clock: read k·10 s after the first → 18:50:20 + k·10 s
  assert.equal(temps.filter((r) => r.tsMs > at('18:40:00')).map((r) => new Date(r.tsMs).toISOString().slice(11, 19)), [
    '18:50:20', '18:50:30', '18:50:40', '18:50:50', '18:51:00', '18:51:10', '18:51:20', '18:51:30', '18:51:40', '18:51:50', '18:52:00', '18:52:10', '18:52:20', '18:52:30',
  ]);
  assert.ok(log.lines.some((l) => /^warn system clock untrusted/.test(l)));
  assert.is(log.lines.filter((l) => /^warn system clock untrusted/.test(l)).length, 1, 'logged once, not per sample');
  assert.ok(log.lines.some((l) => /restamped/.test(l)));
  assert.equal(readClockStatus(buffer), { isTrusted: true, held: 0, discarded: 0, restamped: 39 });
  buffer.close();
});
async function heldAtShutdown(stepAfterMs: number | undefined) {
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const [cfg] = parseSensorConfigs([{ type: 'simulated', id: 'sim', intervalMs: 600_000 }]);
  const series = seriesOf(cfg, 'pi');
  const time = new VirtualTime(at('18:17:20')); // a stale saved clock, before the build date below
  const guard = new ClockGuard({ buildDateMs: at('18:38:00'), log }); // reads at 18:17:20, 18:27:20, 18:37:20 are before it
  const sampler = new Sampler({
    deviceId: 'pi', buffer, clock: time, scheduler: time, log, guard,
    sensors: [{ driver: new SimulatedSensor('sim', time, 3), type: 'simulated', intervalMs: 600_000, series: new Map(series.map((s) => [s.metric, s])) }],
  });
  sampler.start();
  await time.advance(1_200_000); // reads at +0, +10 min, +20 min: 3 readings × 3 series held
  assert.is(guard.status().held, 9);
  if (stepAfterMs !== undefined) {
    time.stepWallTo(at('19:00:00')); // NTP steps the clock right after the third read
    await time.advance(stepAfterMs);
  }
  await sampler.stop(); // no read since the clock became trusted
  const rows: Sample[] = [];
  for await (const c of (await buffer.readRange('pi', 0, Number.MAX_SAFE_INTEGER)).chunks) rows.push(...c);
  const status = readClockStatus(buffer);
  buffer.close();
  return { rows, log, status };
}
field('issue 12: samples held at shutdown are stored, restamped, when the clock became trusted since the last read', async () => {
  const { rows, status } = await heldAtShutdown(60_000);
  // the reads at mono 0, 600 and 1 200 s → 18:40:00, 18:50:00, 19:00:00 (stopped at 19:01:00, before the next read)
  assert.equal([...new Set(rows.map((r) => new Date(r.tsMs).toISOString().slice(11, 19)))], ['18:40:00', '18:50:00', '19:00:00']);
  assert.is(rows.length, 9);
  assert.equal(status, { isTrusted: true, held: 0, discarded: 0, restamped: 9 });
});
field('issue 12: samples held at shutdown with the clock still untrusted are counted and logged as discarded, in one line', async () => {
  const { rows, log, status } = await heldAtShutdown(undefined);
  assert.is(rows.length, 0);
  assert.equal(status, { isTrusted: false, held: 0, discarded: 9, restamped: 0 });
  const lines = log.lines.filter((l) => /held samples discarded/.test(l));
  assert.is(lines.length, 1);
  assert.match(lines[0], /untrusted: 9 held samples discarded/);
});
field.run();

const g = suite('ClockGuard');
const B = Date.UTC(2019, 0, 1); // an epoch for the guard's own tests: a clock past MIN_SAMPLE_TS_MS
const v = [{ seriesId: 's', value: 1 }];
g('holds samples while the clock is before the build date', () => {
  const guard = new ClockGuard({ buildDateMs: Date.UTC(2026, 0, 1), log: recordingLogger() });
  assert.equal(guard.admit(Date.UTC(1970, 0, 1, 0, 0, 30), 30_000, v), []);
  assert.equal(guard.admit(Date.UTC(2026, 5, 1), 40_000, v), [
    { seriesId: 's', tsMs: Date.UTC(2026, 5, 1) - 10_000, value: 1 },
    { seriesId: 's', tsMs: Date.UTC(2026, 5, 1), value: 1 },
  ]);
});
g('a jump backwards makes the clock untrusted until it passes the newest issued time', () => {
  const log = recordingLogger();
  const guard = new ClockGuard({ buildDateMs: 0, log });
  assert.is(guard.admit(B + 1_000_000, 0, v).length, 1);
  assert.equal(guard.admit(B + 900_000, 10_000, v), []); // stepped back 110 s
  assert.ok(log.lines.some((l) => /jumped backwards/.test(l)));
  // once past the newest issued time again, the held sample would land before it: discarded
  assert.equal(guard.admit(B + 1_000_010, 20_000, v), [{ seriesId: 's', tsMs: B + 1_000_010, value: 1 }]);
  assert.is(guard.status().discarded, 1);
});
g('waits for the synchronization signal when one is given', () => {
  let isSynced = false;
  const guard = new ClockGuard({ buildDateMs: 0, isSynchronized: () => isSynced, log: recordingLogger() });
  assert.equal(guard.admit(B + 5_000_000, 100, v), []);
  isSynced = true;
  assert.equal(guard.admit(B + 5_000_100, 200, v).map((s) => s.tsMs), [B + 5_000_000, B + 5_000_100]);
});
g('holds at most maxHeld samples, dropping the oldest', () => {
  const guard = new ClockGuard({ buildDateMs: B + 9_000_000, maxHeld: 2, log: recordingLogger() });
  for (let i = 0; i < 5; i++) guard.admit(B + i * 1000, i * 1000, v);
  assert.equal(guard.status(), { isTrusted: false, held: 2, discarded: 3, restamped: 0 });
  assert.equal(guard.admit(B + 10_000_000, 5000, v).map((s) => s.tsMs), [B + 9_998_000, B + 9_999_000, B + 10_000_000]);
});
g('refuses a clock before 2000-01-01 even when the build date allows it (issue 12: tsMs 0 is the catalogue item)', () => {
  const log = recordingLogger();
  const guard = new ClockGuard({ buildDateMs: 0, log });
  assert.equal(guard.admit(0, 0, v), [], 'nothing stamped 1970-01-01T00:00:00Z');
  assert.equal(guard.admit(Date.UTC(1999, 11, 31, 23, 59, 59), 1_000, v), []);
  assert.ok(log.lines.some((l) => /1970-01-01T00:00:00\.000Z is before 2000-01-01T00:00:00\.000Z, the earliest time a sample may carry/.test(l)), log.lines.join('\n'));
  assert.equal(guard.drain(0, 2_000), [], 'still untrusted at shutdown: counted, not stored');
  assert.equal(guard.status(), { isTrusted: false, held: 0, discarded: 2, restamped: 0 });
});
g.run();
