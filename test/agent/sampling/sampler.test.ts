import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClockGuard } from '../../../agent/sampling/clock-guard.js';
import { Sampler, type SampledSensor } from '../../../agent/sampling/sampler.js';
import { startSampler } from '../../../pi/sampler-runtime.js';
import { readSensorStatuses } from '../../../agent/sampling/sensor-status.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import type { Sample } from '../../../builder/types.js';
import type { SensorDriver } from '../../../sensors/driver.js';
import { BusError, WrongChipError } from '../../../sensors/errors.js';
import { StorageFullError } from '../../../agent/buffer/errors.js';
import { parseSensorConfigs, seriesOf } from '../../../agent/config/sensor-config.js';
import { simulatedValues } from '../../../sensors/simulated.js';
import { FakeBme280, FakeI2cBus } from '../../support/fake-i2c-bus.js';
import { FakeSysfsGpio, FakeEdgeSource } from '../../support/fake-sysfs-gpio.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { loadVectors } from '../../support/vectors.js';
import { VirtualTime } from '../../support/virtual-time.js';
import { SysfsGpio } from '../../../sensors/sysfs-gpio.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const MIN = 60_000;

async function stored(buffer: SqliteBuffer, seriesId: string): Promise<Sample[]> {
  const out: Sample[] = [];
  const { chunks } = await buffer.readRange('pi', 0, Number.MAX_SAFE_INTEGER);
  for await (const c of chunks) out.push(...c.filter((s) => s.seriesId === seriesId));
  return out;
}

const hour = suite('Sampler (simulated hour)');
hour('a BME280 that vanishes from minute 20 to 30 leaves a gap there and exact values elsewhere; a simulated sensor is untouched', async () => {
  const { cases } = loadVectors('bme280');
  const c0 = cases[0];
  const bus = new FakeI2cBus().add(0x76, new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE));
  const time = new VirtualTime(T0);
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const configs = parseSensorConfigs([{ type: 'bme280', id: 'bme', intervalMs: 10_000 }, { type: 'simulated', id: 'sim', intervalMs: 30_000, seed: 7 }]);
  const running = await startSampler({
    deviceId: 'pi', sensors: configs, buffer, log, clock: time, scheduler: time, buildDateMs: Date.UTC(2026, 0, 1),
    deps: { i2cBus: async () => bus, sleep: (ms) => new Promise((r) => time.schedule(ms, r)) },
  });
  try {
    await time.advance(20 * MIN);
    bus.absent.add(0x76); // NACK on every transfer
    await time.advance(10 * MIN);
    bus.absent.delete(0x76);
    await time.advance(30 * MIN);

    const temps = await stored(buffer, 'bme.tempC');
    const e = c0.datasheet_listing.double;
    for (const s of temps) assert.ok(Math.abs(s.value - e.temperature_c) <= 1e-6, `wrong value ${s.value}`);
    const inGap = temps.filter((s) => s.tsMs >= T0 + 20 * MIN + 20 && s.tsMs < T0 + 30 * MIN);
    assert.is(inGap.length, 0, 'no sample while the chip was gone');
    const before = temps.filter((s) => s.tsMs < T0 + 20 * MIN);
    assert.is(before.length, 120, 'every 10 s before the fault');
    const after = temps.filter((s) => s.tsMs >= T0 + 30 * MIN);
    assert.ok(after.length >= 174 && after.length <= 180, `about every 10 s after recovery (${after.length})`);
    // stamped when read: 10 s apart, give or take the forced-mode conversion (12 ms) and a re-init
    const spacing = (xs: Sample[]) => xs.slice(1).map((s, i) => s.tsMs - xs[i].tsMs);
    for (const d of [...spacing(before), ...spacing(after)]) assert.ok(Math.abs(d - 10_000) <= 20, `spacing ${d}`);
    assert.ok(after[0].tsMs - (T0 + 30 * MIN) <= 60_000, 'recovered within the longest backoff');
    assert.is((await stored(buffer, 'bme.pressurePa')).length, temps.length);

    const sim = await stored(buffer, 'sim.tempC');
    assert.is(sim.length, 121); // t = 0, 30 s, … 3600 s
    for (const s of sim) assert.is(s.value, simulatedValues(7, s.tsMs).tempC);

    const st = readSensorStatuses(buffer).find((x) => x.id === 'bme')!;
    assert.is(st.state, 'online');
    assert.ok(st.errorCounts.eremoteio > 0 && st.reinits >= 1, JSON.stringify(st));
    assert.equal(
      log.lines.filter((l, i) => /sensor (online|failing|offline|recovered)/.test(l) && log.fields[i]?.sensor === 'bme'),
      ['info sensor online', 'warn sensor failing', 'error sensor offline', 'info sensor recovered'],
    );
  } finally {
    await running.stop();
    buffer.close();
  }
  assert.is(time.pending, 0, 'no timer left after stop');
});
hour('issue 13: an unchanged online status is written at most once a minute (was after every reading: 8,640 commits a day per sensor)', async () => {
  const time = new VirtualTime(T0);
  const buffer = SqliteBuffer.open(':memory:');
  let sensorWrites = 0;
  const setState = buffer.setState.bind(buffer);
  buffer.setState = (key, value) => {
    if (key.startsWith('sensor:')) sensorWrites++;
    setState(key, value);
  };
  const configs = parseSensorConfigs([{ type: 'simulated', id: 'sim', intervalMs: 10_000, seed: 7 }]);
  const running = await startSampler({ deviceId: 'pi', sensors: configs, buffer, log: recordingLogger(), clock: time, scheduler: time, buildDateMs: Date.UTC(2026, 0, 1) });
  try {
    await time.advance(10 * MIN);
    assert.is((await stored(buffer, 'sim.tempC')).length, 61, 'a reading every 10 s');
    assert.ok(sensorWrites >= 10 && sensorWrites <= 13, `${sensorWrites} status writes in 10 min: at start, going online, then once a minute (not 61)`);
    const st = readSensorStatuses(buffer).find((x) => x.id === 'sim')!;
    assert.is(st.state, 'online');
    assert.ok(st.reads >= 55, `the written status is at most a minute old (${st.reads} reads)`);
  } finally {
    await running.stop();
    buffer.close();
  }
});

hour.run();

const faults = suite('Sampler faults');
function harness(drivers: SensorDriver[], intervalMs = 10_000) {
  const time = new VirtualTime(T0);
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const sensors: SampledSensor[] = drivers.map((driver) => {
    const c = parseSensorConfigs([{ type: 'simulated', id: driver.id }])[0];
    return { driver, type: 'test', intervalMs, series: new Map(seriesOf(c, 'pi').map((s) => [s.metric, s])) };
  });
  const guard = new ClockGuard({ buildDateMs: 0, log });
  const sampler = new Sampler({ deviceId: 'pi', buffer, clock: time, scheduler: time, log, guard, sensors });
  return { time, buffer, log, sampler };
}
faults('field case 1: a bad pin disables only that input and shows in status; the others keep sampling', async () => {
  const gpio = new FakeSysfsGpio([{ base: 512, ngpio: 58, label: 'pinctrl-bcm2711' }]);
  try {
    gpio.claimed.add(529);
    const buffer = SqliteBuffer.open(':memory:');
    const time = new VirtualTime(T0);
    const log = recordingLogger();
    const running = await startSampler({
      deviceId: 'pi', buffer, log, clock: time, scheduler: time, buildDateMs: 0,
      sensors: parseSensorConfigs([{ type: 'pulse', id: 'rain', pin: 17, metric: 'rainMm', factor: 0.2794 }, { type: 'simulated', id: 'sim' }]),
      deps: { gpio: new SysfsGpio(gpio.root, gpio.files), edgeSource: async () => new FakeEdgeSource(gpio) },
    });
    await time.advance(5 * MIN);
    const st = readSensorStatuses(buffer);
    assert.is(st.find((s) => s.id === 'rain')!.state, 'disabled');
    assert.match(st.find((s) => s.id === 'rain')!.lastError!, /EBUSY/);
    assert.is(st.find((s) => s.id === 'sim')!.state, 'online');
    assert.is((await stored(buffer, 'sim.tempC')).length, 31); // t = 0, 10 s, … 300 s
    assert.is((await stored(buffer, 'rain.rainMm')).length, 0);
    await running.stop();
    buffer.close();
  } finally {
    gpio.remove();
  }
});
faults('a reading with a bad word stores the good values and counts the problem', async () => {
  let n = 0;
  const driver: SensorDriver = {
    id: 'sht', metrics: ['tempC', 'rhPct'], init: async () => {}, close: async () => {},
    read: async () => (n++ % 2 ? { values: { tempC: 23.73 }, problems: [{ code: 'crc_mismatch', metric: 'rhPct', message: 'crc' }] } : { values: { tempC: 23.73, rhPct: 37 }, problems: [] }),
  };
  const h = harness([driver]);
  h.sampler.start();
  await h.time.advance(35_000);
  await h.sampler.stop();
  assert.is((await stored(h.buffer, 'sht.tempC')).length, 4);
  assert.equal((await stored(h.buffer, 'sht.rhPct')).map((s) => s.value), [37, 37]);
  assert.is(h.sampler.statuses()[0].errorCounts.crc_mismatch, 2);
  h.buffer.close();
});
faults('a driver that throws something unexpected does not stop the loop', async () => {
  let n = 0;
  const driver: SensorDriver = {
    id: 'odd', metrics: ['tempC'], init: async () => {}, close: async () => {},
    read: async () => {
      if (n++ === 1) throw new RangeError('bug');
      return { values: { tempC: 20 }, problems: [] };
    },
  };
  const h = harness([driver]);
  h.sampler.start();
  await h.time.advance(60_000);
  await h.sampler.stop();
  assert.ok((await stored(h.buffer, 'odd.tempC')).length >= 5);
  assert.is(h.sampler.statuses()[0].errorCounts.internal, 1);
  h.buffer.close();
});
faults('backs off 1 s, 2 s, 4 s … and re-initialises after every 3 failures', async () => {
  const calls: Array<[string, number]> = [];
  let time!: VirtualTime;
  const driver: SensorDriver = {
    id: 'dead', metrics: ['tempC'], close: async () => {},
    init: async () => void calls.push(['init', time.monoMs()]),
    read: async () => {
      calls.push(['read', time.monoMs()]);
      throw new BusError('dead', 'EIO', 'read 8 bytes at 0xf7');
    },
  };
  const h = harness([driver]);
  time = h.time;
  h.sampler.start();
  await h.time.advance(40_000);
  await h.sampler.stop();
  const reads = calls.filter((c) => c[0] === 'read').map((c) => c[1]);
  assert.equal(reads.slice(0, 6), [0, 1000, 3000, 7000, 15000, 31000]);
  assert.equal(calls.filter((c) => c[0] === 'init').map((c) => c[1]), [0, 7000]);
  h.buffer.close();
});
faults('issue 12: a sensor disabled by a permanent fault is retried on a slow backoff and comes back on its own when re-plugged', async () => {
  let isPlugged = false;
  const inits: number[] = [];
  let time!: VirtualTime;
  const driver: SensorDriver = {
    id: 'bme', metrics: ['tempC'], close: async () => {},
    init: async () => {
      inits.push(time.monoMs());
      if (!isPlugged) throw new WrongChipError('bme', 0xd0, [0x60], 0xff); // nothing answering: the id reads 0xff
    },
    read: async () => ({ values: { tempC: 21 }, problems: [] }),
  };
  const h = harness([driver]);
  time = h.time;
  h.sampler.start();
  await h.time.advance(10 * MIN);
  assert.is(h.sampler.statuses()[0].state, 'disabled');
  assert.equal(inits.map((ms) => ms / MIN), [0, 2, 6], 'retried after 2 min, then 4 min');
  isPlugged = true; // re-plugged at minute 10
  await h.time.advance(10 * MIN);
  assert.equal(inits.map((ms) => ms / MIN), [0, 2, 6, 14]);
  assert.is(h.sampler.statuses()[0].state, 'online');
  const seconds = (await stored(h.buffer, 'bme.tempC')).map((s) => (s.tsMs - T0) / 1000);
  assert.equal(seconds, Array.from({ length: 37 }, (_, i) => 14 * 60 + i * 10), 'every 10 s from minute 14 on');
  assert.equal(h.log.lines.filter((l) => /^error sensor disabled/.test(l)).length, 1, 'disabled once in the log, retries are quiet');
  assert.ok(h.log.lines.includes('info sensor recovered'));
  await h.sampler.stop();
  h.buffer.close();
});
faults('field case 6 in the daemon: a DS18B20 that returns garbage, vanishes and comes back leaves a gap and the loop alive', async () => {
  const root = mkdtempSync(join(tmpdir(), 'w1-'));
  const dev = join(root, '28-0316a2795aff');
  const put = (text: string) => (mkdirSync(dev, { recursive: true }), writeFileSync(join(dev, 'w1_slave'), text));
  mkdirSync(join(root, 'w1_bus_master1'));
  try {
    put('61 01 4b 46 7f ff 0f 10 02 : crc=02 YES\n61 01 4b 46 7f ff 0f 10 02 t=22062\n');
    const buffer = SqliteBuffer.open(':memory:');
    const time = new VirtualTime(T0);
    const running = await startSampler({
      deviceId: 'pi', buffer, log: recordingLogger(), clock: time, scheduler: time, buildDateMs: 0,
      sensors: parseSensorConfigs([{ type: 'ds18b20', id: 'soil', w1Dir: root, intervalMs: 60_000 }]),
    });
    const busy = () => running.sampler.isBusy;
    await time.advance(5 * MIN, busy);
    put('ff ff ff ff ff ff ff ff ff : crc=c9 NO\n63 01 4b 46 7f ff 0d 10 15 t=-62\n');
    await time.advance(2 * MIN, busy);
    rmSync(dev, { recursive: true });
    await time.advance(5 * MIN, busy);
    assert.is(readSensorStatuses(buffer)[0].state, 'offline');
    put('61 01 4b 46 7f ff 0f 10 02 : crc=02 YES\n61 01 4b 46 7f ff 0f 10 02 t=22062\n');
    await time.advance(5 * MIN, busy);
    const rows = await stored(buffer, 'soil.tempC');
    assert.ok(rows.every((r) => r.value === 22.062), 'never -0.062');
    assert.not.ok(rows.some((r) => r.tsMs > T0 + 5 * MIN + 1000 && r.tsMs < T0 + 12 * MIN), 'gap while broken or gone');
    assert.ok(rows.some((r) => r.tsMs >= T0 + 12 * MIN), 'back after it returned');
    const st = readSensorStatuses(buffer)[0];
    assert.equal([st.state, st.errorCounts.crc_mismatch > 0, st.errorCounts.missing > 0], ['online', true, true]);
    await running.stop();
    buffer.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
faults('with no sensors configured it samples the simulated sensor and says so', async () => {
  const buffer = SqliteBuffer.open(':memory:');
  const time = new VirtualTime(T0);
  const log = recordingLogger();
  const running = await startSampler({ deviceId: 'pi', buffer, log, clock: time, scheduler: time, buildDateMs: 0, sensors: [] });
  await time.advance(MIN);
  await running.stop();
  assert.ok(log.lines.some((l) => /^info no sensors configured: sampling a simulated sensor/.test(l)));
  assert.is((await stored(buffer, 'sim.pressurePa')).length, 7);
  buffer.close();
});
faults('issue 12: with the clock at 1970-01-01 and no build date to hold it, nothing is stored (tsMs 0 is the cloud catalogue item)', async () => {
  const buffer = SqliteBuffer.open(':memory:');
  const time = new VirtualTime(0); // a Pi without RTC, clock never set
  const log = recordingLogger();
  const running = await startSampler({ deviceId: 'pi', buffer, log, clock: time, scheduler: time, buildDateMs: 0, sensors: [] });
  await time.advance(MIN);
  assert.is((await stored(buffer, 'sim.pressurePa')).length, 0, 'nothing stamped before 2000-01-01');
  assert.ok(log.lines.some((l) => /before 2000-01-01T00:00:00\.000Z, the earliest time a sample may carry/.test(l)), log.lines.join('\n'));
  time.stepWallTo(T0); // NTP sets the clock
  await time.advance(MIN);
  await running.stop();
  const rows = await stored(buffer, 'sim.pressurePa');
  assert.ok(rows.length > 0 && rows.every((r) => r.tsMs >= T0 - MIN), 'stored once the clock is set, restamped from the monotonic clock');
  buffer.close();
});
faults.run();

const full = suite('Sampler on a full disk (SQLITE_FULL injected through the SampleBuffer port: a real SQLite buffer whose inserts throw the adapter\'s StorageFullError while "full")');

full('issue 12: every reading lost to a full disk is counted as disk-full, one log line each way, no sensor backoff: stored again at the next interval', async () => {
  const time = new VirtualTime(T0);
  const inner = SqliteBuffer.open(':memory:');
  let isFull = false;
  const buffer = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'insert' && isFull) return () => { throw new StorageFullError('/var/lib/sensorctl', 12_288); };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const log = recordingLogger();
  const configs = parseSensorConfigs([{ type: 'simulated', id: 'sim', intervalMs: 10_000, seed: 7 }]);
  const running = await startSampler({ deviceId: 'pi', sensors: configs, buffer, log, clock: time, scheduler: time, buildDateMs: Date.UTC(2026, 0, 1) });
  try {
    await time.advance(MIN);
    isFull = true;
    await time.advance(5 * MIN);
    assert.equal(running.sampler.storageState(), { path: '/var/lib/sensorctl', lostReadings: 30 });
    isFull = false;
    await time.advance(10_000);
    assert.is(running.sampler.storageState(), undefined);
    assert.equal(log.lines.filter((l) => /disk full|writable again/.test(l)), ['error disk full at /var/lib/sensorctl, 12288 bytes free', 'info storage writable again: samples are stored']);
    const sim = readSensorStatuses(inner).find((s) => s.id === 'sim')!;
    assert.equal([sim.state, sim.errorCounts['disk-full'], sim.failedReads], ['online', 30, 0]);
    assert.ok(inner.newestTsMs('pi')! >= T0 + 6 * MIN, 'stored again at the first read after space returned');
  } finally {
    await running.stop();
  }
});

full.run();
