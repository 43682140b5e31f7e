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
  /** A raw ADC count with no physical unit. */
  adcCounts: { unit: 'counts', kind: 'gauge', min: 0, max: 65_535, label: 'ADC counts' },
} as const satisfies Record<string, MetricSpec>;

export type Metric = keyof typeof METRICS;

export function isMetric(value: unknown): value is Metric {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METRICS, value);
}
