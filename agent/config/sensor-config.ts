/**
 * Validation of the `sensors` section of the config file: one object per sensor with `type`, `id`,
 * bus/address or pin, `intervalMs`, optional `series` names and type-specific options. Pure.
 * Every error is a `ConfigError` naming the key (`sensors[2].address`) and the allowed values; the
 * whole list is validated before anything starts. Format and example: docs/sensors.md.
 */
import { ConfigError } from './errors.js';
import { ID_PATTERN } from '../../builder/constants.js';
import { METRICS, type Metric } from '../../builder/metrics.js';
import type { SeriesInfo } from '../../builder/types.js';

/** Every `type` a sensor entry may have. */
export const SENSOR_TYPES = ['bme280', 'bmp280', 'sht3x', 'sht4x', 'bh1750', 'ds18b20', 'pulse', 'digital', 'simulated'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

/** Default and minimum sampling interval, ms. */
export const DEFAULT_INTERVAL_MS = 10_000;
export const MIN_INTERVAL_MS = 1_000;

interface Common {
  id: string;
  intervalMs: number;
  /** metric → series id; defaults to `<id>.<metric>`. */
  series: Partial<Record<string, string>>;
}
interface I2c {
  /** I²C bus number (`/dev/i2c-N`), default 1. */
  bus: number;
  address: number;
}
/** One validated sensor entry per type (defaults filled in); see docs/sensors.md for the keys. */
export interface Bme280Config extends Common, I2c {
  type: 'bme280' | 'bmp280';
  mode: 'forced' | 'normal';
  osrsT: 0 | 1 | 2 | 4 | 8 | 16;
  osrsP: 0 | 1 | 2 | 4 | 8 | 16;
  osrsH: 0 | 1 | 2 | 4 | 8 | 16;
  filter: 0 | 2 | 4 | 8 | 16;
  standbyMs: 0.5 | 10 | 20 | 62.5 | 125 | 250 | 500 | 1000;
}
export interface Sht3xConfig extends Common, I2c { type: 'sht3x'; repeatability: 'high' | 'medium' | 'low' }
export interface Sht4xConfig extends Common, I2c { type: 'sht4x'; precision: 'high' | 'medium' | 'low' }
export interface Bh1750Config extends Common, I2c { type: 'bh1750'; resolution: 'h' | 'h2' | 'l'; mtreg: number; continuous: boolean }
export interface Ds18b20Config extends Common {
  type: 'ds18b20';
  /** `28-…` directory name; absent: the first DS18B20 found. */
  device?: string;
  /** 1-Wire devices directory, default /sys/bus/w1/devices. */
  w1Dir: string;
}
export interface PulseConfig extends Common {
  type: 'pulse';
  /** BCM pin number (not the header pin, not the kernel number). */
  pin: number;
  edge: 'rising' | 'falling' | 'both';
  debounceMs: number;
  countOn: 0 | 1;
  metric: 'pulses' | 'rainMm' | 'windKmh';
  factor: number;
}
export interface DigitalConfig extends Common { type: 'digital'; pin: number; activeLow: boolean }
export interface SimulatedSensorConfig extends Common {
  type: 'simulated';
  seed: number;
  /** The metrics it produces (default all three; the footprint bench's 4 series are one sensor of 3 and one of 1). */
  metrics: Array<'tempC' | 'rhPct' | 'pressurePa'>;
}
const SIMULATED_METRICS = ['tempC', 'rhPct', 'pressurePa'] as const;

export type SensorConfig = Bme280Config | Sht3xConfig | Sht4xConfig | Bh1750Config | Ds18b20Config | PulseConfig | DigitalConfig | SimulatedSensorConfig;

const COMMON_KEYS = ['type', 'id', 'intervalMs', 'series', 'comment'];
const I2C_KEYS = ['bus', 'address'];
const TYPE_KEYS: Record<SensorType, string[]> = {
  bme280: [...I2C_KEYS, 'mode', 'osrsT', 'osrsP', 'osrsH', 'filter', 'standbyMs'],
  bmp280: [...I2C_KEYS, 'mode', 'osrsT', 'osrsP', 'filter', 'standbyMs'],
  sht3x: [...I2C_KEYS, 'repeatability'],
  sht4x: [...I2C_KEYS, 'precision'],
  bh1750: [...I2C_KEYS, 'resolution', 'mtreg', 'continuous'],
  ds18b20: ['device', 'w1Dir'],
  pulse: ['pin', 'edge', 'debounceMs', 'countOn', 'metric', 'factor'],
  digital: ['pin', 'activeLow'],
  simulated: ['seed', 'metrics'],
};
const ADDRESSES: Partial<Record<SensorType, number[]>> = {
  bme280: [0x76, 0x77], bmp280: [0x76, 0x77], sht3x: [0x44, 0x45], sht4x: [0x44, 0x45, 0x46], bh1750: [0x23, 0x5c],
};

/** Metrics a configured sensor produces, in display order. */
export function metricsOf(sensor: SensorConfig): Metric[] {
  switch (sensor.type) {
    case 'bme280': return [sensor.osrsT ? 'tempC' : undefined, sensor.osrsP ? 'pressurePa' : undefined, sensor.osrsH ? 'rhPct' : undefined].filter(Boolean) as Metric[];
    case 'bmp280': return [sensor.osrsT ? 'tempC' : undefined, sensor.osrsP ? 'pressurePa' : undefined].filter(Boolean) as Metric[];
    case 'sht3x': case 'sht4x': return ['tempC', 'rhPct'];
    case 'bh1750': return ['illuminanceLux'];
    case 'ds18b20': return ['tempC'];
    case 'pulse': return [sensor.metric];
    case 'digital': return ['state'];
    case 'simulated': return [...sensor.metrics];
  }
}

/** Series id of `metric` of `sensor`: the configured name or `<id>.<metric>`. */
export const seriesIdOf = (sensor: SensorConfig, metric: string): string => sensor.series[metric] ?? `${sensor.id}.${metric}`;

/** The series a sensor writes, with unit and kind from `builder/metrics.ts`. */
export function seriesOf(sensor: SensorConfig, deviceId: string): SeriesInfo[] {
  return metricsOf(sensor).map((metric) => ({ deviceId, seriesId: seriesIdOf(sensor, metric), sensorId: sensor.id, metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind }));
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

class Fields {
  constructor(readonly e: Record<string, unknown>, readonly k: string) {}
  err(key: string, msg: string): never {
    throw new ConfigError(`${this.k}.${key}`, msg);
  }
  oneOf<T>(key: string, allowed: readonly T[], dflt: T): T {
    const v = this.e[key];
    if (v === undefined) return dflt;
    if (!allowed.includes(v as T)) this.err(key, `got ${show(v)}; allowed: ${allowed.map((a) => show(a)).join(', ')}`);
    return v as T;
  }
  int(key: string, min: number, max: number, dflt?: number): number {
    const v = this.e[key] ?? dflt;
    if (v === undefined) this.err(key, `missing; expected an integer ${min}–${max}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.err(key, `got ${show(v)}, expected an integer ${min}–${max}`);
    return v;
  }
  num(key: string, dflt: number, check: (n: number) => boolean, expected: string): number {
    const v = this.e[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) this.err(key, `got ${show(v)}, expected ${expected}`);
    return v;
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.e[key] ?? dflt;
    if (typeof v !== 'boolean') this.err(key, `got ${show(v)}, expected true or false`);
    return v;
  }
  /** An I²C address as a number (118) or a hex string ("0x76"). */
  address(allowed: number[]): number {
    const v = this.e.address ?? allowed[0];
    const n = typeof v === 'string' && /^0x[0-9a-f]{1,2}$/i.test(v) ? parseInt(v, 16) : v;
    const list = allowed.map((a) => '0x' + a.toString(16)).join(', ');
    if (typeof n !== 'number' || !allowed.includes(n)) this.err('address', `got ${show(v)}; allowed: ${list}`);
    return n;
  }
}

/** The type-specific keys of one entry, with defaults. */
function parseTypeOptions(type: SensorType, common: Common, f: Fields, i: number): SensorConfig {
  const e = f.e;
  const i2c = (): I2c => ({ bus: f.int('bus', 0, 255, 1), address: f.address(ADDRESSES[type]!) });
  const OS = [0, 1, 2, 4, 8, 16] as const;
  switch (type) {
    case 'bme280': case 'bmp280':
      return {
        type, ...common, ...i2c(), mode: f.oneOf('mode', ['forced', 'normal'] as const, 'forced'),
        osrsT: f.oneOf('osrsT', OS, 1), osrsP: f.oneOf('osrsP', OS, 1), osrsH: type === 'bme280' ? f.oneOf('osrsH', OS, 1) : 0,
        filter: f.oneOf('filter', [0, 2, 4, 8, 16] as const, 0), standbyMs: f.oneOf('standbyMs', [0.5, 10, 20, 62.5, 125, 250, 500, 1000] as const, 1000),
      };
    case 'sht3x': return { type, ...common, ...i2c(), repeatability: f.oneOf('repeatability', ['high', 'medium', 'low'] as const, 'high') };
    case 'sht4x': return { type, ...common, ...i2c(), precision: f.oneOf('precision', ['high', 'medium', 'low'] as const, 'high') };
    case 'bh1750':
      return { type, ...common, ...i2c(), resolution: f.oneOf('resolution', ['h', 'h2', 'l'] as const, 'h'), mtreg: f.int('mtreg', 31, 254, 69), continuous: f.bool('continuous', false) };
    case 'ds18b20': {
      const device = e.device;
      if (device !== undefined && (typeof device !== 'string' || !/^28-[0-9a-f]{12}$/.test(device))) f.err('device', `got ${show(device)}, expected a DS18B20 directory name like "28-0316a2795aff"`);
      const w1Dir = e.w1Dir ?? '/sys/bus/w1/devices';
      if (typeof w1Dir !== 'string' || !w1Dir.startsWith('/')) f.err('w1Dir', `got ${show(w1Dir)}, expected an absolute directory path`);
      return { type, ...common, device: device as string | undefined, w1Dir: w1Dir as string };
    }
    case 'pulse': {
      const metric = f.oneOf('metric', ['pulses', 'rainMm', 'windKmh'] as const, 'pulses');
      return {
        type, ...common, pin: f.int('pin', 0, 57), edge: f.oneOf('edge', ['rising', 'falling', 'both'] as const, 'both'),
        debounceMs: f.num('debounceMs', 20, (n) => n >= 0 && n <= 10_000, 'a number of ms 0–10000'), countOn: f.oneOf('countOn', [0, 1] as const, 1),
        metric, factor: f.num('factor', 1, (n) => n > 0, 'a number > 0 (e.g. 0.2794 mm per tip, 2.4 km/h per Hz)'),
      };
    }
    case 'digital': return { type, ...common, pin: f.int('pin', 0, 57), activeLow: f.bool('activeLow', false) };
    case 'simulated': {
      const metrics = f.e.metrics ?? [...SIMULATED_METRICS];
      if (!Array.isArray(metrics) || metrics.length === 0 || !metrics.every((m) => (SIMULATED_METRICS as readonly unknown[]).includes(m)) || new Set(metrics).size !== metrics.length) {
        f.err('metrics', `got ${show(metrics)}, expected a non-empty list of distinct ${SIMULATED_METRICS.join(', ')}`);
      }
      return { type, ...common, seed: f.int('seed', 0, 2 ** 31 - 1, i + 1), metrics: metrics as SimulatedSensorConfig['metrics'] };
    }
  }
}

function parseOne(entry: unknown, k: string, i: number): SensorConfig {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(k, 'expected an object with at least "type"');
  const e = entry as Record<string, unknown>;
  if (!SENSOR_TYPES.includes(e.type as SensorType)) throw new ConfigError(`${k}.type`, `unknown sensor type ${show(e.type)}; allowed: ${SENSOR_TYPES.join(', ')}`);
  const type = e.type as SensorType;
  const allowedKeys = [...COMMON_KEYS, ...TYPE_KEYS[type]];
  for (const key of Object.keys(e)) if (!allowedKeys.includes(key)) throw new ConfigError(`${k}.${key}`, `unknown key for type ${type}; allowed: ${allowedKeys.join(', ')}`);
  const f = new Fields(e, k);
  const id = e.id ?? (type === 'simulated' ? `sim${i}` : undefined);
  if (typeof id !== 'string' || !ID_PATTERN.test(id) || id.includes('.')) {
    throw new ConfigError(`${k}.id`, `got ${show(id)}, expected 1–64 of A–Z a–z 0–9 _ : - (no dots; starting with a letter or digit)`);
  }
  const series = (e.series ?? {}) as Record<string, unknown>;
  if (typeof series !== 'object' || Array.isArray(series)) f.err('series', 'expected an object metric → series id, e.g. {"tempC": "living.temp"}');
  for (const [m, s] of Object.entries(series)) if (typeof s !== 'string' || !ID_PATTERN.test(s)) f.err(`series.${m}`, `got ${show(s)}, expected a series id (1–64 of A–Z a–z 0–9 . _ : -)`);
  const common: Common = { id, intervalMs: f.int('intervalMs', MIN_INTERVAL_MS, 86_400_000, DEFAULT_INTERVAL_MS), series: series as Record<string, string> };
  const c = parseTypeOptions(type, common, f, i);
  if ((c.type === 'bme280' || c.type === 'bmp280') && !c.osrsT && (c.osrsP || c.osrsH)) {
    f.err('osrsT', 'is 0 but pressure/humidity need the temperature (t_fine); allowed: 1, 2, 4, 8, 16');
  }
  for (const m of Object.keys(series)) if (!(metricsOf(c) as string[]).includes(m)) f.err(`series.${m}`, `${m} is not a metric of this sensor; allowed: ${metricsOf(c).join(', ')}`);
  return c;
}

/**
 * Validate the `sensors` array of the config file and fill defaults.
 * @returns `[]` when absent (the agent then uses a simulated sensor and says so).
 * @throws {ConfigError} naming the first bad key and the allowed values; duplicate ids, duplicate
 *   series ids, two sensors on one I²C address or GPIO pin are errors too.
 */
export function parseSensorConfigs(raw: unknown, key = 'sensors'): SensorConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError(key, `expected an array of sensor objects, got ${typeof raw}`);
  const out = raw.map((entry, i) => parseOne(entry, `${key}[${i}]`, i));
  const seen = new Map<string, number>();
  out.forEach((c, i) => {
    const claims = [`id ${c.id}`, ...metricsOf(c).map((m) => `series ${seriesIdOf(c, m)}`)];
    if ('address' in c) claims.push(`I²C bus ${c.bus} address 0x${c.address.toString(16)}`);
    if ('pin' in c) claims.push(`BCM pin ${c.pin}`);
    for (const claim of claims) {
      const j = seen.get(claim);
      if (j !== undefined) throw new ConfigError(`${key}[${i}]`, `${claim} is already used by ${key}[${j}]`);
      seen.set(claim, i);
    }
  });
  return out;
}
