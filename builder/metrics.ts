/**
 * Canonical metrics: the quantity names used as `SeriesInfo.metric`, their stored unit, aggregation
 * kind and a default plausible range (values outside are not stored; drivers and the importer may use
 * a narrower, sensor-specific range). Stored units are canonical (Pa, not hPa); only web/ converts for
 * display. Imports nothing, so the browser bundle can include it.
 */
import type { SeriesKind } from './constants.js';

export interface MetricSpec {
  /** Unit symbol as stored. */
  readonly unit: string;
  readonly kind: SeriesKind;
  /** Inclusive plausible range in the stored unit. */
  readonly min: number;
  readonly max: number;
  readonly label: string;
}

export const METRICS = {
  /** Air/probe temperature; range of the BME280 (datasheet §1, operating range −40…85 °C). */
  tempC: { unit: '°C', kind: 'gauge', min: -40, max: 85, label: 'Temperature' },
  /** Relative humidity, 0…100 %RH. */
  rhPct: { unit: '%RH', kind: 'gauge', min: 0, max: 100, label: 'Humidity' },
  /** Barometric pressure in Pa; BME280 range 300…1100 hPa. */
  pressurePa: { unit: 'Pa', kind: 'gauge', min: 30_000, max: 110_000, label: 'Pressure' },
  /** Illuminance; BH1750 range 0…65535 lx (up to ~120k lx with a small MTreg). */
  illuminanceLux: { unit: 'lx', kind: 'gauge', min: 0, max: 200_000, label: 'Illuminance' },
  /** Pulses counted in the sample interval (rain gauge tips, anemometer turns). */
  pulses: { unit: 'pulses', kind: 'counter', min: 0, max: 1e9, label: 'Pulses' },
  /** Rain in the sample interval, mm (pulses × mm per tip). */
  rainMm: { unit: 'mm', kind: 'counter', min: 0, max: 1e6, label: 'Rain' },
  /** Wind speed, km/h (pulse rate × factor). */
  windKmh: { unit: 'km/h', kind: 'gauge', min: 0, max: 500, label: 'Wind speed' },
  /** A digital input: 0 or 1 (door/reed switch). */
  state: { unit: '', kind: 'gauge', min: 0, max: 1, label: 'State' },
  /** Distance, cm (ultrasonic ranger: 2…400 cm). */
  distanceCm: { unit: 'cm', kind: 'gauge', min: 0, max: 10_000, label: 'Distance' },
  /** Electric potential, V (a logger's battery, a supply rail); ±1000 V covers hobby hardware. */
  voltageV: { unit: 'V', kind: 'gauge', min: -1_000, max: 1_000, label: 'Voltage' },
  /** Electric current, A (INA219-class shunt monitors: ±3.2 A; ±1000 A covers clamp meters). */
  currentA: { unit: 'A', kind: 'gauge', min: -1_000, max: 1_000, label: 'Current' },
  /** CO₂ concentration, ppm (NDIR sensors such as the SCD30: 0…40,000 ppm). */
  co2Ppm: { unit: 'ppm', kind: 'gauge', min: 0, max: 40_000, label: 'CO₂' },
  /** Particulate matter ≤ 2.5 µm, µg/m³ (Plantower PMS5003 effective range 0…500, maximum 1000). */
  pm25Ugm3: { unit: 'µg/m³', kind: 'gauge', min: 0, max: 1_000, label: 'PM2.5' },
  /** Particulate matter ≤ 10 µm, µg/m³ (same sensors). */
  pm10Ugm3: { unit: 'µg/m³', kind: 'gauge', min: 0, max: 1_000, label: 'PM10' },
  /** Wind speed, m/s (the importer converts km/h, mph, knots); 140 m/s is beyond any surface record. */
  windMs: { unit: 'm/s', kind: 'gauge', min: 0, max: 140, label: 'Wind speed' },
  /**
   * Wind direction, degrees: the bearing the wind comes from, 0 = N, clockwise (90 = E). Circular:
   * buckets average with the circular mean; their min/max are the numerically smallest and largest
   * bearings in the bucket (they do not describe an arc across north).
   */
  windDirDeg: { unit: '°', kind: 'circular', min: 0, max: 360, label: 'Wind direction' },
  /** A raw ADC count with no physical unit. */
  adcCounts: { unit: 'counts', kind: 'gauge', min: 0, max: 65_535, label: 'ADC counts' },
} as const satisfies Record<string, MetricSpec>;

export type Metric = keyof typeof METRICS;

export function isMetric(value: unknown): value is Metric {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METRICS, value);
}
