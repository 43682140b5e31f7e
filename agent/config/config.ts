/**
 * The agent's configuration file (JSON): shape, defaults and validation. Pure: the composition roots
 * read the file and the environment, then call `parseConfig`.
 *
 * ```json
 * { "deviceId": "pi-kitchen", "http": { "host": "127.0.0.1", "port": 8080 }, "sensors": [] }
 * ```
 */
import { ID_PATTERN } from '../../builder/constants.js';
import { parseSensorConfigs, type SensorConfig } from './sensor-config.js';
import { ConfigError } from './errors.js';
import { parseCloudConfig, type CloudConfig } from './upload-config.js';
import { parseMqttConfig, type MqttConfig } from './mqtt-config.js';
import { DEFAULT_COMMIT_EVERY_MS } from '../buffer/batching-buffer.js';

export interface HttpConfig {
  host: string;
  port: number;
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
}

export interface Config {
  /** Device id: partition key in DynamoDB and key prefix in the snapshot store. Default: host name. */
  deviceId: string;
  http: HttpConfig;
  /** Declared sensors; empty means the simulated source. */
  sensors: SensorConfig[];
  /** Uplink to AWS (`agent/config/upload-config.ts`); undefined when not configured. */
  cloud?: CloudConfig;
  /** MQTT publishing and Home Assistant discovery (`agent/config/mqtt-config.ts`); undefined when not configured. */
  mqtt?: MqttConfig;
  storage: StorageConfig;
}

/** The `storage` section: how often held samples are committed to SQLite, and where snapshots live. */
export interface StorageConfig {
  /**
   * Samples are held in memory and committed together at most this often (ms): a power cut loses at
   * most this much of them. 0 commits every sample as it is taken. Default 60 000; at most 600 000.
   */
  commitEveryMs: number;
  /**
   * Absolute directory of what the builds write and can rebuild from the samples: snapshots under
   * `<snapshotDir>/snapshots/<device>/`, rollup state under `<snapshotDir>/state/<device>/`.
   * Undefined: the default of `resolveSnapshotDir` (the service's tmpfs `/run/sensorctl`, else the data dir).
   */
  snapshotDir?: string;
}

export const MAX_COMMIT_EVERY_MS = 600_000;

export const DEFAULT_HTTP: HttpConfig = { host: '127.0.0.1', port: 8080, corsOrigins: ['*'] };

const KNOWN_KEYS = ['deviceId', 'http', 'sensors', 'cloud', 'mqtt', 'storage', '$schema', 'comment'];

/** Turns a host name into a valid device id (`ID_PATTERN`): other characters become `-`. */
export function deviceIdFromHostname(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned || 'device';
}

function intIn(value: unknown, key: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `got ${JSON.stringify(value)}, expected an integer ${min}–${max}`);
  }
  return value;
}

const HTTP_KEYS = ['host', 'port', 'corsOrigins'];

/** The `http` section: every key checked, so a typo (`prot`) stops the daemon instead of being ignored. */
function parseHttp(raw: unknown): HttpConfig {
  if (raw === undefined) return { ...DEFAULT_HTTP };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('http', 'expected an object such as {"host": "127.0.0.1", "port": 8080}');
  const h = raw as Record<string, unknown>;
  for (const key of Object.keys(h)) {
    if (!HTTP_KEYS.includes(key)) throw new ConfigError(`http.${key}`, `unknown key; allowed: ${HTTP_KEYS.join(', ')}`);
  }
  if (h.host !== undefined && (typeof h.host !== 'string' || h.host === '')) throw new ConfigError('http.host', `got ${JSON.stringify(h.host)}, expected an address such as "127.0.0.1" or "0.0.0.0"`);
  const origins = h.corsOrigins;
  if (origins !== undefined && (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string'))) {
    throw new ConfigError('http.corsOrigins', `got ${JSON.stringify(origins)}, expected an array of origins such as ["https://example.org"] or ["*"]`);
  }
  return {
    host: (h.host as string | undefined) ?? DEFAULT_HTTP.host,
    port: h.port === undefined ? DEFAULT_HTTP.port : intIn(h.port, 'http.port', 0, 65535),
    corsOrigins: (origins as string[] | undefined) ?? DEFAULT_HTTP.corsOrigins,
  };
}

const STORAGE_KEYS = ['commitEveryMs', 'snapshotDir'];

/** The `storage` section (`{"commitEveryMs": 60000, "snapshotDir": "/run/sensorctl"}`); every key checked. */
function parseStorage(raw: unknown): StorageConfig {
  if (raw === undefined) return { commitEveryMs: DEFAULT_COMMIT_EVERY_MS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('storage', 'expected an object such as {"commitEveryMs": 60000}');
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!STORAGE_KEYS.includes(key)) throw new ConfigError(`storage.${key}`, `unknown key; allowed: ${STORAGE_KEYS.join(', ')}`);
  }
  const dir = s.snapshotDir;
  if (dir !== undefined && (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0'))) {
    throw new ConfigError('storage.snapshotDir', `got ${JSON.stringify(dir)}, expected an absolute directory such as "/run/sensorctl" (a tmpfs keeps snapshot writes off the SD card)`);
  }
  return {
    commitEveryMs: s.commitEveryMs === undefined ? DEFAULT_COMMIT_EVERY_MS : intIn(s.commitEveryMs, 'storage.commitEveryMs', 0, MAX_COMMIT_EVERY_MS),
    ...(dir === undefined ? {} : { snapshotDir: dir as string }),
  };
}

/** The installed service's `RuntimeDirectory=` (tmpfs, kept across restarts, emptied by a reboot). */
export const INSTALLED_RUNTIME_DIR = '/run/sensorctl';

/**
 * Where snapshots and rollup state live (the one definition; every build and reader takes it):
 * 1. `storage.snapshotDir` when configured;
 * 2. else `$RUNTIME_DIRECTORY` (its first entry) when systemd runs us with `RuntimeDirectory=`;
 * 3. else `INSTALLED_RUNTIME_DIR` when the data dir is the installed one and that directory exists
 *    (commands run from a shell on an installed Pi see what the service built);
 * 4. else the data directory (snapshots under `<dataDir>/snapshots/`, as before).
 * @param env.runtimeDirectory `process.env.RUNTIME_DIRECTORY` (colon-separated when several).
 * @param env.installedRuntimeDirExists whether `INSTALLED_RUNTIME_DIR` exists (asked only for the installed data dir).
 * @returns an absolute directory holding `snapshots/` (one window object per window, rollup state inside).
 */
export function resolveSnapshotDir(
  storage: Pick<StorageConfig, 'snapshotDir'>,
  env: { dataDir: string; installedDataDir: string; runtimeDirectory?: string; installedRuntimeDirExists: () => boolean },
): string {
  if (storage.snapshotDir !== undefined) return storage.snapshotDir;
  const runtime = env.runtimeDirectory?.split(':')[0];
  if (runtime) return runtime;
  if (env.dataDir === env.installedDataDir && env.installedRuntimeDirExists()) return INSTALLED_RUNTIME_DIR;
  return env.dataDir;
}

/**
 * Validate a parsed config object and fill defaults.
 * @param raw the parsed JSON (`{}` when there is no file).
 * @param hostname used for the default `deviceId`.
 * @throws {ConfigError} naming the first bad key and what is allowed; nothing is half-applied.
 */
export function parseConfig(raw: unknown, hostname: string): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('(root)', 'expected a JSON object');
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KNOWN_KEYS.includes(key)) throw new ConfigError(key, `unknown key; allowed: ${KNOWN_KEYS.join(', ')}`);
  }
  const deviceId = r.deviceId ?? deviceIdFromHostname(hostname);
  if (typeof deviceId !== 'string' || !ID_PATTERN.test(deviceId)) {
    throw new ConfigError('deviceId', `got ${JSON.stringify(deviceId)}, expected 1–64 of A–Z a–z 0–9 . _ : - (starting with a letter or digit)`);
  }
  const http = parseHttp(r.http);
  const cloud = parseCloudConfig(r.cloud);
  const mqtt = parseMqttConfig(r.mqtt);
  const storage = parseStorage(r.storage);
  return { deviceId, http, sensors: parseSensorConfigs(r.sensors), storage, ...(cloud ? { cloud } : {}), ...(mqtt ? { mqtt } : {}) };
}
