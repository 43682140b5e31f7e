import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flakyBusHour } from '../../support/flaky-bus-hour.js';
import { Bme280 } from '../../../sensors/bme280/bme280.js';
import { FakeBme280, FakeI2cBus } from '../../support/fake-i2c-bus.js';
import { loadVectors } from '../../support/vectors.js';

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

flaky('a failed transfer is retried at once, not by re-initialising the chip', async () => {
  const c0 = loadVectors('bme280').cases[0];
  const bus = new FakeI2cBus().add(0x76, new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE));
  const drv = new Bme280('bme', bus, 0x76, async () => {});
  await drv.init();
  bus.log.length = 0;
  bus.failNext(0x76, 'EREMOTEIO', 2); // the trigger write fails twice, the third attempt goes through
  const r = await drv.read();
  assert.ok(Math.abs(r.values.tempC! - c0.datasheet_listing.double.temperature_c) <= 1e-6);
  assert.equal(bus.log.slice(0, 3), ['writeByte 0xf2=0x1', 'writeByte 0xf2=0x1', 'writeByte 0xf2=0x1']);
  assert.not.ok(bus.log.includes('writeByte 0xe0=0xb6'), 'no soft reset');
  assert.is(drv.retriedTransfers, 2);
});

flaky('after a chip reset (brown-out) in normal mode the configuration is rewritten and the next read measures', async () => {
  const c0 = loadVectors('bme280').cases[0];
  const chip = new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE);
  const bus = new FakeI2cBus().add(0x76, chip);
  const drv = new Bme280('bme', bus, 0x76, async () => {}, { mode: 'normal', osrsT: 1, osrsP: 1, osrsH: 1, filter: 0, standbyMs: 1000 });
  await drv.init();
  chip.powerOnReset();
  assert.equal((await drv.read()).values, {});
  assert.ok((await drv.read()).values.tempC !== undefined);
});
flaky.run();
