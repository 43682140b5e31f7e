/**
 * Unit conversions the importer applies to reach each metric's canonical stored unit
 * (`builder/metrics.ts`: °C, %RH, Pa, lx, …). Pure.
 */
import { METRICS, type Metric } from '../../builder/metrics.js';

/** A source unit of a metric: its name and the conversion to the canonical unit. */
export interface UnitConversion {
  unit: string;
  toCanonical: (value: number) => number;
}

const same = (unit: string): UnitConversion => ({ unit, toCanonical: (v) => v });
/**
 * Multiply by `factor`, then drop binary rounding noise beyond 15 significant digits, so a logged
 * 1008.739 hPa is stored as 100873.9 Pa, not 100873.90000000001 (doubles carry 15–17 digits; sensor
 * logs carry far fewer).
 */
const scale = (unit: string, factor: number): UnitConversion => ({ unit, toCanonical: (v) => Number((v * factor).toPrecision(15)) });

/**
 * A 16-point compass code (0 = N, 1 = NNE, 2 = NE, … clockwise, 15 = NNW) → bearing in degrees
 * (code × 22.5). Anything but an integer 0…15 gives NaN, so it is not stored (out of range); a
 * logger's "no reading" code (often 16) is better named with `--invalid NAME=16`.
 */
export const COMPASS_POINTS = 16;
export function compass16ToDeg(code: number): number {
  return Number.isInteger(code) && code >= 0 && code < COMPASS_POINTS ? (code * 360) / COMPASS_POINTS : NaN;
}

/** Source units accepted per metric (`--unit COLUMN=UNIT`); the first is the canonical one. */
export const SOURCE_UNITS: Partial<Record<Metric, readonly UnitConversion[]>> = {
  tempC: [same('C'), { unit: 'F', toCanonical: (v) => ((v - 32) * 5) / 9 }, { unit: 'K', toCanonical: (v) => v - 273.15 }],
  pressurePa: [same('Pa'), scale('hPa', 100), scale('mbar', 100), scale('kPa', 1000), scale('inHg', 3386.389)],
  rhPct: [same('%')],
  illuminanceLux: [same('lx')],
  distanceCm: [same('cm'), scale('mm', 0.1), scale('m', 100)],
  voltageV: [same('V'), scale('mV', 0.001)],
  currentA: [same('A'), scale('mA', 0.001)],
  co2Ppm: [same('ppm')],
  pm25Ugm3: [same('µg/m³')],
  pm10Ugm3: [same('µg/m³')],
  windMs: [same('m/s'), scale('km/h', 1 / 3.6), scale('mph', 0.44704), scale('kn', 1852 / 3600)],
  windDirDeg: [same('°'), { unit: 'compass16', toCanonical: compass16ToDeg }],
};

/** The conversion for `unit` of `metric`, or undefined when that unit is not known for it. */
export function findUnit(metric: Metric, unit: string): UnitConversion | undefined {
  const list = SOURCE_UNITS[metric] ?? [same(METRICS[metric].unit)];
  return list.find((u) => u.unit.toLowerCase() === unit.toLowerCase()) ?? (unit === METRICS[metric].unit ? same(unit) : undefined);
}

/** Units accepted for `metric`, for error messages. */
export function unitsOf(metric: Metric): string[] {
  return (SOURCE_UNITS[metric] ?? [same(METRICS[metric].unit)]).map((u) => u.unit);
}

/**
 * The unit a column of `metric` is most likely in, judged from one plausible value (and, for a wind
 * direction, all values of the first lines), with the reason: pressure below 2,000 is hPa (300–1100 hPa
 * is the BME280 range), else Pa; a direction whose values are all integers 0…16 is a 16-point compass
 * code (16 often meaning "no reading"); other metrics: canonical.
 */
export function guessUnit(metric: Metric, sampleValue: number | undefined, headValues: readonly number[] = []): { conversion: UnitConversion; reason: string } {
  if (metric === 'windDirDeg' && headValues.length > 0 && headValues.every((v) => Number.isInteger(v) && v >= 0 && v <= COMPASS_POINTS)) {
    return { conversion: findUnit(metric, 'compass16')!, reason: `values of the first lines are all integers 0–${COMPASS_POINTS}: read as a 16-point compass code (0 = N, clockwise, × 22.5°; pass --unit NAME=° if they are degrees)` };
  }
  if (metric === 'pressurePa') {
    if (sampleValue !== undefined && sampleValue < 2_000) return { conversion: scale('hPa', 100), reason: 'first value below 2000, read as hPa (×100 → Pa)' };
    return { conversion: same('Pa'), reason: sampleValue === undefined ? 'no value seen, read as Pa' : 'first value 2000 or more, read as Pa' };
  }
  const canonical = (SOURCE_UNITS[metric] ?? [same(METRICS[metric].unit)])[0];
  return { conversion: canonical, reason: `canonical unit ${METRICS[metric].unit}` };
}
