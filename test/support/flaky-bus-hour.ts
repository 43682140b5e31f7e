/**
 * An hour of sampling in virtual time on the emulated I²C bus (`fake-i2c-bus.ts`) with transfers
 * failing at random, through the real sampler, driver and an in-memory SQLite buffer. Shared by the
 * sampler test (targets) and the bench section `sensors/flaky-bus` (figures).
 */
import { parseSensorConfigs } from '../../agent/config/sensor-config.js';
import { startSampler } from '../../pi/sampler-runtime.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { FakeBme280, FakeI2cBus, FakeSht3x, seededRandom } from './fake-i2c-bus.js';
import { recordingLogger } from './recording-logger.js';
import { loadVectors } from './vectors.js';
import { VirtualTime } from './virtual-time.js';

export interface FlakyHourResult {
  /** Samples one interval apart over the hour (360 at 10 s). */
  expected: number;
  /** tempC samples stored. */
  stored: number;
  /** Transfers attempted on the chip's address, and how many of them failed. */
  transfers: number;
  failedTransfers: number;
  /** Chip (re-)initialisations by the sampler, after the first. */
  reinits: number;
  /** Failed reads by code (`eremoteio`, `chip_reset`, …). */
  errorCounts: Record<string, number>;
  /** Log lines written by the sampler over the hour. */
  logLines: number;
  log: string[];
}

/**
 * Sample `chip` every 10 s for `durationMs` (default 1 h) with each transfer failing with probability
 * `rate`; `midway` (BME280) is done to the emulated chip halfway through (e.g. a power-on reset).
 */
export async function flakyBusHour(chip: 'bme280' | 'sht31', rate: number, seed = 12, durationMs = 3_600_000, midway?: (bme: FakeBme280) => void): Promise<FlakyHourResult> {
  const intervalMs = 10_000;
  const bus = new FakeI2cBus();
  const addr = chip === 'bme280' ? 0x76 : 0x44;
  let bme: FakeBme280 | undefined;
  if (chip === 'bme280') {
    const c0 = loadVectors('bme280').cases[0];
    bus.add(addr, (bme = new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE)));
  } else bus.add(addr, new FakeSht3x());
  const time = new VirtualTime(Date.UTC(2026, 10, 30, 12));
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const type = chip === 'bme280' ? 'bme280' : 'sht3x';
  const running = await startSampler({
    deviceId: 'pi', buffer, log, clock: time, scheduler: time, buildDateMs: 0,
    sensors: parseSensorConfigs([{ type, id: chip, intervalMs }]),
    deps: { i2cBus: async () => bus, sleep: (ms) => new Promise((r) => time.schedule(ms, r)) },
  });
  bus.flaky(addr, rate, seededRandom(seed));
  if (midway && bme) {
    await time.advance(durationMs / 2 - 5_000);
    midway(bme);
    await time.advance(durationMs / 2 + 4_999);
  } else await time.advance(durationMs - 1);
  bus.flaky(addr, 0, Math.random);
  await running.stop();
  let stored = 0;
  for await (const c of (await buffer.readRange('pi', 0, Number.MAX_SAFE_INTEGER)).chunks) stored += c.filter((s) => s.seriesId === `${chip}.tempC`).length;
  buffer.close();
  const counts = bus.flakyCounts.get(addr) ?? { transfers: 0, failed: 0 };
  return {
    expected: durationMs / intervalMs, stored, transfers: counts.transfers, failedTransfers: counts.failed,
    reinits: running.sampler.statuses()[0].reinits, errorCounts: running.sampler.statuses()[0].errorCounts, logLines: log.lines.length, log: log.lines,
  };
}
