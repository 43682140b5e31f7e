import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flakyBusHour } from '../../support/flaky-bus-hour.js';
import { Bme280 } from '../../../sensors/bme280/bme280.js';
import { FakeBme280, FakeI2cBus } from '../../support/fake-i2c-bus.js';
import { ChipResetError } from '../../../sensors/errors.js';
import { loadVectors } from '../../support/vectors.js';

/** An emulated BME280 (first vector's calibration and data) on a fake bus, and its driver. */
function bmeOnBus(mode: 'forced' | 'normal') {
  const c0 = loadVectors('bme280').cases[0];
  const chip = new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE);
  const bus = new FakeI2cBus().add(0x76, chip);
  const drv = new Bme280('bme', bus, 0x76, async () => {}, { mode, osrsT: 1, osrsP: 1, osrsH: 1, filter: 0, standbyMs: 1000 });
  return { chip, bus, drv };
}

const flaky = suite('Sampler on a flaky I²C bus (an hour of virtual time, emulated BME280)');

flaky('issue 12: with 10 % of transfers failing (EREMOTEIO/EIO) at least 85 % of the samples are stored, with no re-init', async () => {
  const r = await flakyBusHour('bme280', 0.1);
  assert.ok(r.failedTransfers >= 0.08 * r.transfers, `faults injected: ${r.failedTransfers} of ${r.transfers}`);
  assert.ok(r.stored >= 0.85 * r.expected, `stored ${r.stored} of ${r.expected}`);
  assert.is(r.reinits, 0);
});

flaky('issue 12: with 25 % of transfers failing at least 50 % of the samples are stored', async () => {
  const r = await flakyBusHour('bme280', 0.25);
  assert.ok(r.failedTransfers >= 0.2 * r.transfers, `faults injected: ${r.failedTransfers} of ${r.transfers}`);
  assert.ok(r.stored >= 0.5 * r.expected, `stored ${r.stored} of ${r.expected}`);
  assert.is(r.reinits, 0);
});

flaky('issue 12: a flapping sensor is logged as one summary line a minute with counts (SHT31, 25 % of transfers failing)', async () => {
  const r = await flakyBusHour('sht31', 0.25);
  const lines = r.log.filter((l) => !l.startsWith('debug'));
  assert.ok(lines.length <= 62, `${lines.length} lines in an hour`);
  const summaries = lines.filter((l) => l.startsWith('warn sensor flapping: '));
  assert.ok(summaries.length >= 40, `${summaries.length} summaries`);
  for (const l of summaries) assert.match(l, /^warn sensor flapping: (\d+ × (failing|recovered|offline)(, )?)+ in (6\d|7\d) s; failed reads (none|(e\w+ \d+(, )?)+); now (online|failing|offline)$/);
});

flaky('a failed transfer is retried at once, not by re-initialising the chip', async () => {
  const { bus, drv } = bmeOnBus('forced');
  await drv.init();
  bus.log.length = 0;
  bus.failNext(0x76, 'EREMOTEIO', 2); // the trigger write fails twice, the third attempt goes through
  const r = await drv.read();
  assert.ok(Math.abs(r.values.tempC! - loadVectors('bme280').cases[0].datasheet_listing.double.temperature_c) <= 1e-6);
  assert.equal(bus.log.slice(0, 3), ['writeByte 0xf2=0x1', 'writeByte 0xf2=0x1', 'writeByte 0xf2=0x1']);
  assert.not.ok(bus.log.includes('writeByte 0xe0=0xb6'), 'no soft reset');
  assert.is(drv.retriedTransfers, 2);
});

flaky('issue 12: a chip reset is recognised from the power-on values and answered with one re-init (normal and forced mode)', async () => {
  for (const mode of ['normal', 'forced'] as const) {
    const { chip, bus, drv } = bmeOnBus(mode);
    await drv.init();
    chip.powerOnReset(); // a brown-out: ctrl_meas, config and data back at their power-on values
    const seen = mode === 'normal' ? /ctrl_meas reads 0x00 instead of 0x24/ : /config reads 0x00 instead of 0xa0/; // forced: each read rewrites ctrl_meas, config shows it
    await drv.read().then(() => assert.unreachable(mode), (err: Error) => {
      assert.instance(err, ChipResetError);
      assert.match(err.message, seen);
      assert.match(err.message, /\(chip reset\?\): re-initialised$/);
    });
    assert.is(drv.resetsSeen, 1);
    assert.is(bus.log.filter((l) => l === 'writeByte 0xe0=0xb6').length, 2, `${mode}: the first init and the one re-init`);
    assert.ok((await drv.read()).values.tempC !== undefined);
  }
});

flaky('a reset chip found with another calibration (a different chip plugged in) is re-initialised and says so', async () => {
  const { chip, drv } = bmeOnBus('normal');
  await drv.init();
  chip.regs[0x88] ^= 0x01; // dig_T1 of the "new" chip
  chip.powerOnReset();
  await drv.read().then(() => assert.unreachable(), (err: Error) => assert.match(err.message, /re-initialised \(calibration differs \(another chip\?\)\)$/));
});

flaky('in the sampler a chip reset is counted as chip_reset and sampling goes on', async () => {
  const r = await flakyBusHour('bme280', 0, 1, 600_000, (chip) => chip.powerOnReset());
  assert.is(r.stored, 60, 'the read that found the reset is retried 1 s later: none of 60 lost');
  assert.is(r.errorCounts.chip_reset, 1);
  assert.is(r.reinits, 0, 'the driver re-initialised itself, once');
});

flaky.run();
