import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bme280, TRANSFER_ATTEMPTS } from '../../../sensors/bme280/bme280.js';
import { BusError, ChipResetError, MeasurementTimeoutError, WrongChipError } from '../../../sensors/errors.js';
import { FakeBme280, FakeI2cBus } from '../../support/fake-i2c-bus.js';
import { loadVectors } from '../../support/vectors.js';

const { cases } = loadVectors('bme280');
const c0 = cases[0];

function setup(chipId = 0x60, mode: 'forced' | 'normal' = 'forced') {
  const bus = new FakeI2cBus();
  const chip = new FakeBme280(chipId, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE);
  bus.add(0x76, chip);
  const sleeps: number[] = [];
  const drv = new Bme280('bme280-76', bus, 0x76, async (ms) => void sleeps.push(ms), { mode, osrsT: 1, osrsP: 1, osrsH: 1, filter: 0, standbyMs: 1000 });
  return { bus, chip, drv, sleeps };
}

const t = suite('Bme280');
t('reads the vector values through the emulated chip in forced mode', async () => {
  const { drv } = setup();
  await drv.init();
  const r = await drv.read();
  const e = c0.datasheet_listing.double;
  assert.ok(Math.abs(r.values.tempC! - e.temperature_c) <= 1e-6);
  assert.ok(Math.abs(r.values.pressurePa! - e.pressure_pa) <= 1e-4);
  assert.ok(Math.abs(r.values.rhPct! - e.humidity_rh) <= 1e-6);
  assert.equal(drv.metrics, ['tempC', 'pressurePa', 'rhPct']);
});
t('writes ctrl_hum before ctrl_meas, and triggers a forced measurement before every read', async () => {
  const { bus, chip, drv } = setup();
  await drv.init();
  const initLog = bus.log.join('|');
  assert.ok(initLog.indexOf('writeByte 0xf2') < initLog.lastIndexOf('writeByte 0xf4'));
  await drv.read();
  await drv.read();
  assert.is(chip.conversions, 2);
  const triggers = bus.log.filter((l) => /^writeByte 0xf4=0x25$/.test(l)).length; // osrs_t=1, osrs_p=1, mode=01
  assert.is(triggers, 2);
});
t('waits the maximum measurement time and polls status.measuring before the burst read', async () => {
  const { bus, chip, drv, sleeps } = setup();
  chip.measuringReads = 3;
  await drv.init();
  sleeps.length = 0;
  bus.log.length = 0;
  const r = await drv.read();
  assert.ok(sleeps[0] >= Math.ceil(1.25 + 2.3 + 2.3 + 0.575 + 2.3 + 0.575));
  const statusReads = bus.log.filter((l) => l === 'readByte 0xf3').length;
  assert.is(statusReads, 4);
  assert.ok(bus.log.indexOf('readI2cBlock 0xf4 11') > bus.log.lastIndexOf('readByte 0xf3'), 'one burst: ctrl_meas, config, data');
  assert.ok(r.values.tempC !== undefined);
});
t('gives up with a timeout when status.measuring never clears', async () => {
  const { chip, drv } = setup();
  chip.measuringReads = 1000;
  await drv.init();
  try {
    await drv.read();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, MeasurementTimeoutError);
  }
});
t('field case 3: a chip whose ctrl_meas reads 0x00 (reset) yields no values, not plausible nonsense', async () => {
  const { bus, drv } = setup(0x60, 'normal');
  await drv.init();
  bus.stuck(0x76, 0xf7, [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]); // data registers after a brown-out reset
  const r = await drv.read();
  assert.equal(r.values, {});
  assert.ok(r.problems.some((p) => p.code === 'skipped'));
});
t('field case 3, the whole kind: after a spontaneous chip reset (ctrl_meas 0x00) it stores nothing, says why and re-initialises', async () => {
  const { chip, drv } = setup(0x60, 'normal');
  await drv.init();
  assert.ok((await drv.read()).values.tempC !== undefined);
  chip.writeReg(0xe0, 0xb6); // brown-out: registers back to power-on values, data 80 00 00 …
  await drv.read().then(() => assert.unreachable('a reading from a reset chip'), (err: Error) => {
    assert.instance(err, ChipResetError);
    assert.match(err.message, /ctrl_meas reads 0x00 instead of 0x24 \(chip reset\?\): re-initialised$/);
  });
  const good = await drv.read();
  assert.ok(Math.abs(good.values.tempC! - c0.datasheet_listing.double.temperature_c) <= 1e-6);
});
t('identifies a BMP280 (0x58) and reads no humidity', async () => {
  const { drv, bus } = setup(0x58);
  await drv.init();
  assert.is(drv.isBme280, false);
  assert.not.ok(bus.log.some((l) => l.startsWith('readI2cBlock 0xe1')));
  const r = await drv.read();
  assert.equal(Object.keys(r.values).sort(), ['pressurePa', 'tempC']);
});
t('rejects another chip id with WrongChipError', async () => {
  const { drv, bus } = setup();
  bus.stuck(0x76, 0xd0, [0x61]);
  try {
    await drv.init();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, WrongChipError);
    assert.is((err as WrongChipError).actual, 0x61);
    assert.is((err as WrongChipError).isTransient, false);
  }
});
for (const errno of ['EREMOTEIO', 'EIO', 'ETIMEDOUT', 'ENXIO']) {
  t(`turns ${errno} into a transient BusError once the ${TRANSFER_ATTEMPTS} attempts of a transfer are spent`, async () => {
    const { drv, bus } = setup();
    await drv.init();
    await drv.read();
    bus.failNext(0x76, errno, TRANSFER_ATTEMPTS);
    try {
      await drv.read();
      assert.unreachable();
    } catch (err) {
      assert.instance(err, BusError);
      assert.is((err as BusError).code, errno.toLowerCase());
      assert.is((err as BusError).isTransient, true);
    }
    assert.ok((await drv.read()).values.tempC !== undefined);
  });
}
t.run();
