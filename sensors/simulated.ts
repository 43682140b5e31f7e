/**
 * A simulated weather sensor: plausible temperature, humidity and pressure with a daily cycle and
 * noise. Deterministic: the value at a given time depends only on the seed and the clock, so tests
 * can assert exact values. Used by the agent when no sensors are configured. Pure.
 */
import type { Clock } from '../builder/ports.js';
import type { SensorDriver } from './driver.js';
import type { Reading } from './reading.js';

const DAY_MS = 86_400_000;

/** Uniform noise in [-1, 1) from (seed, tsMs), a 32-bit integer hash (xorshift-multiply mix). */
export function noise(seed: number, tsMs: number, channel: number): number {
  let h = (seed ^ Math.imul(channel + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (tsMs % 0x100000000), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ Math.floor(tsMs / 0x100000000), 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2d) >>> 0;
  h ^= h >>> 15;
  return (h >>> 0) / 0x80000000 - 1;
}

/**
 * Simulated values at `tsMs`: temperature 18…26 °C peaking at 15:00 UTC (±0.1 °C noise), humidity
 * opposite in phase 45…65 %RH (±0.5), pressure 1013.25 hPa ± 4 hPa over a 3-day swell (±5 Pa).
 */
export function simulatedValues(seed: number, tsMs: number): { tempC: number; rhPct: number; pressurePa: number } {
  const day = (2 * Math.PI * ((tsMs % DAY_MS) - 9 * 3_600_000)) / DAY_MS;
  const cycle = Math.sin(day);
  return {
    tempC: 22 + 4 * cycle + 0.1 * noise(seed, tsMs, 0),
    rhPct: 55 - 10 * cycle + 0.5 * noise(seed, tsMs, 1),
    pressurePa: 101_325 + 400 * Math.sin((2 * Math.PI * tsMs) / (3 * DAY_MS)) + 5 * noise(seed, tsMs, 2),
  };
}

/** A `SensorDriver` returning `simulatedValues(seed, clock.nowMs())`. */
export class SimulatedSensor implements SensorDriver {
  readonly metrics = ['tempC', 'rhPct', 'pressurePa'] as const;
  constructor(readonly id: string, private readonly clock: Clock, readonly seed = 1) {}
  async init(): Promise<void> {}
  async read(): Promise<Reading> {
    return { values: simulatedValues(this.seed, this.clock.nowMs()), problems: [] };
  }
  async close(): Promise<void> {}
}
