/**
 * Validation of the `sensors` section of the config file. Owned by the drivers (issue 3); this first
 * version accepts an empty list only, and `simulated` entries.
 */
import { ConfigError } from '../agent/errors.js';

export interface SimulatedSensorConfig {
  type: 'simulated';
  id: string;
  intervalMs: number;
}

export type SensorConfig = SimulatedSensorConfig;

export const SENSOR_TYPES = ['simulated'] as const;

/** @throws {ConfigError} naming the key and the allowed values. */
export function parseSensorConfigs(raw: unknown, key = 'sensors'): SensorConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError(key, `expected an array of sensor objects, got ${typeof raw}`);
  return raw.map((entry, i) => {
    const k = `${key}[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new ConfigError(k, 'expected an object');
    const e = entry as Record<string, unknown>;
    if (e.type !== 'simulated') {
      throw new ConfigError(`${k}.type`, `unknown sensor type ${JSON.stringify(e.type)}; allowed: ${SENSOR_TYPES.join(', ')}`);
    }
    const intervalMs = e.intervalMs ?? 10_000;
    if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 1000) {
      throw new ConfigError(`${k}.intervalMs`, `interval ${String(intervalMs)} ms, expected an integer ≥ 1000 ms`);
    }
    return { type: 'simulated', id: String(e.id ?? `sim${i}`), intervalMs };
  });
}
