/**
 * BME280/BMP280 raw data and compensation. Follows the BME280 data sheet rev. 1.6: §4 "Data
 * readout" (20-bit T/P, 16-bit H, big-endian), §5.4.7–5.4.9 (skipped = 0x80000 / 0x8000) and
 * Appendix A §8.1 "Compensation formulas in double precision floating point".
 *
 * Deviations from Bosch's reference library, on purpose (see ../shared/vectors/README.md):
 * no range clamping of temperature/pressure (out-of-range values are reported, not stored), and the
 * humidity formula is the data sheet's (the library carries an extra (1 + dig_H3·…) factor).
 */
import type { Problem, Reading } from '../reading.js';
import type { Calibration, HumidityCalibration } from './calibration.js';
import { RAW_H_SKIPPED, RAW_SKIPPED } from './registers.js';

/** Operating range (data sheet §1 / Table 1): −40…85 °C. */
export const TEMP_MIN_C = -40;
export const TEMP_MAX_C = 85;
/** Operating range: 300…1100 hPa, in Pa. */
export const PRESSURE_MIN_PA = 30_000;
export const PRESSURE_MAX_PA = 110_000;

/** Raw ADC words of one burst; `adcH` is absent on a BMP280 (6-byte burst). */
export interface RawData {
  adcP: number;
  adcT: number;
  adcH?: number;
}

/**
 * Split the burst read 0xF7–0xFE (8 bytes; 6 on a BMP280) into the ADC words:
 * adc_P = press_msb << 12 | press_lsb << 4 | press_xlsb >> 4, adc_T likewise, adc_H = hum_msb << 8 | hum_lsb.
 * @throws {RangeError} unless 6 or 8 bytes are given.
 */
export function decodeRawData(bytes: Uint8Array): RawData {
  if (bytes.length !== 8 && bytes.length !== 6) throw new RangeError(`data block 0xF7: ${bytes.length} bytes, expected 8 (BME280) or 6 (BMP280)`);
  const raw: RawData = {
    adcP: (bytes[0] << 12) | (bytes[1] << 4) | (bytes[2] >> 4),
    adcT: (bytes[3] << 12) | (bytes[4] << 4) | (bytes[5] >> 4),
  };
  if (bytes.length === 8) raw.adcH = (bytes[6] << 8) | bytes[7];
  return raw;
}

/**
 * Temperature compensation (§8.1, "bme280_compensate_T_double").
 * @returns `tempC` = (var1 + var2) / 5120 in °C, and `tFine` = (var1 + var2) truncated toward zero
 *   (the data sheet's `(BME280_S32_t)` cast), which the pressure and humidity formulas take.
 */
export function compensateTemperature(adcT: number, cal: Calibration): { tempC: number; tFine: number } {
  const var1 = (adcT / 16384.0 - cal.digT1 / 1024.0) * cal.digT2;
  const var2 = (adcT / 131072.0 - cal.digT1 / 8192.0) * (adcT / 131072.0 - cal.digT1 / 8192.0) * cal.digT3;
  return { tempC: (var1 + var2) / 5120.0, tFine: Math.trunc(var1 + var2) };
}

/**
 * Pressure compensation (§8.1, "bme280_compensate_P_double").
 * @returns pressure in Pa, or `undefined` when var1 == 0 (the data sheet's division guard:
 *   no value, never Infinity/NaN or 0).
 */
export function compensatePressure(adcP: number, tFine: number, cal: Calibration): number | undefined {
  let var1 = tFine / 2.0 - 64000.0;
  let var2 = (var1 * var1 * cal.digP6) / 32768.0;
  var2 = var2 + var1 * cal.digP5 * 2.0;
  var2 = var2 / 4.0 + cal.digP4 * 65536.0;
  var1 = ((cal.digP3 * var1 * var1) / 524288.0 + cal.digP2 * var1) / 524288.0;
  var1 = (1.0 + var1 / 32768.0) * cal.digP1;
  if (var1 === 0.0) return undefined; // avoid exception caused by division by zero
  let p = 1048576.0 - adcP;
  p = ((p - var2 / 4096.0) * 6250.0) / var1;
  var1 = (cal.digP9 * p * p) / 2147483648.0;
  var2 = (p * cal.digP8) / 32768.0;
  return p + (var1 + var2 + cal.digP7) / 16.0;
}

/**
 * Humidity compensation (§8.1, "bme280_compensate_H_double"), limited to 0…100 %RH as the data
 * sheet's listing does.
 * @returns relative humidity in %RH.
 */
export function compensateHumidity(adcH: number, tFine: number, cal: HumidityCalibration): number {
  let varH = tFine - 76800.0;
  varH =
    (adcH - (cal.digH4 * 64.0 + (cal.digH5 / 16384.0) * varH)) *
    ((cal.digH2 / 65536.0) * (1.0 + (cal.digH6 / 67108864.0) * varH * (1.0 + (cal.digH3 / 67108864.0) * varH)));
  varH = varH * (1.0 - (cal.digH1 * varH) / 524288.0);
  if (varH > 100.0) varH = 100.0;
  else if (varH < 0.0) varH = 0.0;
  return varH;
}

/** Which channels the configuration enabled (osrs ≠ 0); a disabled channel is not a problem. */
export interface EnabledChannels {
  temperature: boolean;
  pressure: boolean;
  humidity: boolean;
}

const ALL: EnabledChannels = { temperature: true, pressure: true, humidity: true };

/**
 * Decode one burst into storable values: `tempC` (°C), `pressurePa` (Pa), `rhPct` (%RH).
 * A skipped channel (0x80000 / 0x8000) yields no value; pressure and humidity need t_fine, so a
 * skipped temperature also drops them. Temperature or pressure outside the operating range is
 * reported as `out_of_range` and not stored.
 * @param enabled channels the configuration enabled; skipped data on a disabled channel is expected
 *   and not reported as a problem.
 */
export function decodeMeasurement(raw: RawData, cal: Calibration, enabled: EnabledChannels = ALL): Reading {
  const values: Record<string, number> = {};
  const problems: Problem[] = [];
  const hasH = raw.adcH !== undefined && cal.humidity !== undefined;
  if (raw.adcT === RAW_SKIPPED) {
    if (enabled.temperature) problems.push({ code: 'skipped', metric: 'tempC', message: 'temperature measurement skipped (adc_T = 0x80000)' });
    if (enabled.pressure) {
      problems.push(raw.adcP === RAW_SKIPPED
        ? { code: 'skipped', metric: 'pressurePa', message: 'pressure measurement skipped (adc_P = 0x80000)' }
        : { code: 'no_compensation', metric: 'pressurePa', message: 'pressure needs t_fine, but temperature was skipped' });
    }
    if (hasH && enabled.humidity) {
      problems.push(raw.adcH === RAW_H_SKIPPED
        ? { code: 'skipped', metric: 'rhPct', message: 'humidity measurement skipped (adc_H = 0x8000)' }
        : { code: 'no_compensation', metric: 'rhPct', message: 'humidity needs t_fine, but temperature was skipped' });
    }
    return { values, problems };
  }
  const { tempC, tFine } = compensateTemperature(raw.adcT, cal);
  if (tempC < TEMP_MIN_C || tempC > TEMP_MAX_C) {
    problems.push({ code: 'out_of_range', metric: 'tempC', message: `temperature ${tempC.toFixed(2)} °C outside ${TEMP_MIN_C}…${TEMP_MAX_C} °C` });
  } else values.tempC = tempC;

  if (raw.adcP === RAW_SKIPPED) {
    if (enabled.pressure) problems.push({ code: 'skipped', metric: 'pressurePa', message: 'pressure measurement skipped (adc_P = 0x80000)' });
  } else {
    const pressurePa = compensatePressure(raw.adcP, tFine, cal);
    if (pressurePa === undefined) problems.push({ code: 'division_by_zero', metric: 'pressurePa', message: 'pressure compensation var1 = 0 (calibration dig_P1 = 0?)' });
    else if (!(pressurePa >= PRESSURE_MIN_PA && pressurePa <= PRESSURE_MAX_PA)) {
      problems.push({ code: 'out_of_range', metric: 'pressurePa', message: `pressure ${(pressurePa / 100).toFixed(2)} hPa outside 300…1100 hPa` });
    } else values.pressurePa = pressurePa;
  }

  if (hasH) {
    if (raw.adcH === RAW_H_SKIPPED) {
      if (enabled.humidity) problems.push({ code: 'skipped', metric: 'rhPct', message: 'humidity measurement skipped (adc_H = 0x8000)' });
    } else values.rhPct = compensateHumidity(raw.adcH!, tFine, cal.humidity!);
  }
  return { values, problems };
}
