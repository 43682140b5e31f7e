import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCalibration } from '../../../sensors/bme280/calibration.js';
import { compensateHumidity, compensatePressure, compensateTemperature, decodeMeasurement, decodeRawData } from '../../../sensors/bme280/decode.js';
import { loadVectors } from '../../support/vectors.js';

const { cases } = loadVectors('bme280');
const u8 = (a: number[]) => Uint8Array.from(a);

const calib = suite('decodeCalibration');
for (const c of cases) {
  calib(`parses ${c.id} (${c.note}) exactly as Bosch's library does`, () => {
    const cal = decodeCalibration(u8(c.input.calib_0x88_0xA1), u8(c.input.calib_0xE1_0xE7));
    const p = c.parsed;
    assert.equal(
      [cal.digT1, cal.digT2, cal.digT3, cal.digP1, cal.digP2, cal.digP3, cal.digP4, cal.digP5, cal.digP6, cal.digP7, cal.digP8, cal.digP9],
      [p.dig_T1, p.dig_T2, p.dig_T3, p.dig_P1, p.dig_P2, p.dig_P3, p.dig_P4, p.dig_P5, p.dig_P6, p.dig_P7, p.dig_P8, p.dig_P9],
    );
    const h = cal.humidity!;
    assert.equal([h.digH1, h.digH2, h.digH3, h.digH4, h.digH5, h.digH6], [p.dig_H1, p.dig_H2, p.dig_H3, p.dig_H4, p.dig_H5, p.dig_H6]);
  });
}
calib('unpacks negative dig_H4/dig_H5 around the nibbles of 0xE5 and a signed dig_H6', () => {
  // 0xE4 = 0xFD (−3), 0xE5 = 0x7D, 0xE6 = 0xF7 (−9), 0xE7 = 0x8A
  const h = decodeCalibration(new Uint8Array(26), u8([0x54, 0x01, 0x00, 0xfd, 0x7d, 0xf7, 0x8a])).humidity!;
  assert.is(h.digH4, -3 * 16 + 0xd);
  assert.is(h.digH5, -9 * 16 + 0x7);
  assert.is(h.digH6, 0x8a - 256);
});
calib('ignores the reserved register 0xA0 and reads dig_H1 from 0xA1', () => {
  const base = cases[0].input.calib_0x88_0xA1.slice();
  const a = decodeCalibration(u8(base), u8(cases[0].input.calib_0xE1_0xE7));
  base[24] = 0xa5;
  const b = decodeCalibration(u8(base), u8(cases[0].input.calib_0xE1_0xE7));
  assert.equal(a, b);
  assert.is(b.humidity!.digH1, 75);
});
calib('leaves out humidity trimming for a BMP280', () => {
  assert.is(decodeCalibration(u8(cases[0].input.calib_0x88_0xA1)).humidity, undefined);
});
calib.run();

const raw = suite('decodeRawData');
for (const c of cases) {
  raw(`splits the burst of ${c.id} into adc_P/adc_T/adc_H`, () => {
    const r = decodeRawData(u8(c.input.data_0xF7_0xFE));
    assert.equal([r.adcP, r.adcT, r.adcH], [c.parsed.adc_P, c.parsed.adc_T, c.parsed.adc_H]);
  });
}
raw('uses only the high nibble of the xlsb registers', () => {
  assert.equal(decodeRawData(u8([0x55, 0x33, 0x8f, 0x81, 0x7f, 0xbf])), { adcP: 0x55338, adcT: 0x817fb });
});
raw.run();

const comp = suite('compensation (data sheet §8.1, double)');
for (const c of cases) {
  comp(`matches datasheet_listing.double of ${c.id} to 1e-6`, () => {
    const cal = decodeCalibration(u8(c.input.calib_0x88_0xA1), u8(c.input.calib_0xE1_0xE7));
    const e = c.datasheet_listing.double;
    const { tempC, tFine } = compensateTemperature(c.parsed.adc_T, cal);
    assert.is(tFine, e.t_fine);
    assert.ok(Math.abs(tempC - e.temperature_c) <= 1e-6, `T ${tempC} vs ${e.temperature_c}`);
    const p = compensatePressure(c.parsed.adc_P, tFine, cal)!;
    assert.ok(Math.abs(p - e.pressure_pa) <= 1e-6 * Math.abs(e.pressure_pa), `P ${p} vs ${e.pressure_pa}`);
    const h = compensateHumidity(c.parsed.adc_H, tFine, cal.humidity!);
    assert.ok(Math.abs(h - e.humidity_rh) <= 1e-6, `H ${h} vs ${e.humidity_rh}`);
    // the datasheet and Bosch's double build agree on every case of this sample
    assert.ok(Math.abs(tempC - c.expected.double.temperature_c) <= 1e-6);
  });
}
comp('truncates t_fine toward zero for negative temperatures', () => {
  const c = cases.find((x: any) => x.id === 'bme280-004');
  const cal = decodeCalibration(u8(c.input.calib_0x88_0xA1), u8(c.input.calib_0xE1_0xE7));
  const { tempC, tFine } = compensateTemperature(c.parsed.adc_T, cal);
  assert.is(tFine, -9164);
  assert.ok(tempC * 5120 < -9164 && tempC * 5120 > -9165);
});
comp('returns no pressure when var1 == 0 (dig_P1 = 0), never Infinity or NaN', () => {
  const cal = decodeCalibration(u8(cases[0].input.calib_0x88_0xA1));
  assert.is(compensatePressure(348984, 125119, { ...cal, digP1: 0 }), undefined);
});
comp('follows the data sheet humidity formula when dig_H3 ≠ 0 (no extra library factor)', () => {
  const h = { digH1: 75, digH2: 357, digH3: 100, digH4: 331, digH5: 50, digH6: 30 };
  const tFine = 125119;
  let v = tFine - 76800.0;
  v = (30995 - (h.digH4 * 64.0 + (h.digH5 / 16384.0) * v)) * ((h.digH2 / 65536.0) * (1.0 + (h.digH6 / 67108864.0) * v * (1.0 + (h.digH3 / 67108864.0) * v)));
  v = v * (1.0 - (h.digH1 * v) / 524288.0);
  assert.is(compensateHumidity(30995, tFine, h), v);
});
comp('limits humidity to 0…100 %RH', () => {
  const h = { digH1: 75, digH2: 357, digH3: 0, digH4: 331, digH5: 0, digH6: 30 };
  assert.is(compensateHumidity(0xffff, 125119, h), 100);
  assert.is(compensateHumidity(0, 125119, h), 0);
});
comp.run();

const meas = suite('decodeMeasurement');
const c0 = cases[0];
const cal0 = decodeCalibration(u8(c0.input.calib_0x88_0xA1), u8(c0.input.calib_0xE1_0xE7));
meas('decodes all three values of a good burst', () => {
  const r = decodeMeasurement(decodeRawData(u8(c0.input.data_0xF7_0xFE)), cal0);
  assert.equal(r.problems, []);
  assert.equal(Object.keys(r.values).sort(), ['pressurePa', 'rhPct', 'tempC']);
});
meas('field case 3: skipped data 80 00 00 80 00 00 stores no temperature and no pressure (not ~19.9 °C / 709 hPa)', () => {
  const r = decodeMeasurement(decodeRawData(u8([0x80, 0, 0, 0x80, 0, 0])), cal0);
  assert.equal(r.values, {});
  assert.equal(r.problems.map((p) => [p.metric, p.code]), [['tempC', 'skipped'], ['pressurePa', 'skipped']]);
  // the naive decode really is plausible nonsense
  const { tempC, tFine } = compensateTemperature(0x80000, cal0);
  assert.ok(tempC > 15 && tempC < 25, String(tempC));
  assert.ok(compensatePressure(0x80000, tFine, cal0)! > 30_000);
});
meas('a skipped temperature with a real pressure word still drops pressure: it needs t_fine', () => {
  const r = decodeMeasurement({ adcT: 0x80000, adcP: c0.parsed.adc_P, adcH: c0.parsed.adc_H }, cal0);
  assert.equal(r.values, {});
  assert.equal(r.problems.map((p) => p.code), ['skipped', 'no_compensation', 'no_compensation']);
});
meas('a skipped humidity word (0x8000) is missing, the other values stay', () => {
  const d = [...c0.input.data_0xF7_0xFE.slice(0, 6), 0x80, 0x00];
  const r = decodeMeasurement(decodeRawData(u8(d)), cal0);
  assert.equal(Object.keys(r.values).sort(), ['pressurePa', 'tempC']);
  assert.equal(r.problems.map((p) => p.code), ['skipped']);
});
meas('reports a temperature outside −40…85 °C as out of range and does not store it', () => {
  const r = decodeMeasurement({ adcT: 900_000, adcP: c0.parsed.adc_P, adcH: c0.parsed.adc_H }, cal0);
  assert.is(r.values.tempC, undefined);
  assert.ok(r.problems.some((p) => p.metric === 'tempC' && p.code === 'out_of_range'));
});
meas('reports a pressure outside 300…1100 hPa as out of range', () => {
  const r = decodeMeasurement({ adcT: c0.parsed.adc_T, adcP: 10, adcH: c0.parsed.adc_H }, cal0);
  assert.is(r.values.pressurePa, undefined);
  assert.ok(r.problems.some((p) => p.metric === 'pressurePa' && p.code === 'out_of_range'));
});
meas('a channel disabled in the configuration is not a problem', () => {
  const r = decodeMeasurement(decodeRawData(u8([0x80, 0, 0, ...c0.input.data_0xF7_0xFE.slice(3)])), cal0, { temperature: true, pressure: false, humidity: true });
  assert.equal(r.problems, []);
  assert.equal(Object.keys(r.values).sort(), ['rhPct', 'tempC']);
});
meas.run();
